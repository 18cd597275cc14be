package dev.rlhf4j.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RewardNormalizationTest {

  @Test
  void of_measuresMeanAndPopulationStd() {
    RewardNormalization n = RewardNormalization.of(new double[] {1, 2, 3, 4});
    assertThat(n.mean()).isEqualTo(2.5);
    assertThat(n.std()).isCloseTo(Math.sqrt(1.25), within(1e-15));
    assertThat(n.apply(2.5 + Math.sqrt(1.25))).isCloseTo(1.0, within(1e-15));
  }

  @Test
  void of_refusesScoresThatDifferOnlyInTheLastBits() {
    // what two identical requests in different batch rows score on an AVX-512 CPU: float32
    // results a few ulps apart, so std > 0 but ~1e-7 of the scores' size
    double a = 0.8317f;
    double b = Math.nextUp(Math.nextUp((float) a));
    assertThatThrownBy(() -> RewardNormalization.of(new double[] {a, b, a}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the 3 reference scores are all equal up to rounding")
        .hasMessageContaining("mean 0.83")
        .hasMessageContaining("<= 1.0E-6 = 1e-6 * max(1, |mean|)")
        .hasMessageContaining("calibrate on responses the model scores differently");
  }

  @Test
  void of_judgesTheSpreadRelativeToLargeScores() {
    // std 5e-4 is a real spread around 0 but rounding noise around 1e4 (float32 ulp there ~1e-3)
    assertThat(RewardNormalization.of(new double[] {0, 1e-3}).std()).isCloseTo(5e-4, within(1e-12));
    assertThatThrownBy(() -> RewardNormalization.of(new double[] {1e4, 1e4 + 1e-3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mean 10000.0005")
        .hasMessageContaining("<= 0.01");
  }

  @Test
  void of_refusesExactlyEqualScores() {
    assertThatThrownBy(() -> RewardNormalization.of(new double[] {-2, -2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the 2 reference scores are all equal up to rounding (mean -2.0, std 0.0");
  }

  @Test
  void of_refusesTooFewOrNonFiniteScores() {
    assertThatThrownBy(() -> RewardNormalization.of(new double[] {1}))
        .hasMessage("calibration needs at least 2 scores but got 1");
    assertThatThrownBy(() -> RewardNormalization.of(new double[] {1, Double.NaN}))
        .hasMessage("rawScores[1] must be finite but was NaN");
  }

  @Test
  void constructor_refusesNonPositiveStd() {
    assertThatThrownBy(() -> new RewardNormalization(0, 0))
        .hasMessage("std must be finite and > 0 but was 0.0");
  }
}
