package dev.rlhf4j.training.optim.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.training.optim.LearningRateSchedule;

/**
 * A constant learning rate; see {@link LearningRateSchedule#constant}.
 *
 * @param learningRate the learning rate, &gt; 0
 */
public record ConstantSchedule(double learningRate) implements LearningRateSchedule {

  /** @throws IllegalArgumentException if {@code learningRate} is not a finite number &gt; 0 */
  public ConstantSchedule {
    Schedules.checkLearningRate("learningRate", learningRate);
  }

  @Override
  public double at(long step) {
    checkArgument(step >= 0, "step must be >= 0 but was %s", step);
    return learningRate;
  }
}
