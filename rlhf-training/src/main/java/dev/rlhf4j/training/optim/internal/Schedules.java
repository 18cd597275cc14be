package dev.rlhf4j.training.optim.internal;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.function.LongToDoubleFunction;

/** Argument checks shared by the built-in learning-rate schedules. */
final class Schedules {
  private Schedules() {}

  static void checkLearningRate(String name, double learningRate) {
    checkArgument(
        learningRate > 0 && Double.isFinite(learningRate),
        "%s must be a finite number > 0 but was %s",
        name,
        learningRate);
  }

  /**
   * The shared shape of the warm-up schedules: 0 from {@code totalSteps} on, a linear ramp from 0
   * to {@code peakLearningRate} over the first {@code warmupSteps} steps, then {@code
   * peakLearningRate · max(0, decay(step))}.
   *
   * @throws IllegalArgumentException if step is negative
   */
  static double warmupThen(
      double peakLearningRate, long totalSteps, long warmupSteps, long step,
      LongToDoubleFunction decay) {
    checkArgument(step >= 0, "step must be >= 0 but was %s", step);
    if (step >= totalSteps) {
      return 0.0;
    }
    if (step < warmupSteps) {
      return peakLearningRate * ((double) step / (double) Math.max(1, warmupSteps));
    }
    return peakLearningRate * Math.max(0.0, decay.applyAsDouble(step));
  }

  static void checkShape(double peakLearningRate, long totalSteps, long warmupSteps) {
    checkLearningRate("peakLearningRate", peakLearningRate);
    checkArgument(totalSteps >= 1, "totalSteps must be >= 1 but was %s", totalSteps);
    checkArgument(
        warmupSteps >= 0 && warmupSteps <= totalSteps,
        "warmupSteps must be in [0, totalSteps = %s] but was %s",
        totalSteps,
        warmupSteps);
  }
}
