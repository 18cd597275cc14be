package dev.rlhf4j.models.memory;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.TransformerModel;
import dev.rlhf4j.models.checkpoint.DType;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.ModelFamily;
import dev.rlhf4j.models.config.TaskHead;
import java.util.function.IntFunction;

/**
 * Estimates peak memory from a model's shapes, before anything is allocated.
 *
 * <p><b>Parts.</b> Weights: every parameter of the model ({@link #parameterCount}) plus {@link
 * Builder#additionalParameters additional} ones (e.g. LoRA adapters), times the weight type's
 * size, once more for every {@link Builder#referenceCopies frozen reference copy}. Gradients: 4
 * bytes (float32) per {@link Builder#trainableParameters trainable} parameter. Optimiser state:
 * {@link Builder#optimizerBytesPerParameter} per trainable parameter (AdamW: two float32
 * moments, 8 bytes). Activations: what eager autograd keeps per token and layer of a Llama-style
 * block — the normalised inputs, q/k/v before and after rotary, the attention output, the four
 * MLP intermediates and the residuals, {@code 7h + 6·q + 4·kv + 4·i} values, plus the one
 * {@code [heads, S]} row of attention probabilities per token that the value product keeps (S
 * the row's length: the masked scores are added in place and not kept) — times the layers, plus
 * the two score-sized arrays one layer's attention backward creates, plus what a {@link
 * Builder#lora LoRA adapter} keeps per token; without gradients only one
 * layer's intermediates are live (each
 * layer runs in its own scope). Vocabulary projection: positions are projected {@link
 * Builder#vocabularyChunk chunk} at a time ({@link dev.rlhf4j.models.ModelOptions#vocabularyChunk},
 * {@link dev.rlhf4j.models.ProjectedLogProbs}); under gradients a chunk's log-softmax, the
 * gradient arriving at it and the gradient of its logits are live at once ({@code 3·min(chunk,
 * K)·V} float32 values) and, when the head trains, one chunk's {@code [vocab, hidden]}
 * head gradient before it is added to the head's; without gradients its logits and log-softmax
 * ({@code 2·min(chunk, K)·V}). KV cache: {@code 2 · layers · sequences · (prompt + new) · kvHeads ·
 * headDim} values. Runtime: a fixed allowance for the JVM and the native engine.
 *
 * <p>The formula is an upper-bound style estimate of the eager DJL implementation, checked against
 * measured peaks by the {@code benchmarks} module's {@code MemoryEstimateCheck} (SmolLM2-135M
 * shape, full fine-tuning DPO: see the CHANGELOG).
 *
 * <p>Immutable and thread-safe.
 */
public final class MemoryEstimator {
  /**
   * The default {@link Builder#runtimeBytes} allowance: 256 MiB. Measured: 0.22 GiB resident
   * beyond the weights after loading the SmolLM2-135M shape (the JVM, libtorch and the tokenizer;
   * {@code MemoryEstimateCheck}). A host application's own heap comes on top; the refusal checks
   * do not depend on it, since they compare what is not loaded yet with what is available.
   */
  public static final long DEFAULT_RUNTIME_BYTES = 256L << 20;

  private static final int FLOAT32 = 4;

  private final ModelConfig config;
  private final int weightBytes;
  private final long trainable;
  private final long additional;
  private final int optimizerBytes;
  private final int referenceCopies;
  private final int vocabularyChunk;
  private final boolean headTrains;
  private final long runtimeBytes;
  private final long loraBytesPerToken;

  private MemoryEstimator(Builder b) {
    this.config = b.config;
    this.weightBytes = b.weightType.byteSize();
    this.trainable = b.trainable < 0 ? parameterCount(b.config) + b.additional : b.trainable;
    this.additional = b.additional;
    this.optimizerBytes = b.optimizerBytes;
    this.referenceCopies = b.referenceCopies;
    this.vocabularyChunk = b.vocabularyChunk;
    this.headTrains = b.headTrains != null ? b.headTrains : this.trainable > 0;
    this.runtimeBytes = b.runtimeBytes;
    this.loraBytesPerToken =
        b.lora == null ? 0 : b.lora.trainingActivationBytesPerToken(b.config, weightBytes);
  }

