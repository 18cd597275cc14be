package dev.rlhf4j.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
  private static final double PEAK = 5e-7;

  /** Hugging Face's lr_lambda of get_cosine_schedule_with_warmup, num_cycles 0.5. */
  private static double hfCosine(long step, long warmup, long total) {
    if (step < warmup) {
      return (double) step / Math.max(1, warmup);
    }
    double progress = (double) (step - warmup) / Math.max(1, total - warmup);
    return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
  }

  /** Hugging Face's lr_lambda of get_linear_schedule_with_warmup. */
  private static double hfLinear(long step, long warmup, long total) {
    if (step < warmup) {
      return (double) step / Math.max(1, warmup);
    }
    return Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
  }

  @Test
  void warmupCosine_keySteps() {
    // the paper's setting: warm-up ratio 0.03; 1000 steps → ceil(30.000000000000004)
    long total = 1000;
    long warmup = LearningRateSchedule.warmupSteps(total, 0.03);
    assertThat(warmup).isEqualTo((long) Math.ceil(total * 0.03));
    LearningRateSchedule lr = LearningRateSchedule.warmupCosine(PEAK, total, 0.03);
    assertThat(lr.at(0)).isZero();
    assertThat(lr.at(1)).isCloseTo(PEAK / warmup, within(1e-20));
    assertThat(lr.at(warmup)).isEqualTo(PEAK);
    long middle = warmup + (total - warmup) / 2;
    assertThat(lr.at(middle)).isCloseTo(PEAK * hfCosine(middle, warmup, total), within(1e-20));
    assertThat(lr.at(middle)).isCloseTo(PEAK / 2, within(PEAK * 1e-2));
    assertThat(lr.at(total - 1)).isGreaterThan(0).isLessThan(PEAK * 1e-4);
    assertThat(lr.at(total)).isZero();
    assertThat(lr.at(total + 10)).isZero();
  }

  @Test
  void warmupCosine_noWarmup_startsAtPeak() {
    LearningRateSchedule lr = LearningRateSchedule.warmupCosine(1.0, 10, 0.0);
    assertThat(lr.at(0)).isEqualTo(1.0);
    assertThat(lr.at(5)).isCloseTo(0.5, within(1e-15));
  }

  @Test
  void linear_keySteps() {
    LearningRateSchedule lr = LearningRateSchedule.linear(1.0, 100, 0.1);
    assertThat(lr.at(0)).isZero();
    assertThat(lr.at(5)).isEqualTo(0.5);
    assertThat(lr.at(10)).isEqualTo(1.0);
    assertThat(lr.at(55)).isEqualTo(0.5);
    assertThat(lr.at(100)).isZero();
  }

  @Test
  void constant_isTheSameEverywhere() {
    LearningRateSchedule lr = LearningRateSchedule.constant(3e-4);
    assertThat(lr.at(0)).isEqualTo(3e-4);
    assertThat(lr.at(1_000_000)).isEqualTo(3e-4);
  }

  @Property
  void warmupCosine_matchesHuggingFaceFormula(
      @ForAll @LongRange(min = 1, max = 5000) long total,
      @ForAll @DoubleRange(min = 0, max = 1) double ratio,
      @ForAll @DoubleRange(min = 0, max = 1) double at) {
    long step = (long) Math.floor(at * (total - 1));
    long warmup = (long) Math.ceil(total * ratio);
    assertThat(LearningRateSchedule.warmupCosine(2.0, total, ratio).at(step))
        .isEqualTo(2.0 * hfCosine(step, warmup, total));
  }

  @Property
  void linear_matchesHuggingFaceFormula(
      @ForAll @LongRange(min = 1, max = 5000) long total,
      @ForAll @DoubleRange(min = 0, max = 1) double ratio,
      @ForAll @DoubleRange(min = 0, max = 1) double at) {
    long step = (long) Math.floor(at * (total - 1));
    long warmup = (long) Math.ceil(total * ratio);
    assertThat(LearningRateSchedule.linear(2.0, total, ratio).at(step))
        .isEqualTo(2.0 * hfLinear(step, warmup, total));
  }

  @Property
  void warmupCosine_risesThenFalls_withinZeroAndPeak(
      @ForAll @LongRange(min = 1, max = 2000) long total,
      @ForAll @DoubleRange(min = 0, max = 1) double ratio) {
    LearningRateSchedule lr = LearningRateSchedule.warmupCosine(1.0, total, ratio);
    long warmup = LearningRateSchedule.warmupSteps(total, ratio);
    double previous = lr.at(0);
    for (long s = 1; s <= total; s++) {
      double now = lr.at(s);
      assertThat(now).isBetween(0.0, 1.0);
      if (s <= warmup && s < total) {
        assertThat(now).isGreaterThan(previous);
      } else {
        assertThat(now).isLessThanOrEqualTo(previous);
      }
      previous = now;
    }
  }

  @Test
  void factories_rejectBadArguments_withTheValueAndRange() {
    assertThatThrownBy(() -> LearningRateSchedule.warmupCosine(0, 10, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("peakLearningRate must be a finite number > 0 but was 0.0");
    assertThatThrownBy(() -> LearningRateSchedule.warmupCosine(-1e-3, 10, 0.1))
        .hasMessage("peakLearningRate must be a finite number > 0 but was -0.001");
    assertThatThrownBy(() -> LearningRateSchedule.warmupCosine(1e-3, 0, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("totalSteps must be >= 1 but was 0");
    assertThatThrownBy(() -> LearningRateSchedule.warmupCosine(1e-3, 10, 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warmupRatio must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> LearningRateSchedule.linear(1e-3, 10, -0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warmupRatio must be in [0, 1] but was -0.1");
    assertThatThrownBy(() -> LearningRateSchedule.constant(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("learningRate must be a finite number > 0 but was NaN");
    assertThatThrownBy(() -> LearningRateSchedule.constant(1e-3).at(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be >= 0 but was -1");
  }
}
