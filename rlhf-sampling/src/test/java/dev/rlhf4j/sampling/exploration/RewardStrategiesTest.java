package dev.rlhf4j.sampling.exploration;

import static dev.rlhf4j.sampling.exploration.Fixtures.prompt;
import static dev.rlhf4j.sampling.exploration.Fixtures.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.exploration.Sampler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RewardStrategiesTest {

  /** Prompt "p": eight responses r0..r7 with rewards 0.3, 0.9, -1, 0.5, 0.2, 0.8, 0.1, 0.0. */
  private static final double[] EIGHT = {0.3, 0.9, -1, 0.5, 0.2, 0.8, 0.1, 0.0};

  private final ScriptedSampler policy = new ScriptedSampler();
  private final TableRewardModel rewards = new TableRewardModel();

  private FakeContext eightResponses() {
    Completion[] responses = new Completion[EIGHT.length];
    for (int i = 0; i < EIGHT.length; i++) {
      responses[i] = stop("r" + i);
      rewards.reward("r" + i, EIGHT[i]);
    }
    policy.answer("p", responses);
    return FakeContext.builder(policy).rewardModel(rewards).build();
  }

  /**
   * {@code prompts} prompts p0.. each answered by eight distinct responses with distinct rewards.
   */
  private FakeContext manyPrompts(int prompts, long seed) {
    for (int p = 0; p < prompts; p++) {
      Completion[] responses = new Completion[8];
      for (int i = 0; i < 8; i++) {
        String text = "p" + p + "-r" + i;
        responses[i] = stop(text);
        rewards.reward(text, ((i * 5 + p) % 8) / 8.0);
      }
      policy.answer("p" + p, responses);
    }
    return FakeContext.builder(policy).rewardModel(rewards).seed(seed).build();
  }

  private static List<Prompt> prompts(int count) {
    List<Prompt> out = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      out.add(prompt("p" + p));
    }
    return out;
  }

  @Test
  void rejectionSampling_choosesBestAndWorstByReward() {
    FakeContext ctx = eightResponses();

    ExploreResult result =
        ExplorationStrategies.rejectionSampling(8).exploreWithStats(List.of(prompt("p")), ctx);

    assertThat(result.pairs()).hasSize(1);
    PreferencePair pair = result.pairs().get(0);
    assertThat(pair.chosen()).isEqualTo("r1");
    assertThat(pair.rejected()).isEqualTo("r2");
    assertThat(pair.chosenScore()).hasValue(0.9);
    assertThat(pair.rejectedScore()).hasValue(-1.0);
    assertThat(pair.prompt()).isEqualTo(prompt("p").messages());
    assertThat(pair.source()).isEqualTo("iteration-1/rejection-sampling");
    assertThat(policy.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.n()).isEqualTo(8);
              assertThat(c.params()).isEqualTo(ctx.sampling());
            });
    assertThat(result.stats()).isEqualTo(new SelectionStats(1, 8, 0, 1, 0, 0, 0, 0));
  }

  @Test
  void topTwo_choosesBestAgainstSecondBest() {
    FakeContext ctx = eightResponses();

    List<PreferencePair> pairs = ExplorationStrategies.topTwo(8).explore(List.of(prompt("p")), ctx);

    assertThat(pairs)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.chosen()).isEqualTo("r1");
              assertThat(p.rejected()).isEqualTo("r5");
              assertThat(p.source()).isEqualTo("iteration-1/top-two");
            });
  }

  @Test
  void maxVsRandom_choosesBestAgainstEveryOtherResponseSometimes() {
    FakeContext ctx = manyPrompts(200, 1);
    Set<Integer> rejectedIndices = new HashSet<>();

    List<PreferencePair> pairs = ExplorationStrategies.maxVsRandom(8).explore(prompts(200), ctx);

    assertThat(pairs).hasSize(200);
    for (int p = 0; p < 200; p++) {
      PreferencePair pair = pairs.get(p);
      assertThat(pair.chosenScore()).hasValue(7 / 8.0); // the best of every prompt scores 7/8
      assertThat(pair.rejected()).isNotEqualTo(pair.chosen());
      rejectedIndices.add(
          Integer.parseInt(pair.rejected().substring(pair.rejected().indexOf('r') + 1)));
    }
    // 200 uniform draws among 7 others: every other index turns up
    int bestOfFirst = 3; // prompt p0: reward (5i mod 8)/8 peaks at i = 3
    assertThat(pairs.get(0).chosen()).isEqualTo("p0-r" + bestOfFirst);
    assertThat(rejectedIndices).hasSize(8);
  }

  @Test
  void randomPair_ordersTheTwoDrawsByReward() {
    FakeContext ctx = manyPrompts(100, 3);

    ExploreResult result = ExplorationStrategies.randomPair(8).exploreWithStats(prompts(100), ctx);

    assertThat(result.pairs()).hasSize(100);
    Set<String> distinctChosen = new HashSet<>();
    for (PreferencePair pair : result.pairs()) {
      assertThat(pair.chosenScore().getAsDouble())
          .isGreaterThan(pair.rejectedScore().getAsDouble());
      distinctChosen.add(pair.chosen().substring(pair.chosen().indexOf('-')));
    }
    assertThat(distinctChosen).hasSizeGreaterThan(3); // not always the same two responses
  }

  @Test
  void randomStrategies_sameSeedSamePairs_otherSeedOtherPairs() {
    for (PairStrategy strategy :
        List.of(ExplorationStrategies.maxVsRandom(8), ExplorationStrategies.randomPair(8))) {
      List<PreferencePair> first = strategy.explore(prompts(30), manyPrompts(30, 11));
      List<PreferencePair> again = strategy.explore(prompts(30), manyPrompts(30, 11));
      List<PreferencePair> other = strategy.explore(prompts(30), manyPrompts(30, 12));

      assertThat(again).as(strategy.name()).isEqualTo(first);
      assertThat(other).as(strategy.name()).isNotEqualTo(first);
    }
  }

  @Test
  void twoTemperatures_samplesOneResponseAtEachTemperatureAndRanksThem() {
    ScriptedSampler hot =
        new ScriptedSampler().answer("a", stop("hot-a")).answer("b", stop("hot-b"));
    ScriptedSampler cold =
        new ScriptedSampler().answer("a", stop("cold-a")).answer("b", stop("cold-b"));
    Sampler byTemperature =
        (prompts, n, params) ->
            (params.temperature() == 1.2 ? hot : cold).sample(prompts, n, params);
    rewards.reward("hot-a", 2).reward("cold-a", 1).reward("hot-b", -1).reward("cold-b", 0.5);
    FakeContext ctx = FakeContext.builder(byTemperature).rewardModel(rewards).build();

    List<PreferencePair> pairs =
        ExplorationStrategies.twoTemperatures(1.2, 0.7)
            .explore(List.of(prompt("a"), prompt("b")), ctx);

    assertThat(pairs).extracting(PreferencePair::chosen).containsExactly("hot-a", "cold-b");
    assertThat(pairs).extracting(PreferencePair::rejected).containsExactly("cold-a", "hot-b");
    assertThat(hot.calls()).singleElement().satisfies(c -> assertThat(c.n()).isEqualTo(1));
    assertThat(cold.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.n()).isEqualTo(1);
              assertThat(c.params().temperature()).isEqualTo(0.7);
              assertThat(c.params().seed()).isNotEqualTo(hot.calls().get(0).params().seed());
            });
    assertThat(hot.calls().get(0).params().seed()).isEqualTo(ctx.sampling().seed());
  }

  @Test
  void twoTemperatures_rejectsHighNotAboveLow() {
    assertThatThrownBy(() -> ExplorationStrategies.twoTemperatures(0.7, 0.7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "high temperature must be finite and > low temperature 0.7 but was 0.7");
    assertThatThrownBy(() -> ExplorationStrategies.twoTemperatures(1, -0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("low temperature must be >= 0")
        .hasMessageContaining("-0.5");
  }

  @Test
  void twoCheckpoints_ranksCurrentAgainstPreviousPolicy() {
    ScriptedSampler current =
        new ScriptedSampler().answer("a", stop("new")).answer("b", stop("new-b"));
    ScriptedSampler previous =
        new ScriptedSampler().answer("a", stop("old")).answer("b", stop("old-b"));
    rewards.reward("new", 1).reward("old", 0).reward("new-b", -2).reward("old-b", 3);
    FakeContext ctx =
        FakeContext.builder(current)
            .previousPolicy(previous)
            .iteration(2)
            .rewardModel(rewards)
            .build();

    List<PreferencePair> pairs =
        ExplorationStrategies.twoCheckpoints().explore(List.of(prompt("a"), prompt("b")), ctx);

    assertThat(pairs).extracting(PreferencePair::chosen).containsExactly("new", "old-b");
    assertThat(pairs).extracting(PreferencePair::rejected).containsExactly("old", "new-b");
    assertThat(pairs)
        .extracting(PreferencePair::source)
        .containsOnly("iteration-2/two-checkpoints");
    assertThat(current.calls()).singleElement().satisfies(c -> assertThat(c.n()).isEqualTo(1));
    assertThat(previous.calls()).singleElement().satisfies(c -> assertThat(c.n()).isEqualTo(1));
  }

  @Test
  void twoCheckpoints_inIterationOne_fallsBackToTwoSamplesOfTheCurrentPolicy() {
    ScriptedSampler current = new ScriptedSampler().answer("a", stop("x"), stop("y"));
    rewards.reward("x", 0).reward("y", 1);
    FakeContext ctx = FakeContext.builder(current).iteration(1).rewardModel(rewards).build();

    List<PreferencePair> pairs =
        ExplorationStrategies.twoCheckpoints().explore(List.of(prompt("a")), ctx);

    assertThat(pairs)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.chosen()).isEqualTo("y");
              assertThat(p.rejected()).isEqualTo("x");
            });
    assertThat(current.calls()).singleElement().satisfies(c -> assertThat(c.n()).isEqualTo(2));
  }

  @Test
  void twoCheckpoints_afterIterationOneWithoutPreviousPolicy_failsClearly() {
    FakeContext ctx =
        FakeContext.builder(new ScriptedSampler().answer("a", stop("x")))
            .iteration(3)
            .rewardModel(rewards)
            .build();

    assertThatThrownBy(
            () -> ExplorationStrategies.twoCheckpoints().explore(List.of(prompt("a")), ctx))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("iteration 3 has none")
        .hasMessageContaining("keep the previous policy");
  }

  @Test
  void factories_rejectFewerThanTwoResponses() {
    assertThatThrownBy(() -> ExplorationStrategies.rejectionSampling(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n must be >= 2 (a pair needs two responses) but was 1");
    assertThatThrownBy(() -> ExplorationStrategies.maxVsRandom(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was 0");
    assertThatThrownBy(() -> ExplorationStrategies.topTwo(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was -3");
    assertThatThrownBy(() -> ExplorationStrategies.randomPair(1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ExplorationStrategies.preferenceKnockout(1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void emptySlice_samplesNothing() {
    FakeContext ctx = eightResponses();

    ExploreResult result =
        ExplorationStrategies.rejectionSampling(8).exploreWithStats(List.of(), ctx);

    assertThat(result).isEqualTo(ExploreResult.empty());
    assertThat(policy.calls()).isEmpty();
  }

  @Test
  void withSelection_returnsANewStrategyAndKeepsTheOld() {
    PairStrategy plain = ExplorationStrategies.rejectionSampling(8);
    SelectionRules rules = SelectionRules.builder().minMargin(0.5).build();

    PairStrategy strict = plain.withSelection(rules);

    assertThat(strict.selection()).isEqualTo(rules);
    assertThat(plain.selection()).isEqualTo(SelectionRules.defaults());
    assertThat(strict.name()).isEqualTo("rejection-sampling");
    assertThat(strict.candidatesPerPrompt()).isEqualTo(8);
    assertThatThrownBy(() -> plain.withSelection(null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