  /**
   * A builder for {@code config}: float32 weights, every parameter trainable with AdamW, no
   * reference copy, the default vocabulary chunk ({@link
   * dev.rlhf4j.models.ModelOptions#DEFAULT_VOCABULARY_CHUNK}), {@link #DEFAULT_RUNTIME_BYTES}.
   */
  public static Builder builder(ModelConfig config) {
    checkArgument(config != null, "config must not be null");
    return new Builder(config);
  }

  /**
   * A builder for a loaded {@code model} as it stands: its weight type, its LoRA adapter as
   * {@link Builder#additionalParameters additional} parameters, what it trains ({@link
   * TransformerModel#numTrainableParameters()}: the adapter, what {@code freeze} left, or nothing
   * for a frozen model) and its {@link ModelOptions#vocabularyChunk()}.
   *
   * @throws IllegalArgumentException if {@code model} is null
   * @throws IllegalStateException if the model is closed
   */
  public static Builder builder(TransformerModel model) {
    checkArgument(model != null, "model must not be null");
    return builder(model.config())
        .weightType(weightType(model.options()))
        .additionalParameters(adapterParameters(model))
        .trainableParameters(model.numTrainableParameters())
        .headTrains(headTrains(model))
        .vocabularyChunk(model.options().vocabularyChunk())
        .lora(model.loraConfig().orElse(null));
  }

  /** Whether the LM head (or the embedding tied to it) is among what {@code model} trains. */
  private static boolean headTrains(TransformerModel model) {
    java.util.Set<String> trained = model.trainableParameters().keySet();
    return trained.contains("lm_head.weight")
        || trained.contains("model.embed_tokens.weight")
        || trained.contains("transformer.wte.weight");
  }

  /**
   * What a loaded {@code model} already holds of an estimate: its weights (adapter included) and
   * the {@link #DEFAULT_RUNTIME_BYTES runtime allowance}, which {@link AvailableMemory} counts as
   * used; pass it as {@code residentBytes} to {@link #requireFits}.
   *
   * @throws IllegalStateException if the model is closed
   */
  public static long residentBytes(TransformerModel model) {
    return weightBytes(model) + DEFAULT_RUNTIME_BYTES;
  }

  /**
   * The bytes of {@code model}'s weights, an attached adapter included, in the type its options
   * hold them in.
   *
   * @throws IllegalStateException if the model is closed
   */
  public static long weightBytes(TransformerModel model) {
    return (model.numParameters() + adapterParameters(model))
        * weightType(model.options()).byteSize();
  }

