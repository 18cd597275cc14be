package dev.rlhf4j.iterative.djl;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.PolicyBackend;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.iterative.TrainRequest;
import dev.rlhf4j.iterative.TrainedPolicy;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.train.DpoTrainer;
import dev.rlhf4j.iterative.train.TrainingResult;
import dev.rlhf4j.iterative.train.internal.CompletionBatch;
import dev.rlhf4j.iterative.train.internal.LogProbs;
import dev.rlhf4j.iterative.train.internal.PolicyTrainable;
import dev.rlhf4j.iterative.train.internal.TokenizedSequence;
import dev.rlhf4j.losses.SequenceLogProbs;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.PeftAdapter;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.models.tokenizer.PromptResponseIds;
import dev.rlhf4j.sampling.generate.Generator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The DJL (PyTorch) {@link PolicyBackend}, the default of {@link
 * dev.rlhf4j.iterative.IterativeDpo#builder()}: policies are Hugging Face checkpoint directories holding a
 * causal LM and its tokenizer files (chat template included), as {@link CausalLm#load} and {@link
 * HfTokenizer#load} read them.
 *
 * <pre>{@code
 * LoopResult result = IterativeDpo.builder()
 *     .policy(Path.of("models/sft"))                      // π0: an HF directory
 *     .backend(DjlDpoBackend.builder().maxBatchRows(32).build())   // optional: default 64 rows
 *     .rewardModel(rm)
 *     .prompts(PromptSource.jsonl(Path.of("prompts.jsonl")))
 *     .promptsPerIteration(20_000)
 *     .runDirectory(Path.of("runs/iter-dpo"))
 *     .build()
 *     .run();
 * }</pre>
 *
 * <p><b>Sampling.</b> {@link PolicyBackend#sampler(Path)} loads the checkpoint's model and
 * tokenizer and samples with a {@link Generator} ({@link Builder#maxBatchRows} rows per decoding
 * batch); closing the sampler closes both. An adapter checkpoint is merged into its base once, at
 * load ({@link CausalLm#loadFrozen}): decoding then costs what the base costs, which measured
 * faster than running the adapter's two extra products per layer and token. Its {@link
 * PolicySampler#logProbs} scores responses with the same model (the loop's KL estimates).
 *
 * <p><b>Training.</b> {@link PolicyBackend#train(TrainRequest)} loads the policy from {@link
 * TrainRequest#initialCheckpoint()} and, when it is another directory, the reference from {@link
 * TrainRequest#referenceCheckpoint()} (otherwise the policy's own starting weights are the
 * reference), runs {@link DpoTrainer} with {@link TrainRequest#dpo()}, the request's
 * listener and its {@link TrainRequest#checkpointDirectory()} (so that a crash mid-training
 * resumes mid-training when the config's {@code checkpointEvery} is set), and returns the trained
 * policy, which {@link TrainedPolicy#save} writes with the starting checkpoint's tokenizer files
 * (the loop's CHECKPOINT stage); closing it frees the weights. It reports the last optimizer step's TRL metrics
 * ({@code loss}, {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/margins}, {@code
 * rewards/accuracies}, {@code logps/chosen}, {@code logps/rejected}, {@code grad_norm}), {@code
 * train_loss} (the mean loss over all steps, as the Hugging Face Trainer reports it) and {@code
 * steps}; never a timing, so a resumed run reproduces them.
 *
 * <p><b>LoRA.</b> With {@code DpoConfig.lora(...)} in the loop's config, each iteration trains
 * an adapter and its checkpoint is a PEFT adapter directory ({@code adapter_config.json} whose
 * {@code base_model_name_or_path} names π0's directory, {@code adapter_model.safetensors}, the
 * tokenizer files). Iteration 1 adds a fresh adapter to π0; under warm start iteration t loads π0
 * with iteration t−1's adapter attached and trains it on. With the reference π0 (the loop's
 * default) no reference model is loaded: the reference is the base with the adapter switched off.
 *
 * <p><b>Settings.</b> Training takes everything from the request's {@link DpoConfig} (the loop's,
 * with a seed derived from the run's seed and the iteration). This builder sets only how sampling
 * batches. {@link PolicyBackend#settings()} records the
 * engine and the batching in {@code run.json}; the loop records the config itself.
 *
 * <p>Immutable and holds no native memory between calls (so closing it does nothing); used by one
 * loop from one thread (DJL allows one training run per process at a time).
 */
public final class DjlDpoBackend implements PolicyBackend {
  private final int maxBatchRows;

  private DjlDpoBackend(Builder b) {
    this.maxBatchRows = b.maxBatchRows;
  }

  /** A builder with the defaults: 64 rows per decoding batch. */
  public static Builder builder() {
    return new Builder();
  }

  /** The backend with every default setting. */
  public static DjlDpoBackend defaults() {
    return builder().build();
  }

  @Override
  public String toString() {
    return "DjlDpoBackend[maxBatchRows=" + maxBatchRows + "]";
  }

  @Override
  public PolicySampler sampler(Path checkpoint) {
    checkArgument(checkpoint != null, "checkpoint must not be null");
    return new GeneratorSampler(checkpoint, maxBatchRows);
  }

  @Override
  public TrainedPolicy train(TrainRequest request) {
    checkArgument(request != null, "request must not be null");
    Path init = request.initialCheckpoint();
    // an adapter checkpoint loads as its base with the adapter attached (warm start)
    CausalLm policy = CausalLm.load(init);
    TrainingResult result;
    try (HfTokenizer tokenizer = HfTokenizer.load(init);
        CausalLm reference = openReference(request, policy)) {
      DpoTrainer.Builder trainer =
          DpoTrainer.builder(policy, tokenizer)
              .config(request.dpo())
              .iteration(request.iteration())
              .checkpointDirectory(request.checkpointDirectory())
              .listener(request.listener());
      if (reference != null) {
        trainer.reference(reference);
      }
      result = trainer.build().train(request.pairs());
    } catch (RuntimeException | Error e) {
      policy.close();
      throw e;
    }
    return new Trained(policy, init, metrics(result));
  }

  /**
   * The reference as a model of its own, loaded frozen (no gradient arrays; an adapter directory
   * merged into its base), or null when the policy provides it: without LoRA when training starts
   * from the reference's weights (the trainer scores with a frozen copy of the policy); with LoRA
   * when the reference is the policy's base (the adapter switched off: π0 at every iteration
   * under {@code ReferencePolicy.INITIAL}). Any other reference (e.g. an adapter directory under
   * {@code PREVIOUS}) loads frozen, merged.
   */
  static CausalLm openReference(TrainRequest request, CausalLm policy) {
    Path reference = request.referenceCheckpoint();
    boolean lora = policy.loraConfig().isPresent() || request.dpo().lora().isPresent();
    Path providedByPolicy =
        lora ? policy.origin().orElse(request.initialCheckpoint()) : request.initialCheckpoint();
    return sameDirectory(providedByPolicy, reference) ? null : CausalLm.loadFrozen(reference);
  }

  /** A trained DJL policy; owns the model until closed. */
  private static final class Trained implements TrainedPolicy {
    private final CausalLm policy;
    private final Path start;
    private final Map<String, Double> metrics;

    Trained(CausalLm policy, Path start, Map<String, Double> metrics) {
      this.policy = policy;
      this.start = start;
      this.metrics = Map.copyOf(metrics);
    }

    @Override
    public Map<String, Double> metrics() {
      return metrics;
    }

    @Override
    public void save(Path directory) {
      if (policy.loraConfig().isPresent()) {
        PeftAdapter.save(policy, directory);
        PolicyTrainable.copyTokenizerFiles(start, directory);
      } else {
        policy.save(directory);
      }
    }

    @Override
    public void close() {
      policy.close();
    }
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("engine", "djl");
    out.put("maxBatchRows", Integer.toString(maxBatchRows));
    return out;
  }

  private static final List<String> TRL_METRICS =
      List.of(
          "loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies",
          "logps/chosen", "logps/rejected", "nll_loss", "grad_norm");

  private static Map<String, Double> metrics(TrainingResult result) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String name : TRL_METRICS) {
      double value = result.last(name);
      if (Double.isFinite(value)) {
        out.put(name, value);
      }
    }
    double trainLoss = result.mean("loss");
    if (Double.isFinite(trainLoss)) {
      out.put("train_loss", trainLoss);
    }
    out.put("steps", (double) result.steps());
    return out;
  }

  private static boolean sameDirectory(Path a, Path b) {
    if (a.equals(b)) {
      return true;
    }
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot compare checkpoint directories " + a + " and " + b, e);
    }
  }

  /** A generator over a model and tokenizer it loaded and owns. */
  static final class GeneratorSampler implements PolicySampler {
    private final CausalLm model;
    private final HfTokenizer tokenizer;
    private final Generator generator;
    private final int maxBatchRows;
    private final AtomicBoolean closed = new AtomicBoolean();

    GeneratorSampler(Path checkpoint, int maxBatchRows) {
      CausalLm loaded = CausalLm.loadFrozen(checkpoint); // sampling only: no autograd state
      try {
        this.tokenizer = HfTokenizer.load(checkpoint);
      } catch (RuntimeException e) {
        loaded.close();
        throw e;
      }
      this.model = loaded;
      this.generator = Generator.builder(model, tokenizer).maxBatchRows(maxBatchRows).build();
      this.maxBatchRows = maxBatchRows;
    }

    /** The model it samples from. */
    CausalLm model() {
      return model;
    }

    @Override
    public List<GeneratedSample> sample(List<Prompt> prompts, int n, SamplingParams params) {
      checkState(!closed.get(), "the sampler is closed");
      return generator.sample(prompts, n, params);
    }

    /**
     * Encodes each response after its prompt as the DPO trainer does ({@link
     * HfTokenizer#encodePromptResponse}, the EOS appended when the response stopped, nothing cut)
     * and sums the model's log-probabilities of the response tokens, {@code maxBatchRows}
     * sequences per forward pass. A response that encodes to no token scores 0.
     */
    @Override
    public Optional<double[]> logProbs(List<GeneratedSample> samples) {
      checkState(!closed.get(), "the sampler is closed");
      checkArgument(samples != null, "samples must not be null");
      List<TokenizedSequence> rows = new ArrayList<>();
      List<Integer> slots = new ArrayList<>();
      int index = 0;
      for (GeneratedSample s : samples) {
        for (Completion c : s.responses()) {
          PromptResponseIds ids =
              tokenizer.encodePromptResponse(
                  s.prompt().messages(), c.text(), c.finishReason() == FinishReason.STOP);
          if (ids.responseLength() > 0 && ids.responseStart() > 0) {
            rows.add(new TokenizedSequence(ids.ids(), ids.responseStart()));
            slots.add(index);
          }
          index++;
        }
      }
      double[] out = new double[index];
      try (NDManager manager = NDManager.newBaseManager(model.options().device())) {
        for (int from = 0; from < rows.size(); from += maxBatchRows) {
          int to = Math.min(rows.size(), from + maxBatchRows);
          try (NDManager scope = manager.newSubManager()) {
            CompletionBatch batch = CompletionBatch.of(scope, rows.subList(from, to));
            double[] sums;
            try (SequenceLogProbs logProbs = LogProbs.completion(model, batch)) {
              NDArray summed = logProbs.sum().toType(DataType.FLOAT64, false);
              summed.attach(scope);
              sums = summed.toDoubleArray();
            }
            for (int i = 0; i < sums.length; i++) {
              out[slots.get(from + i)] = sums[i];
            }
          }
        }
      }
      return Optional.of(out);
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        try {
          model.close();
        } finally {
          tokenizer.close();
        }
      }
    }
  }

  /** Settings of a {@link DjlDpoBackend}; each setter checks its range. Not thread-safe. */
  public static final class Builder {
    private int maxBatchRows = 64;

    private Builder() {}

    /**
     * The most responses decoded together when sampling (default 64).
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder maxBatchRows(int value) {
      checkArgument(value >= 1, "maxBatchRows must be >= 1 but was %s", value);
      maxBatchRows = value;
      return this;
    }

    /** The backend. */
    public DjlDpoBackend build() {
      return new DjlDpoBackend(this);
    }
  }
}
