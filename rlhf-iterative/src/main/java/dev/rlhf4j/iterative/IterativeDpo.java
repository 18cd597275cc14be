package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.iterative.internal.LoopRunner;
import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import dev.rlhf4j.iterative.internal.LoopSpec;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.train.DpoTrainer;
import java.nio.file.Path;
import java.util.List;

/**
 * Online iterative DPO, the paper's recipe (§3.3): an {@link IterativeLoop} whose training step is
 * DPO with a {@link DpoConfig} (the same a stand-alone {@link DpoTrainer} takes: any loss of the
 * family, RPO, label smoothing, reference scoring, truncation, the whole optimisation; default
 * {@link DpoConfig#paperDefaults()}), π0 as the reference and warm starts from the last
 * iteration, rejection sampling with n = 8 at temperature 1, on the DJL backend unless another
 * is given.
 *
 * <pre>{@code
 * LoopResult result = IterativeDpo.builder()
 *     .policy(Path.of("models/sft"))
 *     .rewardModel(rm)
 *     .prompts(PromptSource.jsonl(Path.of("prompts.jsonl")))
 *     .iterations(3).promptsPerIteration(20_000)
 *     .dpo(DpoConfig.builder().loss(PreferenceLoss.ipo(0.1)).learningRate(5e-7).build())
 *     .runDirectory(Path.of("runs/iter-dpo"))
 *     .listener(ProgressListener.console(System.out))
 *     .build()
 *     .run();
 * }</pre>
 *
 * <p>The DPO config is recorded in the run directory with the loop's: resuming with other
 * settings is an error. With {@code checkpointEvery} set in the config, a crash during an
 * iteration's training resumes that training from its last checkpoint. Immutable.
 */
public final class IterativeDpo {
  private final LoopSpec loop;
  private final DpoBackend backend;
  private final DpoConfig dpo;

  private IterativeDpo(LoopSpec loop, DpoBackend backend, DpoConfig dpo) {
    this.loop = loop;
    this.backend = backend;
    this.dpo = dpo;
  }

  /** A builder with the paper's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The DPO config of this run. */
  public DpoConfig dpo() {
    return dpo;
  }

  /**
   * Opens a backend for the DPO settings, runs (or resumes) the loop, and closes the backend.
   *
   * @throws IllegalArgumentException as {@link IterativeLoop#run()}
   * @throws dev.rlhf4j.api.Rlhf4jException as {@link IterativeLoop#run()}, or if the backend
   *     returns null
   */
  public LoopResult run() {
    try (PolicyBackend opened = backend.open(dpo)) {
      if (opened == null) {
        throw new dev.rlhf4j.api.Rlhf4jException(
            backend.getClass().getName() + ".open returned null");
      }
      return new LoopRunner(loop.withBackend(opened)).run();
    }
  }

  /**
   * Builds an {@link IterativeDpo}. Required: {@link #policy}, {@link
   * #rewardModel} or {@link #preferenceModel}, {@link #prompts}, {@link #promptsPerIteration},
   * {@link #runDirectory}. The other settings are those of {@link IterativeLoop.Builder}, with the
   * same defaults. Not thread-safe.
   */
  public static final class Builder {
    private final IterativeLoop.Builder loop = IterativeLoop.builder();
    private DpoBackend backend = DjlDpoBackend.defaults();
    private DpoConfig dpo = DpoConfig.paperDefaults();
    private boolean policySet;

    private Builder() {}

    /**
     * The SFT policy π0 as a checkpoint directory. Required.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder policy(Path value) {
      loop.initialPolicy(value);
      policySet = true;
      return this;
    }

    /**
     * Opens the engine that samples and trains with DPO; default {@link
     * DjlDpoBackend#defaults()} (DJL with the PyTorch engine).
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder backend(DpoBackend value) {
      checkArgument(value != null, "backend must not be null");
      backend = value;
      return this;
    }

    /**
     * See {@link IterativeLoop.Builder#rewardModel}.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder rewardModel(RewardModel value) {
      loop.rewardModel(value);
      return this;
    }

    /**
     * See {@link IterativeLoop.Builder#preferenceModel}.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder preferenceModel(PreferenceModel value) {
      loop.preferenceModel(value);
      return this;
    }

    /**
     * See {@link IterativeLoop.Builder#prompts}.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder prompts(PromptSource value) {
      loop.prompts(value);
      return this;
    }

    /**
     * Iterations, ≥ 1; default 3.
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder iterations(int value) {
      loop.iterations(value);
      return this;
    }

    /**
     * Prompts per iteration, ≥ 1. Required.
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder promptsPerIteration(int value) {
      loop.promptsPerIteration(value);
      return this;
    }

    /**
     * See {@link IterativeLoop.Builder#exploration}; default rejection sampling, n = 8.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder exploration(ExplorationStrategy value) {
      loop.exploration(value);
      return this;
    }

    /**
     * See {@link IterativeLoop.Builder#sampling}; default temperature 1.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder sampling(SamplingParams value) {
      loop.sampling(value);
      return this;
    }

    /**
     * See {@link IterativeLoop.Builder#batchPrompts}; default 64.
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder batchPrompts(int value) {
      loop.batchPrompts(value);
      return this;
    }

    /**
     * The DPO reference; default {@link ReferenceMode#INITIAL}.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder reference(ReferenceMode value) {
      loop.reference(value);
      return this;
    }

    /** Start each iteration from the last one's weights (default true) or from π0. */
    public Builder warmStart(boolean value) {
      loop.warmStart(value);
      return this;
    }

    /**
     * Hybrid mode: offline pairs trained on in every iteration. Default none.
     *
     * @throws IllegalArgumentException if value is null or holds null
     */
    public Builder offlinePairs(List<PreferencePair> value) {
      loop.offlinePairs(value);
      return this;
    }

    /**
     * The DPO config of every iteration's training; default {@link DpoConfig#paperDefaults()}.
     * Its seed is replaced by one derived from {@link #seed} and the iteration.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder dpo(DpoConfig value) {
      checkArgument(value != null, "dpo must not be null");
      dpo = value;
      return this;
    }

    /**
     * The held-out evaluation. Default none.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder evaluation(Evaluation value) {
      loop.evaluation(value);
      return this;
    }

    /** The root seed; default 0. */
    public Builder seed(long value) {
      loop.seed(value);
      return this;
    }

    /**
     * Where the run's files go. Required.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder runDirectory(Path value) {
      loop.runDirectory(value);
      return this;
    }

    /**
     * Adds a listener; one that throws is logged and ignored.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder listener(ProgressListener value) {
      loop.listener(value);
      return this;
    }

    /**
     * @throws IllegalStateException if a required setting is missing
     */
    public IterativeDpo build() {
      checkState(policySet, "policy(...) is required: the SFT policy π0");
      loop.recordSetting("dpo", dpo.toString());
      return new IterativeDpo(loop.spec(), backend, dpo);
    }
  }
}
