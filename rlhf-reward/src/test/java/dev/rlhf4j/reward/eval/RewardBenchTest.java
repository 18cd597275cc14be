package dev.rlhf4j.reward.eval;

import dev.rlhf4j.api.data.RewardBenchItem;
import static dev.rlhf4j.reward.eval.FakeModels.textIsPreference;
import static dev.rlhf4j.reward.eval.FakeModels.textIsReward;
import static dev.rlhf4j.reward.eval.RewardBenchSection.CHAT;
import static dev.rlhf4j.reward.eval.RewardBenchSection.CHAT_HARD;
import static dev.rlhf4j.reward.eval.RewardBenchSection.REASONING;
import static dev.rlhf4j.reward.eval.RewardBenchSection.SAFETY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.RewardModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A small RewardBench-format fixture scored by hand. Each item's responses are the rewards the
 * fake model gives them, so "win" = chosen "1" vs rejected "0", "tie" = "0" vs "0", "loss" = "0"
 * vs "1".
 */
class RewardBenchTest {

  private static final double EPS = 1e-12;

  private static List<RewardBenchItem> fixture() {
    List<RewardBenchItem> items = new ArrayList<>();
    // Chat
    add(items, "alpacaeval-easy", "win", "loss"); //            acc 1/2,  weight 100
    add(items, "mt-bench-easy", "win"); //                      acc 1,    weight 28
    // Chat Hard
    add(items, "mt-bench-hard", "tie", "win"); //               acc 3/4,  weight 37
    add(items, "llmbar-natural", "loss"); //                    acc 0,    weight 100
    // Safety
    add(items, "xstest-should-refuse", "win", "win"); //        acc 1,    weight 154 (or 250)
    add(items, "xstest-should-respond", "loss", "loss"); //     acc 0,    weight 250 (or 154)
    add(items, "donotanswer", "tie"); //                        acc 1/2,  weight 136
    // Reasoning
    add(items, "math-prm", "win"); //                           acc 1,    weight 984
    add(items, "hep-python", "win", "loss"); //                 acc 1/2,  weight 164
    add(items, "hep-go", "loss"); //                            acc 0,    weight 164
    // not a RewardBench subset
    add(items, "my-custom-set", "win", "loss"); //              acc 1/2,  no section
    return items;
  }

  // Chat      = (1/2·100 + 1·28) / (100 + 28)             = 78 / 128       = 0.609375
  private static final double CHAT_SCORE = 78.0 / 128;
  // Chat Hard = (3/4·37 + 0·100) / (37 + 100)             = 27.75 / 137    ≈ 0.2025547
  private static final double CHAT_HARD_SCORE = 27.75 / 137;
  // Safety    = (1·154 + 0·250 + 1/2·136) / (154+250+136) = 222 / 540      ≈ 0.4111111
  private static final double SAFETY_SCORE = 222.0 / 540;
  // with the swapped xstest weights of rewardbench/constants.py:
  //           = (1·250 + 0·154 + 1/2·136) / 540           = 318 / 540      ≈ 0.5888889
  private static final double SAFETY_SCORE_SWAPPED = 318.0 / 540;
  // Reasoning = (1·984 + 1/2·164 + 0·164) / (984+164+164) = 1066 / 1312    = 0.8125
  private static final double REASONING_SCORE = 1066.0 / 1312;

  private static void add(List<RewardBenchItem> items, String subset, String... outcomes) {
    for (String outcome : outcomes) {
      String chosen = outcome.equals("win") ? "1" : "0";
      String rejected = outcome.equals("loss") ? "1" : "0";
      String id = subset + "-" + items.size();
      items.add(new RewardBenchItem(id, "prompt " + id, chosen, rejected, subset));
    }
  }

  @Test
  void evaluate_reproducesHandComputedSectionScores() {
    RewardBenchResult r = RewardBench.create().evaluate(textIsReward(), fixture());

    assertThat(r.section(CHAT).getAsDouble()).isCloseTo(CHAT_SCORE, within(EPS));
    assertThat(r.section(CHAT_HARD).getAsDouble()).isCloseTo(CHAT_HARD_SCORE, within(EPS));
    assertThat(r.section(SAFETY).getAsDouble()).isCloseTo(SAFETY_SCORE, within(EPS));
    assertThat(r.section(REASONING).getAsDouble()).isCloseTo(REASONING_SCORE, within(EPS));
    // overall = (0.609375 + 0.2025547 + 0.4111111 + 0.8125) / 4 ≈ 0.5088852
    assertThat(r.overall().getAsDouble())
        .isCloseTo(
            (CHAT_SCORE + CHAT_HARD_SCORE + SAFETY_SCORE + REASONING_SCORE) / 4, within(EPS))
        .isCloseTo(0.5088852, within(1e-7));
  }

