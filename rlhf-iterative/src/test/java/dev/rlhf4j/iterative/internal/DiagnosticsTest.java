package dev.rlhf4j.iterative.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.iterative.train.DpoConfig;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DiagnosticsTest {
  private static final List<Message> Q1 = List.of(Message.user("q1"));
  private static final List<Message> Q2 = List.of(Message.user("q2"));

  private static PreferencePair scored(double chosen, double rejected) {
    return PreferencePair.scored(Q1, "a", chosen, "b", rejected, "iteration-1");
  }

  @Test
  void pairs_knownRewards_giveKnownMarginsAndNearTieFraction() {
    List<PreferencePair> pairs =
        List.of(scored(1.1, 1.0), scored(2.5, 2.0), scored(0, -1), scored(3, 1),
            PreferencePair.of(Q1, "c", "d"));

    Map<String, Double> m = Diagnostics.pairs(pairs, List.of(), 0.2);

    assertThat(m.get("margin_mean")).isCloseTo((0.1 + 0.5 + 1 + 2) / 4, within(1e-12));
    assertThat(m.get("margin_median")).isCloseTo(0.75, within(1e-12));
    assertThat(m.get("margin_min")).isCloseTo(0.1, within(1e-12));
    assertThat(m.get("near_tie_fraction")).as("only the 0.1 margin is below 0.2").isEqualTo(0.25);
    assertThat(m.get("near_tie_margin")).isEqualTo(0.2);
    assertThat(Diagnostics.pairs(pairs, List.of(), 0.6).get("near_tie_fraction")).isEqualTo(0.5);
    assertThat(Diagnostics.pairs(pairs.subList(0, 3), List.of(), 0).get("margin_median"))
        .isCloseTo(0.5, within(1e-12));
  }

  @Test
  void pairs_withoutScores_haveLengthsButNoMargins() {
    Map<String, Double> m =
        Diagnostics.pairs(List.of(PreferencePair.of(Q1, "abcd", "ab")), List.of(), 0.2);

    assertThat(m).doesNotContainKeys("margin_mean", "near_tie_fraction");
    assertThat(m).containsEntry("chosen_chars", 4.0).containsEntry("rejected_chars", 2.0)
        .containsEntry("length_gap_chars", 2.0);
    assertThat(Diagnostics.pairs(List.of(), List.of(), 0.2)).isEmpty();
  }

  @Test
  void pairs_tokenLengthsComeFromTheSampledCompletions() {
    List<GeneratedSample> generated =
        List.of(
            new GeneratedSample(new Prompt("p1", Q1),
                List.of(Completion.stopped("long answer", 7), Completion.stopped("no", 2))),
            new GeneratedSample(new Prompt("p2", Q2),
                List.of(Completion.stopped("x", 1), Completion.stopped("yy", 4))));
    List<PreferencePair> pairs =
        List.of(PreferencePair.of(Q1, "long answer", "no"), PreferencePair.of(Q2, "x", "yy"));

    Map<String, Double> m = Diagnostics.pairs(pairs, generated, 0.2);

    assertThat(m.get("chosen_tokens")).isEqualTo((7 + 1) / 2.0);
    assertThat(m.get("rejected_tokens")).isEqualTo((2 + 4) / 2.0);
    assertThat(m.get("length_gap_tokens")).isEqualTo(((7 - 2) + (1 - 4)) / 2.0);
    assertThat(m.get("chosen_chars")).isEqualTo((11 + 1) / 2.0);
    assertThat(m.get("length_gap_chars")).isEqualTo(((11 - 2) + (1 - 2)) / 2.0);
  }

  @Test
  void pairs_aResponseTheLoopDidNotSample_leavesOutTheTokenFigures() {
    List<GeneratedSample> generated =
        List.of(new GeneratedSample(new Prompt("p1", Q1), List.of(Completion.stopped("a", 1))));
    Map<String, Double> m =
        Diagnostics.pairs(List.of(PreferencePair.of(Q1, "a", "written by hand")), generated, 0.2);

    assertThat(m).containsKey("chosen_chars").doesNotContainKey("chosen_tokens");
  }

  @Test
  void proxy_meanOverPromptsOfTheRewardsStandardDeviation() {
    List<AnnotatedSample> annotated =
        List.of(
            annotated(Q1, 1.0, 3.0), // population std 1
            annotated(Q2, 2.0, 2.0, 2.0), // 0
            annotated(List.of(Message.user("q3")), 5.0)); // one response: no spread

    Map<String, Double> m = Diagnostics.proxy(annotated);

    assertThat(m.get("reward_std_within_prompt")).isCloseTo(0.5, within(1e-12));
    assertThat(m.get("reward_mean")).isCloseTo((1 + 3 + 2 + 2 + 2 + 5) / 6.0, within(1e-12));
    assertThat(Diagnostics.proxy(List.of())).isEmpty();
  }

  @Test
  void movement_stepsEpochsLearningRateAndStepsPerPair() {
    DpoConfig dpo = DpoConfig.builder().learningRate(1e-4).epochs(3).build();

    Map<String, Double> m = Diagnostics.movement(Map.of("steps", 12.0), dpo, 48, 16);

    assertThat(m).containsEntry("optimizer_steps", 12.0).containsEntry("epochs", 3.0)
        .containsEntry("learning_rate", 1e-4).containsEntry("steps_per_pair", 0.25);
    assertThat(m.get("new_pair_fraction")).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(Diagnostics.movement(Map.of(), dpo, 48, 16))
        .as("a backend that reports no steps")
        .doesNotContainKeys("optimizer_steps", "steps_per_pair")
        .containsKey("epochs");
  }

  @Test
  void klEstimate_identicalPolicies_isZero() {
    double[] logp = {-1.5, -0.2, -7};
    assertThat(Diagnostics.klEstimate(logp, logp.clone())).isZero();
    assertThat(Diagnostics.klStandardError(logp, logp.clone())).isZero();
    // log ratios 1 and 3: mean 2, sample sd √2, standard error √2/√2 = 1
    assertThat(Diagnostics.klStandardError(new double[] {1, 3}, new double[] {0, 0}))
        .isCloseTo(1, within(1e-12));
    assertThatThrownBy(() -> Diagnostics.klEstimate(logp, new double[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 policy, 2 reference");
  }

  @Test
  void klEstimate_samplesFromACategorical_approachTheExactKl() {
    double[] p = {0.5, 0.3, 0.15, 0.05};
    double[] q = {0.25, 0.25, 0.25, 0.25};
    double exact = 0;
    for (int i = 0; i < p.length; i++) {
      exact += p[i] * Math.log(p[i] / q[i]);
    }
    int n = 100_000;
    double[] logp = new double[n];
    double[] logq = new double[n];
    SplittableRandom random = new SplittableRandom(3);
    double sumSquares = 0;
    for (int s = 0; s < n; s++) {
      double u = random.nextDouble();
      int i = 0;
      while (i < p.length - 1 && (u -= p[i]) >= 0) {
        i++;
      }
      logp[s] = Math.log(p[i]);
      logq[s] = Math.log(q[i]);
      sumSquares += Math.pow(logp[s] - logq[s], 2);
    }
    double estimate = Diagnostics.klEstimate(logp, logq);
    double sd = Math.sqrt(sumSquares / n - estimate * estimate);

    assertThat(estimate).isCloseTo(exact, within(4 * sd / Math.sqrt(n)));
    assertThat(Diagnostics.klStandardError(logp, logq))
        .isCloseTo(sd / Math.sqrt(n), within(1e-3 * sd / Math.sqrt(n)));
    assertThat(exact).isGreaterThan(10 * sd / Math.sqrt(n)); // the tolerance can tell KL from 0
  }

  private static AnnotatedSample annotated(List<Message> prompt, double... rewards) {
    List<Completion> responses = new java.util.ArrayList<>();
    List<Double> values = new java.util.ArrayList<>();
    for (int i = 0; i < rewards.length; i++) {
      responses.add(Completion.stopped("r" + i, 1));
      values.add(rewards[i]);
    }
    return new AnnotatedSample(Prompt.of(prompt), responses, values);
  }
}
