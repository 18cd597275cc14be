package dev.rlhf4j.sampling.exploration;

import dev.rlhf4j.api.LengthUnit;
import static dev.rlhf4j.sampling.exploration.Fixtures.cut;
import static dev.rlhf4j.sampling.exploration.Fixtures.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.PreferencePair;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectionRulesTest {
  private final ScriptedSampler policy = new ScriptedSampler();
  private final TableRewardModel rewards = new TableRewardModel();
  private final FakeContext ctx = FakeContext.builder(policy).rewardModel(rewards).build();

  private final Map<String, Integer> widths = new HashMap<>();

  private void answer(String promptId, Completion... completions) {
    policy.answer(promptId, completions);
    widths.put(promptId, completions.length);
  }

  /** Rejection sampling over every scripted response of the prompts, under {@code rules}. */
  private ExploreResult bestVsWorst(SelectionRules rules, String... promptIds) {
    return ExplorationStrategies.rejectionSampling(widths.get(promptIds[0]))
        .withSelection(rules)
        .exploreWithStats(Arrays.stream(promptIds).map(Fixtures::prompt).toList(), ctx);
  }

  @Test
  void ties_droppedByDefault() {
    answer("p", stop("a"), stop("b"), stop("c"));
    rewards.reward("a", 0.5).reward("b", 0.5).reward("c", 0.5);

    ExploreResult result = bestVsWorst(SelectionRules.defaults(), "p");

    assertThat(result.pairs()).isEmpty();
    assertThat(result.stats().droppedTies()).isEqualTo(1);
    assertThat(result.stats().dropped()).isEqualTo(1);
  }

  @Test
  void ties_withinFloat32RoundingAreDropped_largerMarginsKept() {
    // the same response in two batch rows can score a few ulps apart (AVX-512 kernels): a tie
    answer("noise", stop("a"), stop("b"));
    rewards.reward("a", 0.5).reward("b", Math.nextUp(Math.nextUp((float) 0.5)));
    answer("large", stop("c"), stop("d"));
    rewards.reward("c", 1e4).reward("d", 1e4 + 5e-3); // within 1e-6 of the rewards' size
    answer("real", stop("e"), stop("f"));
    rewards.reward("e", 0.5).reward("f", 0.5 + 1e-5);

    ExploreResult result = bestVsWorst(SelectionRules.defaults(), "noise", "large", "real");

    assertThat(result.stats().droppedTies()).isEqualTo(2);
    assertThat(result.pairs()).singleElement().satisfies(p -> assertThat(p.chosen()).isEqualTo("f"));
    assertThat(SelectionRules.isTie(1e-6, 0)).isTrue();
    assertThat(SelectionRules.isTie(-1.1e-6, 0.5)).isFalse();
    assertThat(SelectionRules.isTie(9e-3, 1e4)).isTrue();
  }

  @Test
  void ties_keptUnderTiePolicyKeep() {
    answer("p", stop("a"), stop("b"), stop("c"));
    rewards.reward("a", 0.5).reward("b", 0.5).reward("c", 0.5);

    ExploreResult result =
        bestVsWorst(SelectionRules.builder().tiePolicy(TiePolicy.KEEP).build(), "p");

    assertThat(result.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("a"); // lowest index wins a tie
              assertThat(pair.rejected()).isEqualTo("b");
              assertThat(pair.margin()).hasValue(0.0);
            });
    assertThat(result.stats().droppedTies()).isZero();
  }

  @Test
  void minMargin_dropsPairsBelowItAndKeepsOneEqualToIt() {
    answer("close", stop("c1"), stop("c2"));
    answer("exact", stop("e1"), stop("e2"));
    answer("far", stop("f1"), stop("f2"));
    rewards.reward("c1", 0.5).reward("c2", 0.375); // margin 0.125
    rewards.reward("e1", 0.75).reward("e2", 0.5); // margin 0.25
    rewards.reward("f1", 1.0).reward("f2", -1.0); // margin 2

    ExploreResult result =
        bestVsWorst(SelectionRules.builder().minMargin(0.25).build(), "close", "exact", "far");

    assertThat(result.pairs()).extracting(PreferencePair::chosen).containsExactly("e1", "f1");
    assertThat(result.stats().droppedBelowMargin()).isEqualTo(1);
    assertThat(result.stats().pairs()).isEqualTo(2);
  }

  @Test
  void lengthPenalty_charactersAndTokensChooseDifferently() {
    // "wordy": 100 characters in 5 tokens; "dense": 10 characters in 50 tokens
    String wordy = "w".repeat(100);
    String dense = "d".repeat(10);
    answer("p", stop(wordy, 5), stop(dense, 50), stop("mid", 20));
    rewards.reward(wordy, 1.0).reward(dense, 0.9).reward("mid", 0.3);

    ExploreResult byChars =
        bestVsWorst(
            SelectionRules.builder().lengthPenalty(0.01, LengthUnit.CHARACTERS).build(), "p");
    ExploreResult byTokens =
        bestVsWorst(SelectionRules.builder().lengthPenalty(0.01, LengthUnit.TOKENS).build(), "p");

    // characters: wordy 1.0 − 1.0 = 0.0, dense 0.9 − 0.1 = 0.8, mid 0.3 − 0.03 = 0.27
    assertThat(byChars.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo(dense);
              assertThat(pair.rejected()).isEqualTo(wordy);
            });
    // tokens: wordy 1.0 − 0.05 = 0.95, dense 0.9 − 0.5 = 0.4, mid 0.3 − 0.2 = 0.1
    assertThat(byTokens.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo(wordy);
              assertThat(pair.rejected()).isEqualTo("mid");
            });
  }

  @Test
  void recordedScores_areTheRawRewardsNotTheAdjustedOnes() {
    String wordy = "w".repeat(100);
    answer("p", stop(wordy, 5), stop("short", 1), stop("bad", 1));
    rewards.reward(wordy, 1.0).reward("short", 0.9).reward("bad", -1.0);

    ExploreResult result =
        bestVsWorst(
            SelectionRules.builder().lengthPenalty(0.01, LengthUnit.CHARACTERS).build(), "p");

    // adjusted: wordy 1.0 − 1.0 = 0.0, short 0.9 − 0.05 = 0.85, bad −1.0 − 0.03 = −1.03
    assertThat(result.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("short");
              assertThat(pair.rejected()).isEqualTo("bad");
              assertThat(pair.chosenScore()).hasValue(0.9);
              assertThat(pair.rejectedScore()).hasValue(-1.0);
            });
  }

  @Test
  void missingEosPenalty_appliesOnlyToLengthFinishedResponses() {
    answer("p", cut("truncated", 64), stop("complete", 12), stop("poor", 12));
    rewards.reward("truncated", 1.0).reward("complete", 0.8).reward("poor", 0.1);

    ExploreResult without = bestVsWorst(SelectionRules.defaults(), "p");
    ExploreResult with = bestVsWorst(SelectionRules.builder().missingEosPenalty(0.5).build(), "p");
    ExploreResult harsh = bestVsWorst(SelectionRules.builder().missingEosPenalty(2).build(), "p");

    assertThat(without.pairs().get(0).chosen()).isEqualTo("truncated");
    assertThat(with.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("complete"); // truncated: 1.0 − 0.5 = 0.5 < 0.8
              assertThat(pair.rejected()).isEqualTo("poor");
              assertThat(pair.chosenScore()).hasValue(0.8);
            });
    assertThat(harsh.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("complete");
              assertThat(pair.rejected()).isEqualTo("truncated"); // 1.0 − 2 = −1 < 0.1
            });
    assertThat(with.stats().truncatedResponses()).isEqualTo(1);
    assertThat(with.stats().responses()).isEqualTo(3);
  }

  @Test
  void identicalTexts_droppedByDefaultAndKeptWhenAllowed() {
    // the same text twice; the token-length penalty separates them, so only the text rule drops it
    answer("p", stop("same", 3), stop("same", 30));
    rewards.reward("same", 1.0);
    SelectionRules byTokens =
        SelectionRules.builder().lengthPenalty(0.1, LengthUnit.TOKENS).build();

    ExploreResult dropped = bestVsWorst(byTokens, "p");
    ExploreResult kept = bestVsWorst(byTokens.toBuilder().dropIdenticalText(false).build(), "p");

    assertThat(dropped.pairs()).isEmpty();
    assertThat(dropped.stats().droppedIdenticalText()).isEqualTo(1);
    assertThat(kept.pairs())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.chosen()).isEqualTo("same");
              assertThat(pair.rejected()).isEqualTo("same");
            });
  }

  @Test
  void identicalTexts_countedBeforeTies() {
    answer("p", stop("same"), stop("same"));
    rewards.reward("same", 1.0);

    ExploreResult result = bestVsWorst(SelectionRules.defaults(), "p");

    assertThat(result.stats().droppedIdenticalText()).isEqualTo(1);
    assertThat(result.stats().droppedTies()).isZero();
  }

  @Test
  void characters_areCodePoints() {
    Completion emoji = stop("a\uD83D\uDE00b", 2); // 'a', U+1F600, 'b': 3 characters, 4 chars
    assertThat(LengthUnit.CHARACTERS.measure(emoji)).isEqualTo(3);
    assertThat(LengthUnit.TOKENS.measure(emoji)).isEqualTo(2);
    assertThat(LengthPenalty.of(0.5, LengthUnit.CHARACTERS).penalty(emoji)).isEqualTo(1.5);
    assertThat(LengthPenalty.NONE.penalty(emoji)).isZero();
  }

  @Test
  void adjustedReward_subtractsLengthAndMissingEosPenalties() {
    SelectionRules rules =
        SelectionRules.builder()
            .lengthPenalty(0.25, LengthUnit.TOKENS)
            .missingEosPenalty(1)
            .build();

    assertThat(rules.adjustedReward(cut("x", 4), 3.0)).isEqualTo(3.0 - 1.0 - 1.0);
    assertThat(rules.adjustedReward(stop("x", 4), 3.0)).isEqualTo(3.0 - 1.0);
  }

  @Test
  void builder_rejectsValuesOutOfRangeNamingThem() {
    assertThatThrownBy(() -> SelectionRules.builder().minMargin(-0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minMargin must be >= 0 and finite but was -0.1");
    assertThatThrownBy(() -> SelectionRules.builder().minMargin(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was NaN");
    assertThatThrownBy(() -> SelectionRules.builder().lengthPenalty(-0.001, LengthUnit.TOKENS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("length penalty lambda must be >= 0 and finite but was -0.001");
    assertThatThrownBy(() -> SelectionRules.builder().lengthPenalty(0.1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unit must not be null");
    assertThatThrownBy(() -> SelectionRules.builder().missingEosPenalty(-2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("missingEosPenalty must be >= 0 and finite but was -2.0");
    assertThatThrownBy(() -> SelectionRules.builder().tiePolicy(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void build_rejectsKeepingTiesWithAPositiveMargin() {
    SelectionRules.Builder builder =
        SelectionRules.builder().tiePolicy(TiePolicy.KEEP).minMargin(0.5);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tiePolicy KEEP")
        .hasMessageContaining("minMargin 0.5 > 0");
  }

  @Test
  void toBuilder_roundTrips() {
    SelectionRules rules =
        SelectionRules.builder()
            .tiePolicy(TiePolicy.DROP)
            .minMargin(0.2)
            .lengthPenalty(0.003, LengthUnit.TOKENS)
            .missingEosPenalty(0.7)
            .dropIdenticalText(false)
            .build();

    assertThat(rules.toBuilder().build()).isEqualTo(rules);
    assertThat(SelectionRules.builder().build()).isEqualTo(SelectionRules.defaults());
    assertThat(SelectionRules.defaults())
        .isEqualTo(new SelectionRules(TiePolicy.DROP, 0, LengthPenalty.NONE, 0, true));
  }
}
