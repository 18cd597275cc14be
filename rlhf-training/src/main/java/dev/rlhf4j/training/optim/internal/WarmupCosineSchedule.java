package dev.rlhf4j.training.optim.internal;

import dev.rlhf4j.training.optim.LearningRateSchedule;

/**
 * Linear warm-up then cosine decay to 0; see {@link LearningRateSchedule#warmupCosine}.
 *
 * @param peakLearningRate the learning rate at the end of the warm-up, &gt; 0
 * @param totalSteps the optimizer steps of the whole run, ≥ 1
 * @param warmupSteps the warm-up steps, in [0, totalSteps]
 */
public record WarmupCosineSchedule(double peakLearningRate, long totalSteps, long warmupSteps)
    implements LearningRateSchedule {

  /** @throws IllegalArgumentException if a value is outside the range given above */
  public WarmupCosineSchedule {
    Schedules.checkShape(peakLearningRate, totalSteps, warmupSteps);
  }

  @Override
  public double at(long step) {
    return Schedules.warmupThen(
        peakLearningRate, totalSteps, warmupSteps, step,
        s -> {
          double progress =
              (double) (s - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
          return 0.5 * (1.0 + Math.cos(Math.PI * progress));
        });
  }
}
