package dev.rlhf4j.iterative.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.LengthUnit;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.iterative.CheckpointEvaluation;
import dev.rlhf4j.iterative.CheckpointEvaluator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointEvaluatorTest {
  @TempDir Path tmp;

  private static List<Prompt> prompts(int n) {
    String[] words = {"say", "one", "two", "red", "cat"};
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Prompt("p" + i, List.of(Message.user(words[i % words.length]))));
    }
    return out;
  }

  private static CheckpointEvaluator evaluator(int n) {
    return CheckpointEvaluator.builder(
            prompts(6),
            SamplingParams.builder().temperature(1).maxNewTokens(8).seed(11).build())
        .samplesPerPrompt(n)
        .build();
  }

  @Test
  void evaluate_policyAgainstItself_isHalfWithAllNSquaredComparisons() {
    Path dir = TinyPolicy.write(tmp.resolve("pi"), 3);
    CheckpointEvaluation e = evaluator(3).evaluate(dir, dir, new TinyPolicy.YesReward());
    assertThat(e.prompts()).isEqualTo(6);
    assertThat(e.comparisons()).isEqualTo(6 * 3 * 3);
    assertThat(e.winRate()).isCloseTo(0.5, within(1e-12));
    assertThat(e.lengthControlledWinRate()).isCloseTo(0.5, within(1e-6));
    assertThat(e.meanLength()).isEqualTo(e.baselineMeanLength());
  }

  @Test
  void evaluate_twoPolicies_readsEveryResponse_asAHandCount() {
    Path a = TinyPolicy.write(tmp.resolve("a"), 1);
    Path b = TinyPolicy.write(tmp.resolve("b"), 2);
    CheckpointEvaluator evaluator = evaluator(4);
    RewardModel byLength =
        batch -> batch.stream().mapToDouble(q -> q.response().length()).toArray();
    CheckpointEvaluation e = evaluator.evaluate(a, b, byLength);

    List<GeneratedSample> mine = evaluator.sample(a);
    List<GeneratedSample> theirs = evaluator.sample(b);
    double wins = 0;
    int n = 0;
    double length = 0;
    for (int p = 0; p < mine.size(); p++) {
      for (Completion x : mine.get(p).responses()) {
        length += LengthUnit.CHARACTERS.measure(x);
        for (Completion y : theirs.get(p).responses()) {
          int lx = x.text().length();
          int ly = y.text().length();
          wins += lx > ly ? 1 : lx == ly ? 0.5 : 0;
          n++;
        }
      }
    }
    assertThat(e.comparisons()).isEqualTo(n).isEqualTo(6 * 16);
    assertThat(e.winRate()).isCloseTo(wins / n, within(1e-12));
    assertThat(e.meanLength()).isCloseTo(length / (6 * 4), within(1e-12));
    assertThat(e.lengthControlledWinRate()).isBetween(0.0, 1.0);
  }

  @Test
  void compare_underAPreferenceModel_thresholdsAtHalfOverAllPairs() {
    Prompt prompt = prompts(1).get(0);
    GeneratedSample policy =
        new GeneratedSample(
            prompt, List.of(Completion.stopped("yes", 2), Completion.stopped("no", 2)));
    GeneratedSample baseline =
        new GeneratedSample(
            prompt, List.of(Completion.stopped("maybe", 2), Completion.stopped("no", 2)));
    List<Comparison> seen = new ArrayList<>();
    PreferenceModel likesYes =
        batch -> {
          seen.addAll(batch);
          return batch.stream()
              .mapToDouble(
                  c -> c.first().equals(c.second()) ? 0.5 : c.first().equals("yes") ? 0.9 : 0.2)
              .toArray();
        };
    CheckpointEvaluation e =
        evaluator(2).compare(List.of(policy), List.of(baseline), likesYes);
    assertThat(seen).hasSize(4);
    // yes>maybe 1, yes>no 1, no vs maybe 0, no vs no ½
    assertThat(e.winRate()).isCloseTo(2.5 / 4, within(1e-12));
    assertThat(e.meanLength()).isEqualTo(2.5);
    assertThat(e.baselineMeanLength()).isEqualTo(3.5);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> CheckpointEvaluator.builder(List.of(), SamplingParams.builder().seed(1).build()))
        .hasMessageContaining("prompts must not be null or empty");
    assertThatThrownBy(
            () ->
                CheckpointEvaluator.builder(prompts(1), SamplingParams.builder().seed(1).build())
                    .samplesPerPrompt(0))
        .hasMessageContaining("samplesPerPrompt must be >= 1 but was 0");
    assertThatThrownBy(() -> evaluator(1).sample(tmp.resolve("missing")))
        .hasMessageContaining("must be an existing model directory");
  }
}
