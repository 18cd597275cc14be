package dev.rlhf4j.training;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.training.optim.LearningRateSchedule;
import dev.rlhf4j.training.optim.ParameterGroups;

/**
 * How a trainer optimises: the one record of optimisation settings every trainer ({@code
 * SftTrainer}, {@code DpoTrainer}, {@code RewardTrainer}, {@code PreferenceTrainer}) hands to the
 * one {@link TrainingLoop}. Each field is declared, checked and documented here only; the trainers'
 * configuration builders inherit its setters from {@link OptimizationBuilder} and differ only in
 * their defaults (each trainer's documentation names them and their source).
 *
 * <p>One optimizer step uses {@code globalBatchSize} examples, split into micro-batches of {@code
 * microBatchSize} whose gradients are accumulated (each weighted by its share, so the update does
 * not depend on the split); the gradients are clipped to {@code maxGradNorm} by global norm and
 * AdamW updates the parameters with the learning rate of {@code schedule} at that step.
 *
 * <p>Immutable and thread-safe. {@link #builder()} starts from {@link #defaults()}; {@link
 * #toBuilder()} from an existing record.
 *
 * @param learningRate the peak learning rate, finite and &gt; 0
 * @param schedule the learning-rate schedule after the warm-up
 * @param warmupRatio the fraction of all steps spent warming up linearly from 0, in [0, 1]
 *     (the Hugging Face Trainer's {@code warmup_ratio}; the warm-up is {@code ceil(steps · ratio)}
 *     steps)
 * @param epochs passes over the examples, ≥ 1
 * @param microBatchSize examples per forward/backward pass, ≥ 1
 * @param globalBatchSize examples per optimizer step, a multiple of {@code microBatchSize}
 * @param maxGradNorm the global gradient norm to clip to, &gt; 0; {@code +∞} only measures it
 * @param weightDecay AdamW's decoupled weight decay, finite and ≥ 0
 * @param parameterGroups which parameters are exempt from weight decay (default: norms, biases
 *     and embeddings, {@link ParameterGroups#defaults()})
 * @param seed the seed of every random choice of the loop (each epoch's order of the examples)
 * @param checkpointEvery optimizer steps between mid-training checkpoints, ≥ 0; 0 writes none. A
 *     trainer writes them only when it has a checkpoint directory, and resumes from the last one
 *     found there.
 */
