package dev.rlhf4j.iterative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.PreferenceModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorsTest {
  private static List<GeneratedSample> responses(String... texts) {
    return java.util.stream.IntStream.range(0, texts.length)
        .mapToObj(
            i ->
                new GeneratedSample(
                    Prompt.ofUser("p" + i), List.of(Completion.stopped(texts[i], 1))))
        .toList();
  }

  @Test
  void winRate_rewardModel_countsTiesAsHalf() {
    Map<String, Double> m =
        Evaluators.winRate("proxy", new LengthRewardModel())
            .evaluate(responses("aaa", "b", "cc", "dd"), responses("a", "bb", "cc", "d"));

    // win, loss, tie, win
    assertThat(m).containsExactly(Map.entry("proxy_win_rate_vs_pi0", 2.5 / 4));
  }

  @Test
  void winRate_preferenceModel_countsAHalfProbabilityAsHalf() {
    PreferenceModel judge =
        batch ->
            batch.stream()
                .mapToDouble(c -> c.first().equals("win") ? 0.8 : c.first().equals("tie") ? 0.5
                    : 0.2)
                .toArray();

    Map<String, Double> m =
        Evaluators.pairwiseWinRate("pm", judge)
            .evaluate(responses("win", "tie", "loss"), responses("x", "y", "z"));

    assertThat(m.get("pm_win_rate_vs_pi0")).isEqualTo(1.5 / 3);
  }

  @Test
  void standard_reportsLengthRewardAndWinRate() {
    Map<String, Double> m =
        Evaluators.standard("proxy_greedy", new LengthRewardModel())
            .evaluate(responses("abcd", "ab"), responses("a", "ab"));

    assertThat(m)
        .containsEntry("mean_length", 3.0)
        .containsEntry("mean_proxy_greedy_reward", 3.0)
        .containsEntry("proxy_greedy_win_rate_vs_pi0", 0.75);
  }

  @Test
  void meanLength_countsCodePoints() {
    assertThat(Evaluators.meanLength().evaluate(responses("😀x"), responses("a")))
        .containsEntry("mean_length", 2.0);
  }

  @Test
  void all_sameMetricTwice_isAnError() {
    Evaluator twice = Evaluators.all(Evaluators.meanLength(), Evaluators.meanLength());

    assertThatThrownBy(() -> twice.evaluate(responses("a"), responses("a")))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("mean_length");
  }

  @Test
  void winRate_differentSizes_isAnError() {
    assertThatThrownBy(
            () ->
                Evaluators.winRate("proxy", new LengthRewardModel())
                    .evaluate(responses("a", "b"), responses("a")))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("2 responses but 1 baseline");
  }

  @Test
  void twoJudgesInOneRun_doNotCollide() {
    Evaluator both =
        Evaluators.all(
            Evaluators.standard("proxy_greedy", new LengthRewardModel()),
            Evaluators.winRate("gold_greedy", batch -> new double[batch.size()]));

    Map<String, Double> m = both.evaluate(responses("abcd", "ab"), responses("a", "ab"));

    assertThat(m)
        .containsOnlyKeys(
            "mean_length",
            "mean_proxy_greedy_reward",
            "proxy_greedy_win_rate_vs_pi0",
            "gold_greedy_win_rate_vs_pi0")
        .containsEntry("gold_greedy_win_rate_vs_pi0", 0.5);
  }

  @Test
  void sameJudgeNameTwice_isAnErrorThatSaysWhatToDo() {
    Evaluator twice =
        Evaluators.all(
            Evaluators.winRate("proxy", new LengthRewardModel()),
            Evaluators.winRate("proxy", new LengthRewardModel()));

    assertThatThrownBy(() -> twice.evaluate(responses("a"), responses("a")))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("proxy_win_rate_vs_pi0")
        .hasMessageContaining("give each judge its own name");
  }

  @Test
  void judgeName_mustBeASnakeCaseIdentifier() {
    assertThatThrownBy(() -> Evaluators.winRate("Gold judge", new LengthRewardModel()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("judgeName must be lower-case")
        .hasMessageContaining("Gold judge");
  }
}