  private static long adapterParameters(TransformerModel model) {
    return model.loraParameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  private static DType weightType(ModelOptions options) {
    switch (options.dataType()) {
      case FLOAT16:
        return DType.F16;
      case BFLOAT16:
        return DType.BF16;
      case FLOAT64:
        return DType.F64;
      default:
        return DType.F32;
    }
  }

  /**
   * The number of scalar parameters a model of {@code config} has, from its shapes (the same
   * count as {@code TransformerModel.numParameters()}): embeddings, per layer the attention and
   * MLP projections with the biases the family has and the norms, the final norm, and the head
   * (the LM head unless tied, or the {@code [num_labels, hidden]} score).
   */
  public static long parameterCount(ModelConfig c) {
    long h = c.hiddenSize();
    long v = c.vocabSize();
    long inter = c.intermediateSize();
    long total;
    if (c.family() == ModelFamily.GPT2) {
      long layer = 2 * h + (h * 3 * h + 3 * h) + (h * h + h) + 2 * h + (h * inter + inter)
          + (inter * h + h);
      total = v * h + (long) c.maxPositionEmbeddings() * h + c.numLayers() * layer + 2 * h;
    } else {
      long q = (long) c.numHeads() * c.headDim();
      long kv = (long) c.numKvHeads() * c.headDim();
      long layer = h * q + 2 * h * kv + q * h + 3 * h * inter + 2 * h;
      if (c.qkvBias()) {
        layer += q + 2 * kv;
      }
      if (c.outputBias()) {
        layer += h;
      }
      if (c.mlpProjectionBias()) {
        layer += 2 * inter + h;
      }
      total = v * h + c.numLayers() * layer + h;
    }
    if (c.architecture().head() == TaskHead.SEQUENCE_CLASSIFICATION) {
      total += (long) c.numLabels() * h;
    } else if (!c.tieWordEmbeddings()) {
      total += v * h;
    }
    return total;
  }

  /** The number of trainable parameters this estimator assumes. */
  public long trainableParameters() {
    return trainable;
  }

  /**
   * One training step (forward and backward) of a micro-batch of {@code sequences} rows of
   * {@code length} tokens, {@code projectedPositions} of which are projected onto the vocabulary
   * (the completion tokens; {@code sequences · length} for a full projection, 0 for a
   * classification head).
   */
  public MemoryEstimate trainingStep(int sequences, int length, long projectedPositions) {
    checkShapes(sequences, length, projectedPositions);
    long tokens = (long) sequences * length;
    long activations = tokens * perTokenPerLayer(length) * config.numLayers() * activationBytes()
        + tokens * 3L * config.hiddenSize() * activationBytes()
        + 2 * tokens * config.numHeads() * length * activationBytes()
        + tokens * loraBytesPerToken;
    long vocab = 3 * Math.min(vocabularyChunk, projectedPositions) * config.vocabSize()
        * logitBytes();
    if (headTrains && projectedPositions > 0) {
      vocab += (long) config.vocabSize() * config.hiddenSize() * FLOAT32;
    }
    return new MemoryEstimate(
        weights(), trainable * FLOAT32, trainable * optimizerBytes, activations, vocab, 0,
        runtimeBytes);
  }

  /**
   * Scoring without gradients (reference log-probabilities, rewards): as {@link #trainingStep}
   * but with one layer's intermediates live and two arrays of a chunk's projection.
   */
  public MemoryEstimate scoring(int sequences, int length, long projectedPositions) {
    checkShapes(sequences, length, projectedPositions);
    long tokens = (long) sequences * length;
    long activations = tokens * (perTokenPerLayer(length) + 3L * config.hiddenSize())
        * activationBytes();
    long vocab = 2 * Math.min(vocabularyChunk, projectedPositions) * config.vocabSize()
        * logitBytes();
    return new MemoryEstimate(weights(), 0, 0, activations, vocab, 0, runtimeBytes);
  }

  /**
   * A generation of {@code sequences} rows: a prefill of {@code promptLength} tokens (one layer's
   * intermediates, the last position's logits) and a KV cache of {@code promptLength +
   * maxNewTokens} positions. No gradients, no optimiser.
   */
  public MemoryEstimate generation(int sequences, int promptLength, int maxNewTokens) {
    return generation(sequences, sequences, promptLength, maxNewTokens);
  }

  /**
   * {@link #generation(int, int, int)} where the prefill runs over {@code prefillSequences}
   * distinct prompts (a prompt's {@code n} responses share its prefill, then copy its cache row).
   *
   * @throws IllegalArgumentException if a count is out of range or {@code prefillSequences >
   *     sequences}
   */
  public MemoryEstimate generation(
      int sequences, int prefillSequences, int promptLength, int maxNewTokens) {
    checkArgument(sequences >= 1, "sequences must be >= 1 but was %s", sequences);
    checkArgument(
        prefillSequences >= 1 && prefillSequences <= sequences,
        "prefillSequences must be in [1, sequences = %s] but was %s",
        sequences,
        prefillSequences);
    checkArgument(promptLength >= 1, "promptLength must be >= 1 but was %s", promptLength);
    checkArgument(maxNewTokens >= 0, "maxNewTokens must be >= 0 but was %s", maxNewTokens);
    long tokens = (long) prefillSequences * promptLength;
    long activations = tokens * (perTokenPerLayer(promptLength) + 3L * config.hiddenSize())
        * activationBytes();
    long vocab = 2L * sequences * config.vocabSize() * logitBytes();
    long kv = 2L * config.numLayers() * sequences * ((long) promptLength + maxNewTokens)
        * config.numKvHeads() * config.headDim() * activationBytes();
    return new MemoryEstimate(weights(), 0, 0, activations, vocab, kv, runtimeBytes);
  }

  /**
   * Refuses a micro-batch size that would not fit: computes {@code estimateFor.apply(microBatch)}
   * and, if its total exceeds {@code available.bytes()}, throws with both figures and the largest
   * smaller micro-batch that fits ("use {@code knob}(m)"), or — if none does — advice to train
   * fewer parameters (LoRA, freezing) or shorten the sequences.
   *
   * @param what what is estimated, e.g. "DPO step (4 pairs x 2 x 256 tokens)"
   * @param knob the builder method that sets the micro-batch, e.g. "microBatchSize"
   * @return the estimate, when it fits
   * @throws InsufficientMemoryException if it does not
   */
  public static MemoryEstimate requireFits(
      String what, AvailableMemory available, IntFunction<MemoryEstimate> estimateFor,
      int microBatch, String knob) {
    return requireFits(what, available, estimateFor, microBatch, knob, 0);
  }

  /**
   * {@link #requireFits(String, AvailableMemory, IntFunction, int, String)} for a process that
   * already holds {@code residentBytes} of the estimate (the loaded model's weights and the
   * runtime: {@link AvailableMemory} counts them as used already): what must still fit is the
   * total minus them.
   *
   * @throws InsufficientMemoryException if the rest does not fit
   */
  public static MemoryEstimate requireFits(
      String what, AvailableMemory available, IntFunction<MemoryEstimate> estimateFor,
      int microBatch, String knob, long residentBytes) {
    return requireFits(
        what, available, estimateFor, microBatch, knob, residentBytes, "LoRA",
        "use LoRA, freeze layers or shorten the sequences");
  }

  /**
   * {@link #requireFits(String, AvailableMemory, IntFunction, int, String, long)} with the advice
   * for a job that does not train: "use {@code knob}(m) or {@code alternative}" when a smaller
   * batch fits, else "even {@code knob}(1) does not fit: {@code lastResort}".
   *
   * @param alternative what else helps, e.g. "a smaller maxNewTokens"
   * @param lastResort what to do when not even one fits, e.g. "shorten maxNewTokens or the
   *     prompts"
   * @throws InsufficientMemoryException if the rest does not fit
   */
  public static MemoryEstimate requireFits(
      String what, AvailableMemory available, IntFunction<MemoryEstimate> estimateFor,
      int microBatch, String knob, long residentBytes, String alternative, String lastResort) {
    checkArgument(available != null, "available must not be null");
    checkArgument(estimateFor != null, "estimateFor must not be null");
    checkArgument(microBatch >= 1, "microBatch must be >= 1 but was %s", microBatch);
    checkArgument(residentBytes >= 0, "residentBytes must be >= 0 but was %s", residentBytes);
    MemoryEstimate estimate = estimateFor.apply(microBatch);
    long room = available.bytes();
    if (estimate.total() - residentBytes <= room) {
      return estimate;
    }
    int fits = 0;
    for (int m = microBatch - 1; m >= 1; m--) {
      if (estimateFor.apply(m).total() - residentBytes <= room) {
        fits = m;
        break;
      }
    }
    String advice = fits > 0
        ? "use " + knob + "(" + fits + ") or " + alternative
        : "even " + knob + "(1) does not fit: " + lastResort;
    String needs = residentBytes == 0
        ? "~" + MemoryEstimate.approx(estimate.total())
        : "~" + MemoryEstimate.approx(estimate.total() - residentBytes) + " more (~"
            + MemoryEstimate.approx(estimate.total()) + " in all, "
            + MemoryEstimate.gib(residentBytes) + " already loaded)";
    throw new InsufficientMemoryException(
        what + " needs " + needs + ", " + MemoryEstimate.approx(room) + " available ("
            + available.source() + "): " + advice + " [" + estimate.breakdown() + "]",
        estimate,
        room);
  }

  private long weights() {
    return (parameterCount(config) + additional) * weightBytes * (1L + referenceCopies);
  }

  private long perTokenPerLayer(int length) {
    long h = config.hiddenSize();
    long q = (long) config.numHeads() * config.headDim();
    long kv = (long) config.numKvHeads() * config.headDim();
    long inter = config.intermediateSize();
    return 7 * h + 6 * q + 4 * kv + 4 * inter + (long) config.numHeads() * length;
  }

  private int activationBytes() {
    return weightBytes;
  }

  /** float16 and bfloat16 logits are widened to float32 before the log-softmax. */
  private int logitBytes() {
    return Math.max(FLOAT32, weightBytes);
  }

  private static void checkShapes(int sequences, int length, long projected) {
    checkArgument(sequences >= 1, "sequences must be >= 1 but was %s", sequences);
    checkArgument(length >= 1, "length must be >= 1 but was %s", length);
    checkArgument(
        projected >= 0 && projected <= (long) sequences * length,
        "projectedPositions must be in [0, sequences * length = %s] but was %s",
        (long) sequences * length,
        projected);
  }

  /** Settings of a {@link MemoryEstimator}; each setter checks its range. */
  public static final class Builder {
    private final ModelConfig config;
    private DType weightType = DType.F32;
    private long trainable = -1;
    private long additional;
    private int optimizerBytes = 8;
    private int referenceCopies;
    private int vocabularyChunk = dev.rlhf4j.models.ModelOptions.DEFAULT_VOCABULARY_CHUNK;
    private Boolean headTrains;
    private long runtimeBytes = DEFAULT_RUNTIME_BYTES;
    private dev.rlhf4j.models.LoraConfig lora;

    private Builder(ModelConfig config) {
      this.config = config;
    }

    /** The type the weights (and activations) are held in; default F32. */
    public Builder weightType(DType type) {
      checkArgument(
          type != null && type.isFloatingPoint() && type.byteSize() >= 2,
          "weightType must be F16, BF16, F32 or F64 but was %s",
          type);
      this.weightType = type;
      return this;
    }

    /**
     * How many parameters train (get gradients and optimiser state); default all of them plus
     * the {@link #additionalParameters additional} ones. LoRA: the adapter's parameter count;
     * frozen layers: the count of what stays trainable; 0 for inference.
     */
    public Builder trainableParameters(long count) {
      checkArgument(count >= 0, "trainableParameters must be >= 0 but was %s", count);
      this.trainable = count;
      return this;
    }

    /** Parameters held besides the base model's, e.g. LoRA's A and B matrices; default 0. */
    public Builder additionalParameters(long count) {
      checkArgument(count >= 0, "additionalParameters must be >= 0 but was %s", count);
      this.additional = count;
      return this;
    }

    /** Optimiser state bytes per trainable parameter: AdamW 8 (default), SGD 0, momentum 4. */
    public Builder optimizerBytesPerParameter(int bytes) {
      checkArgument(
          bytes >= 0 && bytes <= 64, "optimizerBytesPerParameter must be in [0, 64] but was %s",
          bytes);
      this.optimizerBytes = bytes;
      return this;
    }

    /** Frozen copies of the base held besides it (a DPO reference model); default 0. */
    public Builder referenceCopies(int copies) {
      checkArgument(copies >= 0 && copies <= 8, "referenceCopies must be in [0, 8] but was %s",
          copies);
      this.referenceCopies = copies;
      return this;
    }

    /**
     * Positions projected onto the vocabulary at once, as {@link
     * dev.rlhf4j.models.ModelOptions#vocabularyChunk} sets them for the model; default {@link
     * dev.rlhf4j.models.ModelOptions#DEFAULT_VOCABULARY_CHUNK}.
     */
    public Builder vocabularyChunk(int positions) {
      checkArgument(positions >= 1, "vocabularyChunk must be >= 1 but was %s", positions);
      this.vocabularyChunk = positions;
      return this;
    }

    /**
     * Whether the LM head (or the embedding tied to it) trains, which adds one chunk's head
     * gradient to the vocabulary projection of a training step; default: whenever anything
     * trains ({@code builder(TransformerModel)} reads it off the model: false with LoRA).
     */
    public Builder headTrains(boolean value) {
      this.headTrains = value;
      return this;
    }

    /** The fixed allowance for the JVM and the native engine; default 256 MiB. */
    public Builder runtimeBytes(long bytes) {
      checkArgument(bytes >= 0, "runtimeBytes must be >= 0 but was %s", bytes);
      this.runtimeBytes = bytes;
      return this;
    }

    /**
     * The LoRA adapter a training step runs through, whose intermediates autograd keeps ({@link
     * dev.rlhf4j.models.LoraConfig#trainingActivationBytesPerToken}: small without dropout, one
     * copy of every adapted layer's input and its mask with it), or null for none (default).
     * {@code builder(TransformerModel)} reads it off the model. Its weights are counted by
     * {@link #additionalParameters}, what trains by {@link #trainableParameters}.
     */
    public Builder lora(dev.rlhf4j.models.LoraConfig config) {
      this.lora = config;
      return this;
    }

    /** The estimator. */
    public MemoryEstimator build() {
      long all = parameterCount(config) + additional;
      checkArgument(
          trainable <= all,
          "trainableParameters must be <= the model's %s parameters (plus additional ones) but"
              + " was %s",
          all,
          trainable);
      return new MemoryEstimator(this);
    }
  }
}