public record Optimization(
    double learningRate,
    Schedule schedule,
    double warmupRatio,
    int epochs,
    int microBatchSize,
    int globalBatchSize,
    double maxGradNorm,
    double weightDecay,
    ParameterGroups parameterGroups,
    long seed,
    int checkpointEvery) {

  /** The default no-decay rule, one instance so that records compare equal. */
  public static final ParameterGroups DEFAULT_GROUPS = ParameterGroups.defaults();

  /** The shape of the learning rate after the linear warm-up. */
  public enum Schedule {
    /** Half a cosine down to 0 at the last step (the paper's and TRL's {@code "cosine"}). */
    COSINE,
    /** A straight line down to 0 at the last step (the Hugging Face Trainer's default). */
    LINEAR,
    /** The peak rate until the end. */
    CONSTANT;

    /** This schedule over {@code totalSteps} steps. */
    public LearningRateSchedule over(double peak, long totalSteps, double warmupRatio) {
      return switch (this) {
        case COSINE -> LearningRateSchedule.warmupCosine(peak, totalSteps, warmupRatio);
        case LINEAR -> LearningRateSchedule.linear(peak, totalSteps, warmupRatio);
        case CONSTANT ->
            warmupRatio == 0
                ? LearningRateSchedule.constant(peak)
                : constantAfterWarmup(
                    peak, LearningRateSchedule.warmupSteps(totalSteps, warmupRatio));
      };
    }

    private static LearningRateSchedule constantAfterWarmup(double peak, long warmup) {
      return step -> {
        checkArgument(step >= 0, "step must be >= 0 but was %s", step);
        return step < warmup ? peak * step / warmup : peak;
      };
    }
  }

  /**
   * Checks every field and the combinations.
   *
   * @throws IllegalArgumentException if a field is outside the range its parameter documents, or
   *     {@code globalBatchSize} is not a multiple of {@code microBatchSize} (the message names the
   *     nearest valid values)
   */
  public Optimization {
    checkLearningRate(learningRate);
    checkArgument(schedule != null, "schedule must not be null");
    checkWarmupRatio(warmupRatio);
    checkPositive("epochs", epochs);
    checkPositive("microBatchSize", microBatchSize);
    checkPositive("globalBatchSize", globalBatchSize);
    checkArgument(
        microBatchSize <= globalBatchSize && globalBatchSize % microBatchSize == 0,
        "globalBatchSize must be a multiple of microBatchSize, but %s is not a multiple of %s;"
            + " set globalBatchSize to %s or %s",
        globalBatchSize,
        microBatchSize,
        Math.max(microBatchSize, globalBatchSize / microBatchSize * microBatchSize),
        (globalBatchSize / microBatchSize + 1) * microBatchSize);
    checkMaxGradNorm(maxGradNorm);
    checkWeightDecay(weightDecay);
    checkArgument(parameterGroups != null, "parameterGroups must not be null");
    checkCheckpointEvery(checkpointEvery);
  }

  /**
   * Neutral defaults, which each trainer replaces with its own: learning rate 1e-5, cosine after a
   * 0.03 warm-up, 1 epoch, micro-batch 8, global batch 32, clipping at 1.0 (the Hugging Face
   * Trainer's {@code max_grad_norm}), no weight decay, the default parameter groups, seed 42 (the
   * Hugging Face Trainer's), no checkpoints.
   */
  public static Optimization defaults() {
    return new Optimization(
        1e-5, Schedule.COSINE, 0.03, 1, 8, 32, 1.0, 0, DEFAULT_GROUPS, 42, 0);
  }

  /** A builder holding {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** A builder holding this record's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Micro-batches per optimizer step: {@code globalBatchSize / microBatchSize}. */
  public int accumulationSteps() {
    return globalBatchSize / microBatchSize;
  }

  /** Optimizer steps of one epoch over {@code examples} examples: {@code ceil(n / global)}. */
  public int stepsPerEpoch(int examples) {
    return (examples + globalBatchSize - 1) / globalBatchSize;
  }

  /** Optimizer steps of the whole run over {@code examples} examples. */
  public long totalSteps(int examples) {
    return (long) stepsPerEpoch(examples) * epochs;
  }

  /** The learning-rate schedule of a run over {@code examples} examples. */
  public LearningRateSchedule scheduleFor(int examples) {
    return schedule.over(learningRate, totalSteps(examples), warmupRatio);
  }

  @Override
  public String toString() {
    return "Optimization[learningRate=" + learningRate + ", schedule=" + schedule
        + ", warmupRatio=" + warmupRatio + ", epochs=" + epochs + ", microBatchSize="
        + microBatchSize + ", globalBatchSize=" + globalBatchSize + ", maxGradNorm="
        + maxGradNorm + ", weightDecay=" + weightDecay + ", parameterGroups="
        + (parameterGroups == DEFAULT_GROUPS ? "default" : parameterGroups.getClass().getName())
        + ", seed=" + seed + ", checkpointEvery=" + checkpointEvery + "]";
  }

  static void checkLearningRate(double value) {
    checkArgument(
        value > 0 && Double.isFinite(value), "learningRate must be finite and > 0 but was %s",
        value);
  }

  static void checkWarmupRatio(double value) {
    checkArgument(value >= 0 && value <= 1, "warmupRatio must be in [0, 1] but was %s", value);
  }

  static void checkPositive(String name, int value) {
    checkArgument(value >= 1, "%s must be >= 1 but was %s", name, value);
  }

  static void checkMaxGradNorm(double value) {
    checkArgument(
        value > 0,
        "maxGradNorm must be > 0 (Double.POSITIVE_INFINITY to measure without clipping) but was"
            + " %s",
        value);
  }

  static void checkWeightDecay(double value) {
    checkArgument(
        value >= 0 && Double.isFinite(value), "weightDecay must be finite and >= 0 but was %s",
        value);
  }

  static void checkCheckpointEvery(int value) {
    checkArgument(
        value >= 0, "checkpointEvery must be >= 0 steps (0: no checkpoints) but was %s", value);
  }

  /** The builder of an {@link Optimization} on its own. Not thread-safe. */
  public static final class Builder extends OptimizationBuilder<Builder> {
    private Builder(Optimization from) {
      super(from);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The record.
     *
     * @throws IllegalArgumentException if the combination is invalid (see {@link Optimization})
     */
    public Optimization build() {
      return optimization();
    }
  }
}
