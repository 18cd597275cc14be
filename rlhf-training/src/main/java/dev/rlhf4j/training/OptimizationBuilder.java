package dev.rlhf4j.training;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.training.optim.ParameterGroups;

/**
 * The setters of an {@link Optimization}, written once and inherited by every builder that
 * configures a trainer ({@code SftConfig.Builder}, {@code DpoConfig.Builder}, {@code
 * RewardTrainer.Builder}, {@code PreferenceTrainer.Builder}), so that {@code
 * DpoConfig.builder().learningRate(5e-7).epochs(2)} and {@code
 * RewardTrainer.builder(...).learningRate(1e-5)} are the same method with the same check. Each
 * setter checks its own value; {@link #optimization()} checks the combinations. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class OptimizationBuilder<B extends OptimizationBuilder<B>> {
  private double learningRate;
  private Optimization.Schedule schedule;
  private double warmupRatio;
  private int epochs;
  private int microBatchSize;
  private int globalBatchSize;
  private double maxGradNorm;
  private double weightDecay;
  private ParameterGroups parameterGroups;
  private long seed;
  private int checkpointEvery;

  /** A builder starting from {@code defaults} (the trainer's). */
  protected OptimizationBuilder(Optimization defaults) {
    optimization(defaults);
  }

  /** This builder, as its concrete type. */
  protected abstract B self();

  /**
   * Replaces every optimisation setting with {@code value}'s.
   *
   * @throws IllegalArgumentException if it is null
   */
  public B optimization(Optimization value) {
    checkArgument(value != null, "optimization must not be null");
    learningRate = value.learningRate();
    schedule = value.schedule();
    warmupRatio = value.warmupRatio();
    epochs = value.epochs();
    microBatchSize = value.microBatchSize();
    globalBatchSize = value.globalBatchSize();
    maxGradNorm = value.maxGradNorm();
    weightDecay = value.weightDecay();
    parameterGroups = value.parameterGroups();
    seed = value.seed();
    checkpointEvery = value.checkpointEvery();
    return self();
  }

  /**
   * See {@link Optimization#learningRate()}.
   *
   * @throws IllegalArgumentException if not finite and &gt; 0
   */
  public B learningRate(double value) {
    Optimization.checkLearningRate(value);
    learningRate = value;
    return self();
  }

  /**
   * See {@link Optimization#schedule()}.
   *
   * @throws IllegalArgumentException if null
   */
  public B schedule(Optimization.Schedule value) {
    checkArgument(value != null, "schedule must not be null");
    schedule = value;
    return self();
  }

  /**
   * See {@link Optimization#warmupRatio()}.
   *
   * @throws IllegalArgumentException if outside [0, 1]
   */
  public B warmupRatio(double value) {
    Optimization.checkWarmupRatio(value);
    warmupRatio = value;
    return self();
  }

  /**
   * See {@link Optimization#epochs()}.
   *
   * @throws IllegalArgumentException if below 1
   */
  public B epochs(int value) {
    Optimization.checkPositive("epochs", value);
    epochs = value;
    return self();
  }

  /**
   * See {@link Optimization#microBatchSize()}.
   *
   * @throws IllegalArgumentException if below 1
   */
  public B microBatchSize(int value) {
    Optimization.checkPositive("microBatchSize", value);
    microBatchSize = value;
    return self();
  }

  /**
   * See {@link Optimization#globalBatchSize()}; a multiple of the micro-batch size, checked when
   * the record is built.
   *
   * @throws IllegalArgumentException if below 1
   */
  public B globalBatchSize(int value) {
    Optimization.checkPositive("globalBatchSize", value);
    globalBatchSize = value;
    return self();
  }

  /**
   * See {@link Optimization#maxGradNorm()}.
   *
   * @throws IllegalArgumentException if not &gt; 0
   */
  public B maxGradNorm(double value) {
    Optimization.checkMaxGradNorm(value);
    maxGradNorm = value;
    return self();
  }

  /**
   * See {@link Optimization#weightDecay()}.
   *
   * @throws IllegalArgumentException if negative or not finite
   */
  public B weightDecay(double value) {
    Optimization.checkWeightDecay(value);
    weightDecay = value;
    return self();
  }

  /**
   * See {@link Optimization#parameterGroups()}.
   *
   * @throws IllegalArgumentException if null
   */
  public B parameterGroups(ParameterGroups value) {
    checkArgument(value != null, "parameterGroups must not be null");
    parameterGroups = value;
    return self();
  }

  /** See {@link Optimization#seed()}. */
  public B seed(long value) {
    seed = value;
    return self();
  }

  /**
   * See {@link Optimization#checkpointEvery()}.
   *
   * @throws IllegalArgumentException if negative
   */
  public B checkpointEvery(int steps) {
    Optimization.checkCheckpointEvery(steps);
    checkpointEvery = steps;
    return self();
  }

  /**
   * The settings as they stand, checked together.
   *
   * @throws IllegalArgumentException if {@code globalBatchSize} is not a multiple of {@code
   *     microBatchSize}
   */
  protected Optimization optimization() {
    return new Optimization(
        learningRate, schedule, warmupRatio, epochs, microBatchSize, globalBatchSize, maxGradNorm,
        weightDecay, parameterGroups, seed, checkpointEvery);
  }
}
