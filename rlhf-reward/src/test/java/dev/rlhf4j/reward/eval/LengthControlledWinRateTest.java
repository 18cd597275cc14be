package dev.rlhf4j.reward.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.LengthUnit;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.reward.eval.LengthControlledWinRate.Comparison;
import dev.rlhf4j.reward.eval.LengthControlledWinRate.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LengthControlledWinRateTest {

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /**
   * Outcomes drawn from the model itself, P(win) = σ(θ0 + φ0·tanh(Δℓ/sd)), with policy answers
   * longer than the baseline's on average (Δℓ ~ N(shift, 1)).
   */
  private static List<Comparison> fromModel(double theta0, double phi0, double shift, long seed) {
    Random random = new Random(seed);
    List<Comparison> out = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      double base = 50 + 5 * random.nextGaussian();
      double policy = base + shift + random.nextGaussian();
      // sd(Δℓ) is 1 by construction, so tanh(Δℓ) is the model's length term up to sampling error
      double p = sigmoid(theta0 + phi0 * Math.tanh(policy - base));
      out.add(new Comparison(random.nextDouble() < p ? 1 : 0, policy, base));
    }
    return out;
  }

  @Test
  void judgeThatOnlyLikesLength_rawWinRateHigh_lengthControlledNearHalf() {
    Result r = LengthControlledWinRate.defaults().fit(fromModel(0, 3, 1.5, 1));
    assertThat(r.winRate()).isGreaterThan(0.85);
    assertThat(r.lengthControlledWinRate()).isCloseTo(0.5, within(0.03));
    assertThat(r.phi()).isCloseTo(3, within(0.25));
    assertThat(r.lengthDifferenceSd()).isCloseTo(1, within(0.03));
    assertThat(r.meanPolicyLength() - r.meanBaselineLength()).isCloseTo(1.5, within(0.05));
  }

  @Test
  void qualityAndLengthTogether_recoversTheQualityTerm() {
    Result r = LengthControlledWinRate.defaults().fit(fromModel(1, 2, 1.0, 2));
    assertThat(r.theta()).isCloseTo(1, within(0.1));
    assertThat(r.lengthControlledWinRate()).isCloseTo(sigmoid(1), within(0.02));
    assertThat(r.winRate()).isGreaterThan(r.lengthControlledWinRate() + 0.1);
  }

  @Test
  void shorterPolicyPenalisedByALengthLovingJudge_lengthControlRaisesItsWinRate() {
    Result r = LengthControlledWinRate.defaults().fit(fromModel(0.5, 3, -1.5, 3));
    assertThat(r.winRate()).isLessThan(0.3);
    assertThat(r.lengthControlledWinRate()).isCloseTo(sigmoid(0.5), within(0.04));
  }

  @Test
  void deterministicLongerWins_perfectlySeparated_staysFiniteAndNearHalf() {
    Random random = new Random(4);
    List<Comparison> cs = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      double base = 40 + random.nextInt(20);
      double policy = base + random.nextInt(21) - 5; // mostly longer
      cs.add(new Comparison(policy > base ? 1 : policy < base ? 0 : 0.5, policy, base));
    }
    Result r = LengthControlledWinRate.defaults().fit(cs);
    assertThat(r.winRate()).isGreaterThan(0.7);
    assertThat(Double.isFinite(r.theta()) && Double.isFinite(r.phi())).isTrue();
    assertThat(r.lengthControlledWinRate()).isCloseTo(0.5, within(0.05));
  }

  @Test
  void equalLengths_lengthControlledEqualsRawWinRate() {
    List<Comparison> cs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      cs.add(new Comparison(i < 70 ? 1 : i < 80 ? 0.5 : 0, 10, 10));
    }
    Result r = LengthControlledWinRate.defaults().fit(cs);
    assertThat(r.winRate()).isCloseTo(0.75, within(1e-12));
    assertThat(r.lengthDifferenceSd()).isZero();
    // the tiny L2 penalty pulls θ toward 0 by about l2·θ / (n p (1-p))
    assertThat(r.lengthControlledWinRate()).isCloseTo(0.75, within(1e-4));
    assertThat(r.phi()).isZero();
  }

  @Test
  void evaluate_judgesAllResponsesAgainstAll() {
    Prompt prompt = new Prompt("p", FakeModels.PROMPT);
    // the judge rewards the text length, so longer always wins
    RewardModel byLength =
        batch -> batch.stream().mapToDouble(q -> q.response().length()).toArray();
    GeneratedSample policy =
        new GeneratedSample(
            prompt, List.of(Completion.stopped("xxxx", 2), Completion.stopped("xx", 2)));
    GeneratedSample baseline =
        new GeneratedSample(
            prompt,
            List.of(
                Completion.stopped("xx", 2),
                Completion.stopped("xxx", 2),
                Completion.stopped("x", 2)));
    List<Comparison> cs =
        LengthControlledWinRate.compare(
            byLength, List.of(policy), List.of(baseline), LengthUnit.CHARACTERS);
    assertThat(cs).hasSize(6);
    assertThat(cs.stream().mapToDouble(Comparison::outcome).toArray())
        .containsExactly(1, 1, 1, 0.5, 0, 1);
    assertThat(cs.get(4).policyLength()).isEqualTo(2);
    assertThat(cs.get(4).baselineLength()).isEqualTo(3);
    Result r =
        LengthControlledWinRate.defaults()
            .evaluate(byLength, List.of(policy), List.of(baseline), LengthUnit.CHARACTERS);
    assertThat(r.comparisons()).isEqualTo(6);
    assertThat(r.winRate()).isCloseTo(4.5 / 6, within(1e-12));
  }

  @Test
  void rejectsBadInput_namingTheParameter() {
    assertThatThrownBy(() -> LengthControlledWinRate.withL2(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("l2 must be finite and > 0 but was 0.0");
    assertThatThrownBy(() -> new Comparison(1.5, 1, 1))
        .hasMessageContaining("outcome must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> new Comparison(1, -1, 1))
        .hasMessageContaining("policyLength must be finite and >= 0");
    assertThatThrownBy(() -> LengthControlledWinRate.defaults().fit(List.of()))
        .hasMessageContaining("comparisons must not be null or empty");
    Prompt a = new Prompt("a", FakeModels.PROMPT);
    Prompt b = new Prompt("b", FakeModels.PROMPT);
    RewardModel zero = batch -> new double[batch.size()];
    List<GeneratedSample> one =
        List.of(new GeneratedSample(a, List.of(Completion.stopped("x", 1))));
    List<GeneratedSample> other =
        List.of(new GeneratedSample(b, List.of(Completion.stopped("x", 1))));
    assertThatThrownBy(
            () -> LengthControlledWinRate.compare(zero, one, other, LengthUnit.CHARACTERS))
        .hasMessageContaining("must answer the same prompt ids");
  }
}