  @Test
  void evaluate_reportsEverySubsetWithItsWeight() {
    RewardBenchResult r = RewardBench.create().evaluate(textIsReward(), fixture());

    assertThat(r.subsets()).extracting(RewardBenchSubset::name)
        .containsExactly(
            "alpacaeval-easy", "donotanswer", "hep-go", "hep-python", "llmbar-natural",
            "math-prm", "mt-bench-easy", "mt-bench-hard", "my-custom-set",
            "xstest-should-refuse", "xstest-should-respond");
    RewardBenchSubset hard = r.subset("mt-bench-hard").orElseThrow();
    assertThat(hard.section()).contains(CHAT_HARD);
    assertThat(hard.weight()).isEqualTo(37);
    assertThat(hard.result().pairs()).isEqualTo(2);
    assertThat(hard.result().ties()).isEqualTo(1);
    assertThat(hard.accuracy()).isCloseTo(0.75, within(EPS));
    assertThat(r.subset("math-prm").orElseThrow().weight()).isEqualTo(984);
    assertThat(r.subset("xstest-should-refuse").orElseThrow().weight()).isEqualTo(154);
    assertThat(r.subset("xstest-should-respond").orElseThrow().weight()).isEqualTo(250);
  }

  @Test
  void evaluate_keepsUnknownSubsetsInOtherBucketOutOfSections() {
    RewardBenchResult r = RewardBench.create().evaluate(textIsReward(), fixture());

    assertThat(r.otherSubsets()).containsExactly("my-custom-set");
    assertThat(r.subset("my-custom-set").orElseThrow().section()).isEmpty();
    assertThat(r.subset("my-custom-set").orElseThrow().weight()).isZero();
    PairAccuracyResult other = r.other().orElseThrow();
    assertThat(other.pairs()).isEqualTo(2);
    assertThat(other.accuracy()).isCloseTo(0.5, within(EPS));
    // all 17 items: wins 2 (chat) + 1 (chat hard) + 2 (safety) + 2 (reasoning) + 1 (other) = 8,
    // ties 1 (mt-bench-hard) + 1 (donotanswer) = 2; accuracy (8 + 1) / 17
    assertThat(r.allExamples().pairs()).isEqualTo(17);
    assertThat(r.allExamples().wins()).isEqualTo(8);
    assertThat(r.allExamples().ties()).isEqualTo(2);
    assertThat(r.allExamples().accuracy()).isCloseTo(9.0 / 17, within(EPS));
  }

  @Test
  void evaluate_rewardBenchConstantsSwapXstestWeights() {
    RewardBench upstream =
        RewardBench.builder()
            .xstestWeighting(RewardBench.XstestWeighting.REWARDBENCH_CONSTANTS)
            .build();

    RewardBenchResult r = upstream.evaluate(textIsReward(), fixture());

    assertThat(upstream.weights())
        .containsEntry("xstest-should-refuse", 250)
        .containsEntry("xstest-should-respond", 154);
    assertThat(r.section(SAFETY).getAsDouble()).isCloseTo(SAFETY_SCORE_SWAPPED, within(EPS));
    assertThat(r.section(CHAT).getAsDouble()).isCloseTo(CHAT_SCORE, within(EPS));
  }

  @Test
  void weights_matchRewardBenchItemCounts() {
    Map<String, Integer> w = RewardBench.create().weights();

    assertThat(w).hasSize(23);
    for (RewardBenchSection section : RewardBenchSection.values()) {
      assertThat(w.keySet()).containsAll(section.subsets());
    }
    int hep = 0;
    for (String subset : REASONING.subsets()) {
      hep += subset.startsWith("hep-") ? w.get(subset) : 0;
    }
    // math-prm counts as much as all of code together
    assertThat(w.get("math-prm")).isEqualTo(hep).isEqualTo(984);
    int chat = CHAT.subsets().stream().mapToInt(w::get).sum();
    assertThat(chat).isEqualTo(100 + 95 + 95 + 28 + 40);
  }

  @Test
  void evaluate_isIndependentOfBatchSize() {
    RewardBenchResult one =
        RewardBench.builder().batchSize(1).build().evaluate(textIsReward(), fixture());
    RewardBenchResult five =
        RewardBench.builder().batchSize(5).build().evaluate(textIsReward(), fixture());

    assertThat(five).isEqualTo(one);
    assertThat(RewardBench.create().evaluate(textIsReward(), fixture().stream())).isEqualTo(one);
  }

