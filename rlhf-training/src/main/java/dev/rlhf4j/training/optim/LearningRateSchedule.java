package dev.rlhf4j.training.optim;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.training.optim.internal.ConstantSchedule;
import dev.rlhf4j.training.optim.internal.WarmupCosineSchedule;
import dev.rlhf4j.training.optim.internal.WarmupLinearSchedule;

/**
 * The learning rate as a function of the optimizer step.
 *
 * <p><b>Step indexing.</b> {@code at(step)} takes the number of optimizer steps already taken, so
 * the first update uses {@code at(0)}, the k-th (1-based) uses {@code at(k - 1)}. This is how a
 * PyTorch {@code LambdaLR} advanced once after each {@code optimizer.step()} behaves, and so the
 * built-in schedules give the Hugging Face Trainer's learning rates step for step — including a
 * first update with learning rate 0 whenever there is a warm-up.
 *
 * <p>Implementations must be pure functions of the step (no hidden state), so that a resumed run
 * continues with exactly the learning rates of an uninterrupted one, and safe to call from any
 * thread.
 */
@FunctionalInterface
public interface LearningRateSchedule {

  /**
   * The learning rate of the update that follows {@code step} completed optimizer steps.
   *
   * @param step optimizer steps already taken, ≥ 0
   * @return the learning rate, ≥ 0 and finite
   * @throws IllegalArgumentException if {@code step < 0}
   */
  double at(long step);

  /**
   * The same learning rate at every step.
   *
   * @param learningRate the learning rate, &gt; 0
   * @return the schedule
   * @throws IllegalArgumentException if {@code learningRate} is not a finite number &gt; 0
   */
  static LearningRateSchedule constant(double learningRate) {
    return new ConstantSchedule(learningRate);
  }

  /**
   * Linear warm-up from 0 to {@code peakLearningRate} over {@link #warmupSteps warmupSteps(
   * totalSteps, warmupRatio)} steps, then linear decay to 0 at {@code totalSteps}: Hugging Face's
   * {@code get_linear_schedule_with_warmup} (the Trainer's default {@code lr_scheduler_type}).
   *
   * <p>With {@code w} warm-up and {@code T} total steps: {@code at(s) = peak · s / w} for {@code s
   * < w}, else {@code peak · (T − s) / max(1, T − w)}; 0 from {@code T} on.
   *
   * @param peakLearningRate the learning rate at the end of the warm-up, &gt; 0
   * @param totalSteps the optimizer steps of the whole run, ≥ 1
   * @param warmupRatio the fraction of {@code totalSteps} spent warming up, in [0, 1]
   * @return the schedule
   * @throws IllegalArgumentException if a value is outside the range given above
   */
  static LearningRateSchedule linear(double peakLearningRate, long totalSteps, double warmupRatio) {
    return new WarmupLinearSchedule(
        peakLearningRate, totalSteps, warmupSteps(totalSteps, warmupRatio));
  }

  /**
   * Linear warm-up from 0 to {@code peakLearningRate} over {@link #warmupSteps warmupSteps(
   * totalSteps, warmupRatio)} steps, then half a cosine down to 0 at {@code totalSteps}: Hugging
   * Face's {@code get_cosine_schedule_with_warmup} (the paper's DPO schedule, warm-up ratio 0.03).
   *
   * <p>With {@code w} warm-up and {@code T} total steps: {@code at(s) = peak · s / w} for {@code s
   * < w}, else {@code peak · ½ (1 + cos(π · p))} with progress {@code p = (s − w) / max(1, T −
   * w)}; 0 from {@code T} on (Hugging Face's formula would climb again past {@code T}; running
   * past the planned steps is a bug, and 0 makes it harmless).
   *
   * @param peakLearningRate the learning rate at the end of the warm-up, &gt; 0
   * @param totalSteps the optimizer steps of the whole run, ≥ 1
   * @param warmupRatio the fraction of {@code totalSteps} spent warming up, in [0, 1]
   * @return the schedule
   * @throws IllegalArgumentException if a value is outside the range given above
   */
  static LearningRateSchedule warmupCosine(
      double peakLearningRate, long totalSteps, double warmupRatio) {
    return new WarmupCosineSchedule(
        peakLearningRate, totalSteps, warmupSteps(totalSteps, warmupRatio));
  }

  /**
   * The warm-up steps for a ratio, as the Hugging Face Trainer counts them: {@code
   * ceil(totalSteps · warmupRatio)}.
   *
   * @param totalSteps the optimizer steps of the whole run, ≥ 1
   * @param warmupRatio the fraction of {@code totalSteps} spent warming up, in [0, 1]
   * @return the warm-up steps, in [0, totalSteps]
   * @throws IllegalArgumentException if a value is outside the range given above
   */
  static long warmupSteps(long totalSteps, double warmupRatio) {
    checkArgument(totalSteps >= 1, "totalSteps must be >= 1 but was %s", totalSteps);
    checkArgument(
        warmupRatio >= 0 && warmupRatio <= 1,
        "warmupRatio must be in [0, 1] but was %s",
        warmupRatio);
    return (long) Math.ceil(totalSteps * warmupRatio);
  }
}
