package dev.rlhf4j.sampling.generate;

import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.MemoryEstimator;
import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.Sampler;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.sampling.generate.internal.ChunkDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples responses from a causal language model: batched autoregressive decoding with the KV
 * cache, {@code n} responses per prompt sharing one prefill.
 *
 * <pre>{@code
 * Generator generator = Generator.builder(policy, tokenizer).maxBatchRows(64).build();
 * GenerationResult result = generator.generate(prompts, 8,
 *     SamplingParams.builder().temperature(1.0).maxNewTokens(512).seed(7).build());
 * }</pre>
 *
 * <p><b>Prompts.</b> Each prompt is rendered with the tokenizer's chat template and {@code
 * add_generation_prompt}, then encoded without adding special tokens (the template wrote them). A
 * prompt whose rendered length plus {@code maxNewTokens} exceeds {@link #contextLength()} is
 * handled by the {@link ContextOverflowPolicy}, counted in the result and reported in one warning
 * per call.
 *
 * <p><b>Batching.</b> Responses are decoded in chunks of at most {@link #maxBatchRows()} rows. A
 * chunk prefills its distinct prompts once (left-padded), gives each of a prompt's responses a
 * copy of the prompt's cache row, and then runs one incremental forward pass per token over the
 * rows that are still generating: a response that stops leaves the batch at once.
 *
 * <p><b>Sampling.</b> After each step the engine turns the last position's logits into
 * probabilities at the sampling temperature ({@code [rows, vocab]}, vectorised there), which are
 * copied once into a {@code float[]}; each row then draws its token on the host with top-k, top-p
 * and min-p (as Hugging Face applies them) by inverse-CDF sampling with one uniform number per
 * token, and the chosen tokens' temperature-1 log-probabilities are gathered back on the engine.
 * Temperature 0 is argmax. Host sampling costs one O(vocab) pass per row and token without
 * filters (top-p adds a heap over the vocabulary), small next to the LM head's forward pass; it
 * avoids DJL's {@code randomMultinomial}, which the PyTorch engine lacks. Token ids beyond the
 * tokenizer's vocabulary (padded embedding rows) can be sampled if the model gives them mass; they
 * decode to no text.
 *
 * <p><b>Stopping.</b> A response stops with {@link FinishReason#STOP} when it samples one of
 * {@link #eosTokenIds()} (the tokenizer's EOS ids plus the builder's extra ids) or when its text
 * contains one of {@link SamplingParams#stopStrings()} (checked after every token on the decoded
 * tail; the text is cut before the earliest stop string), and with {@link FinishReason#LENGTH}
 * after {@code maxNewTokens}.
 *
 * <p><b>Reproducibility.</b> Each response draws from its own random stream, derived from
 * {@code (params.seed(), prompt.id(), sampleIndex)} only, and draws exactly one number per token.
 * So the same triple gives the same response whatever the batch size, {@code n}, or the other
 * prompts, as long as the model computes the same logits for the row. Numerically, a row's logits
 * can differ in the last bits between batch compositions (padding width, the engine's blocking of
 * matrix products); a different token is then drawn only if the uniform number falls within that
 * rounding of a boundary of the cumulative distribution (or, when greedy, if two top logits are
 * that close), which is rare but possible on large models. Bit for bit, the same prompts, {@code
 * n}, {@link #maxBatchRows()} and seed on the same machine give the same responses and log-probs.
 *
 * <p><b>Ownership and threads.</b> The generator owns no native memory (each call allocates and
 * frees its own cache and step arrays), so it is not {@link AutoCloseable}; the caller owns and
 * closes the model and the tokenizer, and must keep them open while generating. Calls may run
 * concurrently, but not while the model's weights are being updated.
 */
public final class Generator implements Sampler {
  private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

  private final CausalLm model;
  private final HfTokenizer tokenizer;
  private final int maxBatchRows;
  private final int contextLength;
  private final ContextOverflowPolicy overflowPolicy;
  private final Set<Long> eosTokenIds;
  private final boolean[] stopIds;
  private final AvailableMemory availableMemory;

  private Generator(Builder builder) {
    this.model = builder.model;
    this.tokenizer = builder.tokenizer;
    this.maxBatchRows = builder.maxBatchRows;
    this.contextLength = builder.contextLength;
    this.overflowPolicy = builder.overflowPolicy;
    this.availableMemory = builder.availableMemory;
    Set<Long> eos = new LinkedHashSet<>(tokenizer.eosTokenIds());
    eos.addAll(builder.extraEosTokenIds);
    this.eosTokenIds = Collections.unmodifiableSet(eos);
    this.stopIds = new boolean[model.config().vocabSize()];
    for (long id : eos) {
      if (id < stopIds.length) {
        stopIds[(int) id] = true;
      }
    }
    if (eos.isEmpty()) {
      LOG.warn(
          "the tokenizer of {} names no EOS token and no extra EOS ids were given: responses end"
              + " only at stop strings or maxNewTokens",
          tokenizer.directory());
    }
  }

  /**
   * Starts a builder for a generator over {@code model} and its {@code tokenizer}. Both stay
   * owned by the caller.
   *
   * @throws IllegalArgumentException if model or tokenizer is null
   */
  public static Builder builder(CausalLm model, HfTokenizer tokenizer) {
    checkArgument(model != null, "model must not be null");
    checkArgument(tokenizer != null, "tokenizer must not be null");
    return new Builder(model, tokenizer);
  }

  /** The most rows (responses) decoded together. */
  public int maxBatchRows() {
    return maxBatchRows;
  }

  /** The most tokens a prompt and its response may hold together. */
  public int contextLength() {
    return contextLength;
  }

  /** What happens to prompts that do not fit. */
  public ContextOverflowPolicy overflowPolicy() {
    return overflowPolicy;
  }

  /** The ids that end a response: the tokenizer's EOS ids and the builder's extra ids. */
  public Set<Long> eosTokenIds() {
    return eosTokenIds;
  }

  /**
   * Samples {@code n} responses for each prompt and reports their token ids, summed
   * log-probabilities and finish reasons.
   *
   * @param prompts the prompts; their ids seed the responses, so two prompts with the same id and
   *     messages get the same responses
   * @param n responses per prompt, ≥ 1
   * @param params how to sample
   * @return one {@link PromptGenerations} per prompt, in order
   * @throws IllegalArgumentException if prompts or params is null, prompts holds a null, {@code n
   *     < 1}, or {@code params.maxNewTokens()} does not leave room for a prompt token in the
   *     context
   * @throws dev.rlhf4j.api.Rlhf4jException if the tokenizer has no chat template or the engine
   *     fails
   * @throws dev.rlhf4j.models.tokenizer.ChatTemplateException if the template refuses a prompt
   * @throws dev.rlhf4j.models.memory.InsufficientMemoryException if the largest batch's memory
   *     estimate does not fit in the {@link Builder#availableMemory available memory} (checked
   *     before anything is allocated)
   * @throws IllegalStateException if the model or the tokenizer is closed
   */
  public GenerationResult generate(List<Prompt> prompts, int n, SamplingParams params) {
    checkArgument(prompts != null, "prompts must not be null");
    checkArgument(params != null, "params must not be null");
    checkArgument(n >= 1, "n must be >= 1 but was %s", n);
    checkArgument(
        params.maxNewTokens() < contextLength,
        "maxNewTokens must be < the context length %s (to leave room for the prompt) but was %s",
        contextLength,
        params.maxNewTokens());
    for (int i = 0; i < prompts.size(); i++) {
      checkArgument(prompts.get(i) != null, "prompts[%s] must not be null", i);
    }
    int budget = contextLength - params.maxNewTokens();
    List<long[]> encoded = new ArrayList<>(prompts.size());
    int[] rendered = new int[prompts.size()];
    int truncated = 0;
    int skipped = 0;
    for (int i = 0; i < prompts.size(); i++) {
      long[] ids = tokenizer.encodeChat(prompts.get(i).messages(), true);
      checkArgument(ids.length > 0, "prompt %s renders to no tokens", prompts.get(i).id());
      rendered[i] = ids.length;
      if (ids.length > budget) {
        if (overflowPolicy == ContextOverflowPolicy.SKIP) {
          ids = null;
          skipped++;
        } else {
          ids = Arrays.copyOfRange(ids, ids.length - budget, ids.length);
          truncated++;
        }
      }
      encoded.add(ids);
    }
    if (truncated + skipped > 0) {
      LOG.warn(
          "{} of {} prompts exceed the context ({} tokens, {} of them for the response): {} "
              + "left-truncated, {} skipped",
          truncated + skipped,
          prompts.size(),
          contextLength,
          params.maxNewTokens(),
          truncated,
          skipped);
    }

    requireFits(encoded, n, params.maxNewTokens());
    Generation[][] byPrompt = new Generation[prompts.size()][];
    GenerationStats stats = GenerationStats.zero();
    ChunkDecoder decoder = new ChunkDecoder(model, tokenizer, stopIds, params);
    List<long[]> chunkPrompts = new ArrayList<>();
    List<Integer> chunkPromptIndex = new ArrayList<>();
    List<ChunkDecoder.Unit> units = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      if (encoded.get(i) == null) {
        continue;
      }
      byPrompt[i] = new Generation[n];
      for (int s = 0; s < n; s++) {
        if (units.size() == maxBatchRows) {
          stats = stats.plus(runChunk(decoder, chunkPrompts, chunkPromptIndex, units, byPrompt));
        }
        if (chunkPromptIndex.isEmpty() || chunkPromptIndex.get(chunkPromptIndex.size() - 1) != i) {
          chunkPrompts.add(encoded.get(i));
          chunkPromptIndex.add(i);
        }
        units.add(new ChunkDecoder.Unit(chunkPrompts.size() - 1, prompts.get(i).id(), s));
      }
    }
    if (!units.isEmpty()) {
      stats = stats.plus(runChunk(decoder, chunkPrompts, chunkPromptIndex, units, byPrompt));
    }

    List<PromptGenerations> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      boolean skip = encoded.get(i) == null;
      out.add(
          new PromptGenerations(
              prompts.get(i),
              skip ? rendered[i] : encoded.get(i).length,
              skip ? 0 : rendered[i] - encoded.get(i).length,
              skip,
              skip ? List.of() : Arrays.asList(byPrompt[i])));
    }
    LOG.debug(
        "generated {} tokens for {} prompts x {} in {} ms",
        stats.generatedTokens(),
        prompts.size(),
        n,
        (stats.prefillNanos() + stats.decodeNanos()) / 1_000_000);
    return new GenerationResult(out, truncated, skipped, stats);
  }

  private MemoryEstimator estimator() {
    return MemoryEstimator.builder(model).trainableParameters(0).build();
  }

  /**
   * Refuses a call whose largest batch would not fit in the available memory: {@code
   * min(maxBatchRows, n × prompts)} rows of the longest prompt plus {@code maxNewTokens} (the KV
   * cache, one layer's prefill intermediates, the last position's logits).
   *
   * @param encoded the prompts as they will be decoded (null: skipped)
   */
  private void requireFits(List<long[]> encoded, int n, int maxNewTokens) {
    int kept = 0;
    int width = 1;
    for (long[] ids : encoded) {
      if (ids != null) {
        kept++;
        width = Math.max(width, ids.length);
      }
    }
    if (kept == 0) {
      return;
    }
    int rows = (int) Math.min(maxBatchRows, (long) n * kept);
    int promptLength = width;
    int prefill = Math.min(rows, kept);
    MemoryEstimator estimator = estimator();
    MemoryEstimator.requireFits(
        "generation (" + rows + " rows x up to " + promptLength + " prompt + " + maxNewTokens
            + " new tokens)",
        availableMemory,
        r -> estimator.generation(r, Math.min(r, prefill), promptLength, maxNewTokens),
        rows,
        "maxBatchRows",
        MemoryEstimator.residentBytes(model),
        "a smaller maxNewTokens",
        "shorten maxNewTokens or the prompts (contextLength)");
  }

  /** Decodes the pending chunk into byPrompt and clears it. */
  private static GenerationStats runChunk(
      ChunkDecoder decoder,
      List<long[]> chunkPrompts,
      List<Integer> chunkPromptIndex,
      List<ChunkDecoder.Unit> units,
      Generation[][] byPrompt) {
    ChunkDecoder.Output output = decoder.decode(chunkPrompts, units);
    for (int u = 0; u < units.size(); u++) {
      ChunkDecoder.Unit unit = units.get(u);
      byPrompt[chunkPromptIndex.get(unit.prompt())][unit.sampleIndex()] =
          output.generations().get(u);
    }
    chunkPrompts.clear();
    chunkPromptIndex.clear();
    units.clear();
    return output.stats();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The {@link Sampler} view of {@link #generate}. A prompt skipped by {@link
   * ContextOverflowPolicy#SKIP} gets {@code n} empty responses with 0 tokens and {@link
   * FinishReason#LENGTH} (a warning counts them), so the result still holds one sample per prompt
   * and downstream ranking sees a tie it drops; use {@link #generate} to tell them apart.
   *
   * @throws IllegalArgumentException as {@link #generate} does
   */
  @Override
  public List<GeneratedSample> sample(List<Prompt> prompts, int n, SamplingParams params) {
    GenerationResult result = generate(prompts, n, params);
    List<GeneratedSample> samples = new ArrayList<>(result.prompts().size());
    for (PromptGenerations p : result.prompts()) {
      List<Completion> completions = new ArrayList<>(n);
      if (p.skipped()) {
        for (int s = 0; s < n; s++) {
          completions.add(new Completion("", 0, FinishReason.LENGTH));
        }
      } else {
        p.generations().forEach(g -> completions.add(g.toCompletion()));
      }
      samples.add(new GeneratedSample(p.prompt(), completions));
    }
    return samples;
  }

  /**
   * Settings of a {@link Generator}. The model and tokenizer are given to {@link
   * Generator#builder}; everything else has a default. Not thread-safe.
   */
  public static final class Builder {
    private final CausalLm model;
    private final HfTokenizer tokenizer;
    private int maxBatchRows = 64;
    private int contextLength;
    private ContextOverflowPolicy overflowPolicy = ContextOverflowPolicy.LEFT_TRUNCATE;
    private final Set<Long> extraEosTokenIds = new LinkedHashSet<>();
    private AvailableMemory availableMemory = AvailableMemory.system();

    private Builder(CausalLm model, HfTokenizer tokenizer) {
      this.model = model;
      this.tokenizer = tokenizer;
      this.contextLength = model.config().maxPositionEmbeddings();
    }

    /**
     * The most responses decoded together (the cache's rows). Default 64. A prompt's {@code n}
     * responses may span several batches; each batch prefills the prompt once.
     *
     * @throws IllegalArgumentException if value &lt; 1
     */
    public Builder maxBatchRows(int value) {
      checkArgument(value >= 1, "maxBatchRows must be >= 1 but was %s", value);
      this.maxBatchRows = value;
      return this;
    }

    /**
     * The most tokens a prompt and its response may hold together. Default: the model's {@code
     * max_position_embeddings}; checked against it in {@link #build()}.
     *
     * @throws IllegalArgumentException if value &lt; 2
     */
    public Builder contextLength(int value) {
      checkArgument(value >= 2, "contextLength must be >= 2 but was %s", value);
      this.contextLength = value;
      return this;
    }

    /**
     * What to do with prompts that do not fit. Default {@link
     * ContextOverflowPolicy#LEFT_TRUNCATE}.
     *
     * @throws IllegalArgumentException if policy is null
     */
    public Builder overflowPolicy(ContextOverflowPolicy policy) {
      checkArgument(policy != null, "overflowPolicy must not be null");
      this.overflowPolicy = policy;
      return this;
    }

    /**
     * More ids that end a response, besides the tokenizer's EOS ids (e.g. Llama-3's {@code
     * <|eot_id|>} when only {@code <|end_of_text|>} is configured). Checked against the model's
     * vocabulary in {@link #build()}.
     *
     * @throws IllegalArgumentException if ids is null or holds a null or negative id
     */
    public Builder extraEosTokenIds(Collection<Long> ids) {
      checkArgument(ids != null, "extraEosTokenIds must not be null");
      for (Long id : ids) {
        checkArgument(id != null && id >= 0, "extra EOS token ids must be >= 0 but got %s", id);
      }
      extraEosTokenIds.addAll(ids);
      return this;
    }

    /**
     * What each {@link Generator#generate} call compares its memory estimate with before it
     * allocates (default {@link AvailableMemory#system()}: physical memory and the cgroup
     * limit): the KV cache of {@code min(maxBatchRows, n × prompts)} rows of the longest prompt
     * plus {@code maxNewTokens} ({@code 2 × layers × rows × positions × kvHeads × headDim} values),
     * the prefill and the last position's logits, beyond the loaded weights. A call that would
     * not fit is refused with {@link dev.rlhf4j.models.memory.InsufficientMemoryException},
     * naming the largest {@code maxBatchRows} that fits.
     *
     * @throws IllegalArgumentException if available is null
     */
    public Builder availableMemory(AvailableMemory available) {
      checkArgument(available != null, "availableMemory must not be null");
      this.availableMemory = available;
      return this;
    }

    /**
     * Builds the generator.
     *
     * @throws IllegalArgumentException if the tokenizer has more ids than the model's vocabulary,
     *     the context length exceeds the model's {@code max_position_embeddings}, or an extra EOS
     *     id is not below the vocabulary size
     */
    public Generator build() {
      int vocab = model.config().vocabSize();
      checkArgument(
          tokenizer.vocabSize() <= vocab,
          "the tokenizer of %s has %s ids but the model's vocabulary only %s: they do not belong"
              + " together",
          tokenizer.directory(),
          tokenizer.vocabSize(),
          vocab);
      checkArgument(
          contextLength <= model.config().maxPositionEmbeddings(),
          "contextLength must be <= the model's max_position_embeddings %s but was %s",
          model.config().maxPositionEmbeddings(),
          contextLength);
      for (long id : extraEosTokenIds) {
        checkArgument(
            id < vocab, "extra EOS token id must be in [0, %s) but was %s", vocab, id);
      }
      return new Generator(this);
    }
  }
}