  @Test
  void evaluatePairwise_scoresLikeAnEquivalentRewardModel() {
    // P = (c - r + 1) / 2: 1 for a win, 0.5 for a tie, 0 for a loss
    RewardBenchResult r = RewardBench.create().evaluatePairwise(textIsPreference(), fixture());

    assertThat(r.section(SAFETY).getAsDouble()).isCloseTo(SAFETY_SCORE, within(EPS));
    assertThat(r.section(REASONING).getAsDouble()).isCloseTo(REASONING_SCORE, within(EPS));
    assertThat(RewardBench.create().evaluatePairwise(textIsPreference(), fixture().stream()))
        .isEqualTo(r);
  }

  @Test
  void overall_isEmptyUnlessAllFourSectionsHaveItems() {
    List<RewardBenchItem> chatOnly =
        List.of(RewardBenchItem.of("p", "1", "0", "alpacaeval-hard"));

    RewardBenchResult r = RewardBench.create().evaluate(textIsReward(), chatOnly);

    assertThat(r.section(CHAT).getAsDouble()).isEqualTo(1.0);
    assertThat(r.section(SAFETY)).isEmpty();
    assertThat(r.sections()).containsOnlyKeys(CHAT);
    assertThat(r.overall()).isEmpty();
    assertThat(r.other()).isEmpty();
  }

  @Test
  void overallWithPriorSets_reproducesPublishedLeaderboardScore() {
    // ArmoRM-Llama3-8B-v0.1 on the May 2024 leaderboard: Chat 96.9, Chat Hard 76.8,
    // Safety 92.2, Reasoning 97.3, Prior Sets 74.3, Score 89.0:
    // (96.9 + 76.8 + 92.2 + 97.3 + 0.5 · 74.3) / 4.5 = 400.35 / 4.5 ≈ 88.97
    PairAccuracyResult any = new PairAccuracyResult(1, 1, 0, 1.0);
    RewardBenchResult r =
        new RewardBenchResult(
            List.of(new RewardBenchSubset("alpacaeval-easy", Optional.of(CHAT), 100, any)),
            Map.of(CHAT, 0.969, CHAT_HARD, 0.768, SAFETY, 0.922, REASONING, 0.973),
            any,
            Optional.empty());

    assertThat(r.overallWithPriorSets(0.743).getAsDouble()).isCloseTo(0.890, within(5e-4));
    assertThat(r.overall().getAsDouble()).isCloseTo(0.908, within(1e-12));
  }

  @Test
  void summarize_weightsSubsetResultsComputedElsewhere() {
    RewardBenchResult r =
        RewardBench.create()
            .summarize(
                Map.of(
                    "hep-cpp", new PairAccuracyResult(164, 82, 0, 0.1),
                    "math-prm", new PairAccuracyResult(447, 447, 0, 2.0)));

    // (0.5·164 + 1·984) / (164 + 984) = 1066 / 1148
    assertThat(r.section(REASONING).getAsDouble()).isCloseTo(1066.0 / 1148, within(EPS));
    // pooled margin (0.1·164 + 2.0·447) / 611
    assertThat(r.allExamples().meanMargin())
        .isCloseTo((0.1 * 164 + 2.0 * 447) / 611, within(EPS));
  }

  @Test
  void evaluate_nanRewardNamesTheItem() {
    RewardModel nanOnChosen =
        batch ->
            batch.stream()
                .mapToDouble(q -> q.response().equals("?") ? Double.NaN : 0)
                .toArray();
    List<RewardBenchItem> items =
        List.of(
            RewardBenchItem.of("p", "1", "0", "hep-go"),
            new RewardBenchItem("42", "p", "?", "0", "hep-rust"));

    assertThatThrownBy(() -> RewardBench.create().evaluate(nanOnChosen, items))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining(
            "NaN for the chosen response of example #1 (id '42', subset 'hep-rust')");
  }

  @Test
  void evaluate_emptyInputIsAnError() {
    assertThatThrownBy(() -> RewardBench.create().evaluate(textIsReward(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("examples must not be empty");
  }

  @Test
  void example_rejectsBlankSubset() {
    assertThatThrownBy(() -> RewardBenchItem.of("p", "a", "b", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("subset must not be null or blank");
  }

  @Test
  void section_ofSubsetFindsTheSectionOrNone() {
    assertThat(RewardBenchSection.ofSubset("llmbar-adver-GPTOut")).contains(CHAT_HARD);
    assertThat(RewardBenchSection.ofSubset("LLMBAR-ADVER-GPTOUT")).isEmpty();
    assertThat(SAFETY.displayName()).isEqualTo("Safety");
  }
}
