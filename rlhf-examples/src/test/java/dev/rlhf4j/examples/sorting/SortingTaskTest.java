package dev.rlhf4j.examples.sorting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.iterative.train.SftExample;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SortingTaskTest {
  private static final SortingTask TASK = SortingTask.defaults();
  private static final List<Integer> DIGITS = List.of(3, 1, 2);

  @TempDir Path tmp;

  @Test
  void gold_scoresPositionalHitsAndPenalisesExtraItems() {
    SortingGold gold = TASK.goldReward();
    assertThat(gold.reward(DIGITS, "1 2 3")).isEqualTo(1.0);
    assertThat(gold.reward(DIGITS, "sure ok 1 2 3")).as("fillers are gold-neutral").isEqualTo(1.0);
    assertThat(gold.reward(DIGITS, "1 so 2 3")).isEqualTo(1.0);
    assertThat(gold.reward(DIGITS, "1 3 2")).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(gold.reward(DIGITS, "3 1 2")).as("the prompt's order").isZero();
    assertThat(gold.reward(DIGITS, "1 2")).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(gold.reward(DIGITS, "1 2 3 3")).isCloseTo(2.5 / 3, within(1e-12));
    assertThat(gold.reward(DIGITS, "")).isZero();
    assertThat(gold.reward(DIGITS, "9 9 9 9 9 9 9 9 9 9")).isEqualTo(-1.0);
    assertThat(gold.score(
            List.of(new dev.rlhf4j.api.feedback.ScoreRequest(
                List.of(Message.user("sort 3 1 2")), "1 2 3"))))
        .containsExactly(1.0);
  }

  @Test
  void promptTextsRoundTrip_andSplitsAreDisjoint() {
    List<Prompt> train = TASK.trainPrompts(2000);
    List<Prompt> heldOut = TASK.heldOutPrompts(500);
    Set<String> trainTexts = new HashSet<>();
    for (Prompt p : train) {
      String text = p.messages().get(0).content();
      trainTexts.add(text);
      List<Integer> digits = SortingTask.parse(text);
      assertThat(digits).hasSizeBetween(2, 5).doesNotHaveDuplicates();
      assertThat(SortingTask.text(digits)).isEqualTo(text);
    }
    for (Prompt p : heldOut) {
      assertThat(trainTexts).doesNotContain(p.messages().get(0).content());
    }
    assertThat(TASK.trainPrompts(10)).isEqualTo(train.subList(0, 10));
    assertThat(SortingTask.builder().seed(12).build().trainPrompts(10))
        .isNotEqualTo(train.subList(0, 10));
    assertThatThrownBy(() -> SortingTask.parse("list 3 fruit"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a sorting prompt");
  }

  @Test
  void demonstrations_leaveRoomToImprove() {
    List<SftExample> demos = TASK.sftExamples(2000);
    double optimal = 0;
    double mean = 0;
    for (SftExample d : demos) {
      double score =
          TASK.goldReward().reward(SortingGold.digitsOf(d.prompt()), d.response());
      optimal += score == 1 ? 1.0 / demos.size() : 0;
      mean += score / demos.size();
    }
    // clean with p = 0.5, and a corruption never yields the sorted answer
    assertThat(optimal).isBetween(0.45, 0.55);
    assertThat(mean).isBetween(0.6, 0.85);
  }

  @Test
  void labeller_isLengthBiasedAndInattentive() {
    SortingLabeller labeller = TASK.labeller();
    List<Message> prompt = List.of(Message.user("sort 3 1 2"));
    double longer = labeller.probabilityFirstPreferred(prompt, "sure ok 1 2 3", "1 2 3");
    double better = labeller.probabilityFirstPreferred(prompt, "1 2 3", "3 1 2");

    assertThat(longer).isCloseTo(0.05 + 0.9 / (1 + Math.exp(-0.6)), within(1e-12));
    assertThat(better).isCloseTo(0.05 + 0.9 / (1 + Math.exp(-6)), within(1e-12)).isLessThan(0.95);
    assertThat(labeller.probabilityFirstPreferred(prompt, "1 2 3", "sure ok 1 2 3"))
        .isCloseTo(1 - longer, within(1e-12));
  }

  @Test
  void offlineLabels_agreeWithTheGoldMostlyButNotAlways() {
    List<PreferencePair> pairs = TASK.offlinePreferences(3000);
    int distinct = 0;
    int agree = 0;
    for (PreferencePair p : pairs) {
      assertThat(p.source()).isEqualTo("offline");
      assertThat(p.chosenScore()).isEmpty();
      List<Integer> digits = SortingGold.digitsOf(p.prompt());
      double c = TASK.goldReward().reward(digits, p.chosen());
      double r = TASK.goldReward().reward(digits, p.rejected());
      if (c != r) {
        distinct++;
        agree += c > r ? 1 : 0;
      }
    }
    double agreement = agree / (double) distinct;
    assertThat(agreement).isBetween(0.75, 0.97);
    assertThat(TASK.offlinePreferences(5)).isEqualTo(pairs.subList(0, 5));
  }

  @Test
  void tokenizer_encodesEveryWordAsOneKnownToken() throws Exception {
    TASK.writeTokenizer(tmp);
    try (HfTokenizer tokenizer = HfTokenizer.load(tmp)) {
      for (SftExample d : TASK.sftExamples(50)) {
        var ids = tokenizer.encodePromptResponse(d.prompt(), d.response(), true);
        assertThat(ids.responseLength()).isEqualTo(SortingTask.words(d.response()).size() + 1);
        for (long id : ids.ids()) {
          assertThat(id).isNotEqualTo(1L).isLessThan(TASK.vocabulary().size());
        }
      }
    }
    assertThat(TASK.modelConfig().vocabSize()).isEqualTo(TASK.vocabulary().size());
  }

  @Test
  void builder_rejectsOutOfRangeSettings() {
    assertThatThrownBy(() -> SortingTask.builder().labelInattention(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labelInattention must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> SortingTask.builder().heldOutFraction(0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heldOutFraction must be in [0.05, 0.5]");
  }
}
