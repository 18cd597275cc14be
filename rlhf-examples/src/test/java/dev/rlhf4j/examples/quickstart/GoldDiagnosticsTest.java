package dev.rlhf4j.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.examples.quickstart.internal.ReportFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gold-judged iteration figures on hand-made pairs and samples; the gold prefers longer text. */
class GoldDiagnosticsTest {
  private static final RewardModel LONGER_IS_BETTER =
      batch -> batch.stream().mapToDouble(r -> r.response().length()).toArray();
  private static final Prompt Q = Prompt.ofUser("q");

  private static PreferencePair pair(String chosen, String rejected) {
    return PreferencePair.of(Q.messages(), chosen, rejected);
  }

  private static AnnotatedSample sample(List<String> texts, List<Double> proxy) {
    return new AnnotatedSample(
        Q, texts.stream().map(t -> Completion.stopped(t, t.length())).toList(), proxy);
  }

  @Test
  void of_pairAgreementLeavesGoldTiesOutAndCountsThem() {
    List<PreferencePair> pairs =
        List.of(pair("aaa", "a"), pair("b", "bbbb"), pair("cc", "dd"), pair("eeee", "e"));

    GoldDiagnostics d = GoldDiagnostics.of("iterative-dpo", 2, LONGER_IS_BETTER, pairs, List.of());

    assertThat(d.run()).isEqualTo("iterative-dpo");
    assertThat(d.iteration()).isEqualTo(2);
    assertThat(d.pairs()).isEqualTo(4);
    // 2 of the 3 pairs the gold decides; the tie is a quarter of all pairs
    assertThat(d.pairAgreement()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(d.pairGoldTieFraction()).isCloseTo(0.25, within(1e-12));
    assertThat(d.chosenGold()).isCloseTo((3 + 1 + 2 + 4) / 4.0, within(1e-12));
    assertThat(d.rejectedGold()).isCloseTo((1 + 4 + 2 + 1) / 4.0, within(1e-12));
    assertThat(d.onPolicyAccuracy()).isNaN();
    assertThat(d.onPolicyComparisons()).isZero();
  }

  @Test
  void of_onPolicyAccuracyComparesEveryWithinPromptPairTheGoldDecides() {
    List<AnnotatedSample> annotated =
        List.of(
            // gold 1 < 2 < 3; the proxy gets (0,1) and (0,2) right and (1,2) wrong
            sample(List.of("a", "aa", "aaa"), List.of(0.1, 0.5, 0.3)),
            // gold ties x and y (left out); the proxy ties everything: ½ on the two others
            sample(List.of("x", "y", "zz"), List.of(1.0, 1.0, 1.0)));

    GoldDiagnostics d =
        GoldDiagnostics.of("iterative-dpo-lp", 1, LONGER_IS_BETTER, List.of(), annotated);

    assertThat(d.onPolicyComparisons()).isEqualTo(5);
    assertThat(d.onPolicyAccuracy()).isCloseTo((1 + 1 + 0 + 0.5 + 0.5) / 5, within(1e-12));
    assertThat(d.pairs()).isZero();
    assertThat(d.pairAgreement()).isNaN();
    assertThat(d.chosenGold()).isNaN();
  }

  @Test
  void of_aProxyThatOrdersAsTheGoldScoresOneAndTheReverseZero() {
    AnnotatedSample right = sample(List.of("a", "aaa", "aa"), List.of(-1.0, 2.0, 0.0));
    AnnotatedSample reversed = sample(List.of("a", "aaa", "aa"), List.of(1.0, -2.0, 0.0));

    assertThat(GoldDiagnostics.of("r", 1, LONGER_IS_BETTER, List.of(), List.of(right))
        .onPolicyAccuracy()).isEqualTo(1.0);
    assertThat(GoldDiagnostics.of("r", 1, LONGER_IS_BETTER, List.of(), List.of(reversed))
        .onPolicyAccuracy()).isEqualTo(0.0);
  }

  @Test
  void record_rejectsBlankRunAndIterationZero() {
    assertThatThrownBy(() -> GoldDiagnostics.of(" ", 1, LONGER_IS_BETTER, List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("run");
    assertThatThrownBy(() -> GoldDiagnostics.of("r", 0, LONGER_IS_BETTER, List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iteration must be >= 1");
  }

  @Test
  void goldTable_showsOneLinePerIterationWithTheHeldOutAccuracyBeside() {
    GoldDiagnostics d =
        GoldDiagnostics.of("iterative-dpo", 3, LONGER_IS_BETTER,
            List.of(pair("aa", "a"), pair("a", "aa")), List.of());

    String md = ReportFiles.goldTable(List.of(d), 0.875);

    assertThat(md).contains("| iterative-dpo | 3 | 2 | 0.500 | 0.000 | - | 0.875 | 1.500 | 1.500 |");
    assertThat(ReportFiles.goldTable(List.of(), 0.9)).isEmpty();
  }
}
