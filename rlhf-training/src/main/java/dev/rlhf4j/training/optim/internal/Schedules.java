package dev.rlhf4j.training.optim.internal;

import static com.google.common.base.Preconditions.checkArgument;

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
