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
import dev.rlhf4j.iterative.internal.LoopSpec;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Online iterative RLHF, Algorithm 1 of the paper (§3), over any engine that implements {@link
 * PolicyBackend}. For t = 1..T it takes the next slice of prompts, lets the {@link
 * ExplorationStrategy} sample from the current policy π_{t−1} and rank with the proxy (reward or
 * preference model) into preference pairs, trains a new policy π_t on every pair collected so far
 * (plus the offline pairs in hybrid mode), and evaluates π_t on held-out prompts.
 *
 * <pre>{@code
 * LoopResult result = IterativeLoop.builder()
 *     .policy(Path.of("models/sft"))                 // π0: also the reference by default
 *     .backend(backend)                               // samples and trains
 *     .rewardModel(rm)
 *     .prompts(PromptSource.jsonl(Path.of("prompts.jsonl")))
 *     .iterations(3).promptsPerIteration(20_000)
 *     .runDirectory(Path.of("runs/iter-dpo"))
 *     .listener(ProgressListener.console(System.out))
 *     .build()
 *     .run();
 * }</pre>
 *
 * <p>Every stage writes its hand-off files to the run directory (layout in {@link
 * dev.rlhf4j.iterative.run}); {@link #run()} on a directory holding an earlier, interrupted run of
 * the same settings resumes it and produces the same pairs and metrics. Random choices derive from
 * {@link Builder#seed(long)}.
 *
 * <p>{@link IterativeDpo#builder()} is this builder preset for the paper's recipe on the DJL
 * engine (so {@code backend(...)} is optional there); {@link #toBuilder()} starts a variant of a
 * configured loop.
 *
 * <p>Immutable; {@link #run()} may be called again (it then finds the run complete). Do not run
 * two loops on one directory at once. The loop does not close the backend or the models it is
 * given.
 */
public final class IterativeLoop {
  private final LoopSpec spec;

  private IterativeLoop(LoopSpec spec) {
    this.spec = spec;
  }

  /**
   * A builder with the paper's defaults and no backend: {@link Builder#backend} is required. For
   * the DJL engine preset, use {@link IterativeDpo#builder()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every setting of this loop (listeners included), to change some. */
  public Builder toBuilder() {
    return new Builder(spec);
  }

  /** The DPO config every iteration trains with (its seed replaced per iteration). */
  public DpoConfig dpo() {
    return spec.dpo();
  }

  /** The engine that samples and trains. */
  public PolicyBackend backend() {
    return spec.backend();
  }

  /**
   * Runs the loop, or resumes it from the last completed stage found in the run directory. Stages
   * found complete send no events; the result still holds every iteration.
   *
   * @return every iteration's metrics and the final policy's location
   * @throws IllegalArgumentException if the prompt source holds fewer than iterations × prompts
   *     per iteration prompts, or two used prompts share an id
   * @throws dev.rlhf4j.api.Rlhf4jException if the run directory records other settings (the
   *     message lists each difference with both values), or a stage fails; rerun to resume
   */
  public LoopResult run() {
    return new LoopRunner(spec).run();
  }

  /**
   * Builds an {@link IterativeLoop}. Required: {@link #policy}, {@link #backend} (preset by {@link
   * IterativeDpo#builder()}), {@link #rewardModel} or {@link #preferenceModel}, {@link #prompts},
   * {@link #promptsPerIteration} and {@link #runDirectory}. Setters check their own ranges; {@link
   * #build()} checks the rest. Not thread-safe.
   */
  public static final class Builder {
    private Path policy;
    private PolicyBackend backend;
    private RewardModel rewardModel;
    private PreferenceModel preferenceModel;
    private PromptSource prompts;
    private int iterations = 3;
    private int promptsPerIteration;
    private ExplorationStrategy exploration;
    private SamplingParams sampling = SamplingParams.builder().build();
    private int batchPrompts = 64;
    private ReferencePolicy reference = ReferencePolicy.INITIAL;
    private boolean warmStart = true;
    private List<PreferencePair> offlinePairs = List.of();
    private Evaluation evaluation;
    private long seed;
    private Path runDirectory;
    private DpoConfig dpo = DpoConfig.paperDefaults();
    private LoopDiagnostics diagnostics = LoopDiagnostics.defaults();
    private final List<ProgressListener> listeners = new ArrayList<>();

    private Builder() {}

    private Builder(LoopSpec spec) {
      policy = spec.initialPolicy();
      backend = spec.backend();
      rewardModel = spec.rewardModel().orElse(null);
      preferenceModel = spec.preferenceModel().orElse(null);
      prompts = spec.prompts();
      iterations = spec.iterations();
      promptsPerIteration = spec.promptsPerIteration();
      exploration = spec.exploration();
      sampling = spec.sampling();
      batchPrompts = spec.batchPrompts();
      reference = spec.reference();
      warmStart = spec.warmStart();
      offlinePairs = spec.offlinePairs();
      evaluation = spec.evaluation().orElse(null);
      seed = spec.seed();
      runDirectory = spec.runDirectory();
      dpo = spec.dpo();
      diagnostics = spec.diagnostics();
      listeners.addAll(spec.listeners());
    }

    /**
     * The SFT policy π0 the loop starts from, as a checkpoint directory the backend can load (for
     * the DJL backend, a Hugging Face directory). Required.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder policy(Path value) {
      checkArgument(value != null, "policy must not be null");
      policy = value;
      return this;
    }

    /**
     * The engine that samples and trains. Required for {@link IterativeLoop#builder()}; {@link
     * IterativeDpo#builder()} presets {@link dev.rlhf4j.iterative.djl.DjlDpoBackend#defaults()} (DJL with the PyTorch
     * engine), so there it is optional. The loop does not close it: whoever created it does.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder backend(PolicyBackend value) {
      checkArgument(value != null, "backend must not be null");
      backend = value;
      return this;
    }

    /**
     * The reward model the exploration ranks with ({@link
     * dev.rlhf4j.api.exploration.ExplorationContext#annotate}) and the default evaluation judges
     * by. A reward model or a preference model is required; the caller closes it.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder rewardModel(RewardModel value) {
      checkArgument(value != null, "rewardModel must not be null");
      rewardModel = value;
      return this;
    }

    /**
     * A pairwise preference model ({@link
     * dev.rlhf4j.api.exploration.ExplorationContext#preferenceModel()}). Without a reward model
     * the default exploration is {@link ExplorationStrategies#preferenceKnockout(int)} with n = 8,
     * and the default evaluation judges by it. The caller closes it.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder preferenceModel(PreferenceModel value) {
      checkArgument(value != null, "preferenceModel must not be null");
      preferenceModel = value;
      return this;
    }

    /**
     * The prompts; cut into disjoint per-iteration slices in source order (see {@link
     * PromptSource}). Required.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder prompts(PromptSource value) {
      checkArgument(value != null, "prompts must not be null");
      prompts = value;
      return this;
    }

    /**
     * The number of iterations T, ≥ 1. Default 3 (the paper's).
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder iterations(int value) {
      checkArgument(value >= 1, "iterations must be >= 1 but was %s", value);
      iterations = value;
      return this;
    }

    /**
     * Prompts per iteration, ≥ 1 (the paper: 20,000). Required.
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder promptsPerIteration(int value) {
      checkArgument(value >= 1, "promptsPerIteration must be >= 1 but was %s", value);
      promptsPerIteration = value;
      return this;
    }

    /**
     * How pairs are collected. Default {@link ExplorationStrategies#rejectionSampling(int)} with n
     * = 8 (the paper's), or preference knockout with n = 8 when only a preference model is given.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder exploration(ExplorationStrategy value) {
      checkArgument(value != null, "exploration must not be null");
      exploration = value;
      return this;
    }

    /**
     * How the exploration samples. Default temperature 1, top-p 1 (the paper's), 256 new tokens.
     * Its seed is ignored: each iteration samples with a seed derived from {@link #seed(long)}.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder sampling(SamplingParams value) {
      checkArgument(value != null, "sampling must not be null");
      sampling = value;
      return this;
    }

    /**
     * The most prompts the loop hands to one sampler or reward-model call, ≥ 1; larger calls of the
     * strategy are split, with a progress event after each part. Samplers and reward models score
     * each item independently of its batch, so this changes speed and progress granularity, not
     * results; it is recorded with the run's settings all the same, as padding may move the last
     * digits of a reward. Default 64.
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder batchPrompts(int value) {
      checkArgument(value >= 1, "batchPrompts must be >= 1 but was %s", value);
      batchPrompts = value;
      return this;
    }

    /**
     * The DPO reference policy. Default {@link ReferencePolicy#INITIAL} (π0, the paper's choice).
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder reference(ReferencePolicy value) {
      checkArgument(value != null, "reference must not be null");
      reference = value;
      return this;
    }

    /**
     * Whether iteration t starts training from π_{t−1} (true, the default and the paper's choice)
     * or from π0.
     */
    public Builder warmStart(boolean value) {
      warmStart = value;
      return this;
    }

    /**
     * Hybrid mode (paper §3.2): offline pairs trained on in every iteration together with the
     * online pairs collected so far. Default none.
     *
     * @throws IllegalArgumentException if value is null or holds null
     */
    public Builder offlinePairs(List<PreferencePair> value) {
      checkArgument(value != null, "offlinePairs must not be null");
      offlinePairs = List.copyOf(value);
      return this;
    }

    /**
     * The held-out evaluation after each iteration (and of π0 before the first). Default none.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder evaluation(Evaluation value) {
      checkArgument(value != null, "evaluation must not be null");
      evaluation = value;
      return this;
    }

    /** The root of every random choice of the run. Default 0. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /**
     * Where the run's files go; created if missing. Required.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder runDirectory(Path value) {
      checkArgument(value != null, "runDirectory must not be null");
      runDirectory = value;
      return this;
    }

    /**
     * Adds a listener of progress events. A listener that throws is logged and ignored.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder listener(ProgressListener value) {
      checkArgument(value != null, "listener must not be null");
      listeners.add(value);
      return this;
    }

    /**
     * The DPO config of every iteration's training: the same {@link DpoConfig} a stand-alone
     * {@link dev.rlhf4j.iterative.train.DpoTrainer} takes (any loss of the family, RPO, label smoothing, reference scoring,
     * truncation, the whole optimisation). Default {@link DpoConfig#paperDefaults()} (β 0.1, lr
     * 5e-7, cosine with 3% warm-up, 2 epochs, global batch 128). Its seed is replaced by one
     * derived from {@link #seed} and the iteration. Recorded in {@code run.json}: resuming with
     * another config is an error. With {@code checkpointEvery} set, a crash during an iteration's
     * training resumes that training from its last checkpoint. With {@link DpoConfig#lora()} set,
     * every iteration trains a LoRA adapter and its checkpoint is a PEFT adapter directory
     * pointing at π0 (the DJL backend: {@link dev.rlhf4j.iterative.djl.DjlDpoBackend}).
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder dpo(DpoConfig value) {
      checkArgument(value != null, "dpo must not be null");
      dpo = value;
      return this;
    }

    /**
     * How the per-iteration diagnostics ({@code pairs/*}, {@code proxy/*}, {@code policy/*}
     * metrics: proxy margins and near-ties, lengths, how far training moved the policy, KL
     * estimates from π0 and the previous policy) are computed; see {@link LoopDiagnostics}.
     * Default {@link LoopDiagnostics#defaults()}. Not recorded in {@code run.json}: diagnostics
     * change no pair and no policy.
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder diagnostics(LoopDiagnostics value) {
      checkArgument(value != null, "diagnostics must not be null");
      diagnostics = value;
      return this;
    }

    /**
     * @throws IllegalStateException if a required setting is missing
     */
    public IterativeLoop build() {
      checkState(policy != null, "policy(...) is required: the SFT policy π0");
      checkState(
          backend != null,
          "backend(...) is required: the engine that samples and trains; IterativeDpo.builder()"
              + " presets the DJL one");
      checkState(
          rewardModel != null || preferenceModel != null,
          "rewardModel(...) or preferenceModel(...) is required: the proxy that ranks responses");
      checkState(prompts != null, "prompts(...) is required");
      checkState(promptsPerIteration >= 1, "promptsPerIteration(...) is required");
      checkState(runDirectory != null, "runDirectory(...) is required");
      ExplorationStrategy strategy = exploration;
      if (strategy == null) {
        strategy =
            rewardModel != null
                ? ExplorationStrategies.rejectionSampling(8)
                : ExplorationStrategies.preferenceKnockout(8);
      }
      return new IterativeLoop(new LoopSpec(
              policy,
              backend,
              Optional.ofNullable(rewardModel),
              Optional.ofNullable(preferenceModel),
              prompts,
              iterations,
              promptsPerIteration,
              strategy,
              sampling,
              batchPrompts,
              reference,
              warmStart,
              offlinePairs,
              Optional.ofNullable(evaluation),
              seed,
              runDirectory,
              listeners,
              dpo,
              diagnostics));
    }
  }
}
