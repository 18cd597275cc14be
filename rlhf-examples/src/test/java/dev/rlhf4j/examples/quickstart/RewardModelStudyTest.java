package dev.rlhf4j.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.feedback.PreferenceModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The study's label ceilings on a labeller with hand-picked probabilities. */
class RewardModelStudyTest {
  /** P(first preferred) = the chosen response's length / 10. */
  private static final PreferenceModel LABELLER =
      batch -> batch.stream().mapToDouble(c -> c.first().length() / 10.0).toArray();

  private static PreferencePair pair(String chosen) {
    return PreferencePair.of(Prompt.ofUser("q").messages(), chosen, "r");
  }

  @Test
  void labellerSelfAccuracy_isTheMeanOfMaxPAndOneMinusP() {
    // p = 0.9, 0.2, 0.5 -> max(p, 1 - p) = 0.9, 0.8, 0.5
    List<PreferencePair> pairs = List.of(pair("aaaaaaaaa"), pair("aa"), pair("aaaaa"));

    assertThat(RewardModelStudy.labellerSelfAccuracy(LABELLER, pairs))
        .isCloseTo((0.9 + 0.8 + 0.5) / 3, within(1e-12));
  }

  @Test
  void labellerAccuracy_countsPAboveOneHalfAndHalvesTies() {
    List<PreferencePair> pairs = List.of(pair("aaaaaaaaa"), pair("aa"), pair("aaaaa"));

    assertThat(RewardModelStudy.labellerAccuracy(LABELLER, pairs))
        .isCloseTo((1 + 0 + 0.5) / 3, within(1e-12));
  }
}
