package dev.rlhf4j.training.optim.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.training.optim.LearningRateSchedule;

/**
 * Linear warm-up then linear decay to 0; see {@link LearningRateSchedule#linear}.
 *
 * @param peakLearningRate the learning rate at the end of the warm-up, &gt; 0
 * @param totalSteps the optimizer steps of the whole run, ≥ 1
 * @param warmupSteps the warm-up steps, in [0, totalSteps]
 */
public record WarmupLinearSchedule(double peakLearningRate, long totalSteps, long warmupSteps)
    implements LearningRateSchedule {

  /** @throws IllegalArgumentException if a value is outside the range given above */
  public WarmupLinearSchedule {
    Schedules.checkShape(peakLearningRate, totalSteps, warmupSteps);
  }

  @Override
  public double at(long step) {
    checkArgument(step >= 0, "step must be >= 0 but was %s", step);
    if (step >= totalSteps) {
      return 0.0;
    }
    if (step < warmupSteps) {
      return peakLearningRate * ((double) step / (double) Math.max(1, warmupSteps));
    }
    return peakLearningRate
        * Math.max(
            0.0, (double) (totalSteps - step) / (double) Math.max(1, totalSteps - warmupSteps));
  }
}
