package dev.rlhf4j.sampling.exploration;

import dev.rlhf4j.api.LengthUnit;
import static dev.rlhf4j.sampling.exploration.Fixtures.prompt;
import static dev.rlhf4j.sampling.exploration.Fixtures.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreferenceKnockoutTest {
  private final ScriptedSampler policy = new ScriptedSampler();
  private final Map<String, Double> rewardOf = new HashMap<>();
  private final BradleyTerryPreferenceModel model =
      new BradleyTerryPreferenceModel(text -> rewardOf.get(text));

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Scripts prompt {@code id} with responses named {@code id-i} and the given rewards. */
  private void answer(String id, double... rewards) {
    Completion[] responses = new Completion[rewards.length];
    for (int i = 0; i < rewards.length; i++) {
      responses[i] = stop(id + "-" + i);
      rewardOf.put(id + "-" + i, rewards[i]);
    }
    policy.answer(id, responses);
  }

  private FakeContext context(PreferenceModel preferences) {
    return FakeContext.builder(policy).preferenceModel(preferences).build();
  }

  @Test
  void knockout_choosesTheBestAndTheWorstOfN() {
    answer("p", 0.3, 0.9, -1, 0.5, 0.2, 0.8, 0.1, 0.0);

    ExploreResult result =
        ExplorationStrategies.preferenceKnockout(8)
            .exploreWithStats(List.of(prompt("p")), context(model));

    assertThat(result.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("p-1");
              assertThat(pair.rejected()).isEqualTo("p-2");
              assertThat(pair.chosenScore().getAsDouble()).isCloseTo(sigmoid(1.9), within(1e-12));
              assertThat(pair.rejectedScore().getAsDouble())
                  .isCloseTo(1 - sigmoid(1.9), within(1e-12));
              assertThat(pair.source()).isEqualTo("iteration-1/preference-knockout");
            });
  }

  /**
   * Rewards rise with the index, so the worst (0) loses its first match to 1 and never meets the
   * best: both knockouts run in full and the final comparison is asked.
   */
  @ParameterizedTest(name = "n={0}")
  @CsvSource({
    "2, 1,     ''",
    "3, 1 1,   1",
    "4, 2 1,   1 1",
    "5, 2 1 1, 2 1",
    "7, 3 2 1, 3 1 1",
    "8, 4 2 1, 3 2 1",
    "9, 4 2 1 1, 4 2 1"
  })
  void knockout_usesNMinusOneComparisonsPerPassBatchedPerRound(
      int n, String firstPassRounds, String secondPassRounds) {
    List<Prompt> prompts = new ArrayList<>();
    for (String id : List.of("a", "b", "c")) {
      double[] rising = new double[n];
      for (int i = 0; i < n; i++) {
        rising[i] = i;
      }
      answer(id, rising);
      prompts.add(prompt(id));
    }
    List<Integer> first = rounds(firstPassRounds);
    List<Integer> second = rounds(secondPassRounds);
    assertThat(first.stream().mapToInt(Integer::intValue).sum()).isEqualTo(n - 1);
    assertThat(second.stream().mapToInt(Integer::intValue).sum()).isEqualTo(n - 2);

    ExploreResult result =
        ExplorationStrategies.preferenceKnockout(n).exploreWithStats(prompts, context(model));

    List<Integer> expectedBatches = new ArrayList<>();
    first.forEach(r -> expectedBatches.add(3 * r)); // one call per round for all 3 prompts
    second.forEach(r -> expectedBatches.add(3 * r));
    if (n > 2) {
      expectedBatches.add(3); // the final comparison
    }
    assertThat(model.batchSizes()).containsExactlyElementsOf(expectedBatches);
    long perPrompt = n == 2 ? 1 : 2L * n - 2;
    assertThat(model.comparisons()).isEqualTo(3 * perPrompt);
    assertThat(result.stats().preferenceComparisons()).isEqualTo(3 * perPrompt);
    assertThat(result.pairs())
        .extracting(PreferencePair::chosen)
        .containsExactly("a-" + (n - 1), "b-" + (n - 1), "c-" + (n - 1));
    assertThat(result.pairs())
        .extracting(PreferencePair::rejected)
        .containsExactly("a-0", "b-0", "c-0");
  }

  private static List<Integer> rounds(String spaced) {
    return spaced.isBlank()
        ? List.of()
        : Arrays.stream(spaced.trim().split("\\s+")).map(Integer::valueOf).toList();
  }

  @Test
  void knockout_reusesTheFirstPassMatchWhenTheBestAlreadyMetTheWorst() {
    answer("p", 3, 0, 1, 2); // round one: 0 beats 1 (the worst), 3 beats 2; 0 wins the final

    ExploreResult result =
        ExplorationStrategies.preferenceKnockout(4)
            .exploreWithStats(List.of(prompt("p")), context(model));

    assertThat(model.batchSizes()).containsExactly(2, 1, 1, 1); // no final comparison
    assertThat(result.stats().preferenceComparisons()).isEqualTo(5);
    assertThat(result.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("p-0");
              assertThat(pair.rejected()).isEqualTo("p-1");
              assertThat(pair.chosenScore().getAsDouble()).isCloseTo(sigmoid(3), within(1e-12));
            });
  }

  @Test
  void knockout_passesTheEarlierCandidateFirst() {
    answer("p", 0, 1, 2, 3);

    ExplorationStrategies.preferenceKnockout(4).explore(List.of(prompt("p")), context(model));

    assertThat(model.asked().subList(0, 2))
        .extracting(Comparison::first, Comparison::second)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("p-0", "p-1"),
            org.assertj.core.groups.Tuple.tuple("p-2", "p-3"));
    assertThat(model.asked().get(0).prompt()).isEqualTo(prompt("p").messages());
  }

  @Test
  void lengthPenalty_appliesToTheLogOdds() {
    String wordy = "w".repeat(100);
    policy.answer("p", stop(wordy), stop("brief"), stop("bad"));
    rewardOf.put(wordy, 1.0);
    rewardOf.put("brief", 0.5);
    rewardOf.put("bad", 0.0);
    SelectionRules perChar =
        SelectionRules.builder().lengthPenalty(0.01, LengthUnit.CHARACTERS).build();

    PreferencePair plain =
        ExplorationStrategies.preferenceKnockout(3)
            .explore(List.of(prompt("p")), context(model))
            .get(0);
    PreferencePair penalized =
        ExplorationStrategies.preferenceKnockout(3)
            .withSelection(perChar)
            .explore(List.of(prompt("p")), context(model))
            .get(0);

    assertThat(plain.chosen()).isEqualTo(wordy);
    // adjusted: wordy 1.0 − 1.0 = 0.0, brief 0.5 − 0.05 = 0.45, bad 0.0 − 0.03 = −0.03
    assertThat(penalized.chosen()).isEqualTo("brief");
    assertThat(penalized.rejected()).isEqualTo("bad");
    assertThat(penalized.chosenScore().getAsDouble()).isCloseTo(sigmoid(0.5), within(1e-12));
  }

  @Test
  void ties_droppedByDefaultAndKeptUnderKeep() {
    answer("p", 1, 1, 1, 1);

    ExploreResult dropped =
        ExplorationStrategies.preferenceKnockout(4)
            .exploreWithStats(List.of(prompt("p")), context(model));
    ExploreResult kept =
        ExplorationStrategies.preferenceKnockout(4)
            .withSelection(SelectionRules.builder().tiePolicy(TiePolicy.KEEP).build())
            .exploreWithStats(List.of(prompt("p")), context(model));

    assertThat(dropped.pairs()).isEmpty();
    assertThat(dropped.stats().droppedTies()).isEqualTo(1);
    assertThat(kept.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("p-0"); // ties go to the earlier candidate...
              assertThat(pair.rejected())
                  .isEqualTo("p-3"); // ...and to the later one in the worst-knockout
              assertThat(pair.chosenScore()).hasValue(0.5);
            });
  }

  @Test
  void ties_withinRoundingOfTheLogOddsAreDropped() {
    // P(a > b) a few float32 ulps from ½ (log-odds 4e-7): batch-row noise, not a preference
    answer("noise", 1, 1 + 4e-7);
    answer("real", 1, 1 + 1e-5);

    ExploreResult result =
        ExplorationStrategies.preferenceKnockout(2)
            .exploreWithStats(List.of(prompt("noise"), prompt("real")), context(model));

    assertThat(result.stats().droppedTies()).isEqualTo(1);
    assertThat(result.pairs()).singleElement()
        .satisfies(pair -> assertThat(pair.chosen()).isEqualTo("real-1"));
  }

  @Test
  void minMargin_isJudgedOnTheLogOdds() {
    answer("p", 0.3, 0);

    ExploreResult below =
        ExplorationStrategies.preferenceKnockout(2)
            .withSelection(SelectionRules.builder().minMargin(0.5).build())
            .exploreWithStats(List.of(prompt("p")), context(model));
    ExploreResult above =
        ExplorationStrategies.preferenceKnockout(2)
            .withSelection(SelectionRules.builder().minMargin(0.25).build())
            .exploreWithStats(List.of(prompt("p")), context(model));

    assertThat(below.stats().droppedBelowMargin()).isEqualTo(1);
    assertThat(above.pairs()).hasSize(1);
  }

  @Test
  void identicalBestAndWorst_droppedWithoutAFinalComparison() {
    policy.answer("p", stop("same"), stop("same"), stop("same"));
    rewardOf.put("same", 0.0);

    ExploreResult result =
        ExplorationStrategies.preferenceKnockout(3)
            .exploreWithStats(List.of(prompt("p")), context(model));

    assertThat(result.stats().droppedIdenticalText()).isEqualTo(1);
    assertThat(model.batchSizes()).containsExactly(1, 1, 1); // two passes, no final
  }

  @Test
  void nonTransitiveModel_finalComparisonDecidesTheOrder() {
    // rock-paper-scissors: 0 ≻ 1, 1 ≻ 2, 2 ≻ 0, each with probability 0.9
    policy.answer("p", stop("rock"), stop("scissors"), stop("paper"));
    Map<String, String> beats = Map.of("rock", "scissors", "scissors", "paper", "paper", "rock");
    PreferenceModel cycle =
        batch ->
            batch.stream()
                .mapToDouble(c -> beats.get(c.first()).equals(c.second()) ? 0.9 : 0.1)
                .toArray();

    ExploreResult result =
        ExplorationStrategies.preferenceKnockout(3)
            .exploreWithStats(List.of(prompt("p")), context(cycle));

    // best: rock beats scissors, paper beats rock → paper; worst of {rock, scissors}: scissors;
    // but scissors beats paper, so the final comparison makes scissors the chosen response
    assertThat(result.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("scissors");
              assertThat(pair.rejected()).isEqualTo("paper");
              assertThat(pair.chosenScore().getAsDouble()).isCloseTo(0.9, within(1e-12));
            });
  }

  @Test
  void missingPreferenceModel_failsClearly() {
    answer("p", 0, 1);
    FakeContext ctx = FakeContext.builder(policy).build();

    assertThatThrownBy(
            () -> ExplorationStrategies.preferenceKnockout(2).explore(List.of(prompt("p")), ctx))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("context has none");
  }

  @Test
  void modelBreakingItsContract_failsNamingIt() {
    answer("p", 0, 1);
    PreferenceModel nan = batch -> new double[] {Double.NaN};
    PreferenceModel short_ = batch -> new double[0];

    assertThatThrownBy(
            () ->
                ExplorationStrategies.preferenceKnockout(2)
                    .explore(List.of(prompt("p")), context(nan)))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("returned probability NaN for comparison 0");
    assertThatThrownBy(
            () ->
                ExplorationStrategies.preferenceKnockout(2)
                    .explore(List.of(prompt("p")), context(short_)))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("returned 0 probabilities for 1 comparisons");
  }

  @Test
  void certainPreferences_doNotBreakTheLogOdds() {
    answer("p", 100, -100, 0); // σ(200) rounds to exactly 1: log-odds +∞
    SelectionRules strict =
        SelectionRules.builder().minMargin(5).lengthPenalty(1, LengthUnit.CHARACTERS).build();

    ExploreResult result =
        ExplorationStrategies.preferenceKnockout(3)
            .withSelection(strict)
            .exploreWithStats(List.of(prompt("p")), context(model));

    assertThat(result.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("p-0");
              assertThat(pair.rejected()).isEqualTo("p-1");
              assertThat(pair.chosenScore()).hasValue(1.0);
            });
  }
}
