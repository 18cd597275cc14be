package dev.rlhf4j.reward.eval;

import static dev.rlhf4j.reward.eval.FakeModels.pair;
import static dev.rlhf4j.reward.eval.FakeModels.textIsPreference;
import static dev.rlhf4j.reward.eval.FakeModels.textIsReward;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.RewardModel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PairAccuracyTest {

  // margins +1, +0.5, 0 (tie), -2, 0 (tie): 2 wins, 2 ties, 1 loss
  private static final List<PreferencePair> PAIRS =
      List.of(pair(2, 1), pair(1, 0.5), pair(3, 3), pair(0, 2), pair(-1, -1));

  @Test
  void evaluate_countsTiesAsHalf() {
    PairAccuracyResult r = PairAccuracy.create().evaluate(textIsReward(), PAIRS);

    assertThat(r.pairs()).isEqualTo(5);
    assertThat(r.wins()).isEqualTo(2);
    assertThat(r.ties()).isEqualTo(2);
    assertThat(r.losses()).isEqualTo(1);
    // (2 + 0.5 * 2) / 5 = 3 / 5
    assertThat(r.accuracy()).isCloseTo(0.6, within(1e-12));
    // (1 + 0.5 + 0 - 2 + 0) / 5 = -0.5 / 5
    assertThat(r.meanMargin()).isCloseTo(-0.1, within(1e-12));
  }

  @Test
  void evaluate_streamGivesSameResultAsIterable() {
    PairAccuracy accuracy = PairAccuracy.create();

    assertThat(accuracy.evaluate(textIsReward(), PAIRS.stream()))
        .isEqualTo(accuracy.evaluate(textIsReward(), PAIRS));
  }

  @Test
  void evaluate_scoresBothResponsesOfBatchSizePairsPerCall() {
    FakeModels.Recording model = new FakeModels.Recording(textIsReward());

    PairAccuracyResult r = PairAccuracy.builder().batchSize(2).build().evaluate(model, PAIRS);

    // 5 pairs in batches of 2, 2, 1 pairs; two requests per pair
    assertThat(model.batchSizes).containsExactly(4, 4, 2);
    assertThat(r).isEqualTo(PairAccuracy.create().evaluate(textIsReward(), PAIRS));
    assertThat(model.closed).isZero();
  }

  @Test
  void evaluate_tieToleranceTurnsSmallMarginsIntoTies() {
    List<PreferencePair> pairs = List.of(pair(1.0005, 1), pair(1, 1.0005), pair(2, 1));

    PairAccuracyResult exact = PairAccuracy.create().evaluate(textIsReward(), pairs);
    PairAccuracyResult tolerant =
        PairAccuracy.builder().tieTolerance(1e-3).build().evaluate(textIsReward(), pairs);

    assertThat(exact.ties()).isZero();
    assertThat(exact.accuracy()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(tolerant.ties()).isEqualTo(2);
    // (1 + 0.5 * 2) / 3
    assertThat(tolerant.accuracy()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(tolerant.wins()).isEqualTo(1);
  }

  @Test
  void evaluatePairwise_readsProbabilityOfChosen() {
    // P = (c - r + 1) / 2 clamped: 1.0, 0.75, 0.5 (tie), 0.0, 0.5 (tie)
    PairAccuracyResult r = PairAccuracy.create().evaluatePairwise(textIsPreference(), PAIRS);

    assertThat(r.wins()).isEqualTo(2);
    assertThat(r.ties()).isEqualTo(2);
    assertThat(r.accuracy()).isCloseTo(0.6, within(1e-12));
    // margins P - 1/2: 0.5, 0.25, 0, -0.5, 0 -> mean 0.25 / 5
    assertThat(r.meanMargin()).isCloseTo(0.05, within(1e-12));
    assertThat(PairAccuracy.create().evaluatePairwise(textIsPreference(), PAIRS.stream()))
        .isEqualTo(r);
  }

  @Test
  void evaluateStoredScores_usesTheScoresInThePairs() {
    List<PreferencePair> scored =
        List.of(
            PreferencePair.scored(FakeModels.PROMPT, "a", 1.0, "b", 0.0, "offline"),
            PreferencePair.scored(FakeModels.PROMPT, "c", 0.0, "d", 0.0, "offline"),
            PreferencePair.scored(FakeModels.PROMPT, "e", 0.0, "f", 1.0, "offline"));

    PairAccuracyResult r = PairAccuracy.create().evaluateStoredScores(scored);

    // 1 win, 1 tie, 1 loss: (1 + 0.5) / 3
    assertThat(r.accuracy()).isCloseTo(0.5, within(1e-12));
    assertThat(r.ties()).isEqualTo(1);
  }

  @Test
  void evaluateStoredScores_rejectsAnUnscoredPairByPosition() {
    List<PreferencePair> pairs =
        List.of(
            PreferencePair.scored(FakeModels.PROMPT, "a", 1.0, "b", 0.0, "x"),
            PreferencePair.of(FakeModels.PROMPT, "c", "d").withSource("iteration-2"));

    assertThatThrownBy(() -> PairAccuracy.create().evaluateStoredScores(pairs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pair #1 (source 'iteration-2') has no stored score");
  }

  @Test
  void evaluate_nanRewardNamesThePair() {
    RewardModel nanForRejectedOfThirdPair =
        batch ->
            batch.stream()
                .mapToDouble(r -> r.response().equals("bad") ? Double.NaN : 0.0)
                .toArray();
    List<PreferencePair> pairs =
        List.of(
            pair(1, 0),
            pair(1, 0),
            PreferencePair.of(FakeModels.PROMPT, "ok", "bad").withSource("iteration-1"));

    assertThatThrownBy(
            () ->
                PairAccuracy.builder()
                    .batchSize(2)
                    .build()
                    .evaluate(nanForRejectedOfThirdPair, pairs))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("NaN for the rejected response of pair #2 (source 'iteration-1')");
  }

  @Test
  void evaluate_wrongNumberOfRewardsIsAnError() {
    RewardModel oneShort = batch -> new double[batch.size() - 1];

    assertThatThrownBy(() -> PairAccuracy.create().evaluate(oneShort, PAIRS))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("returned 9 rewards for 10 requests");
  }

  @Test
  void evaluatePairwise_probabilityOutsideUnitIntervalIsAnError() {
    assertThatThrownBy(
            () ->
                PairAccuracy.create()
                    .evaluatePairwise(batch -> new double[] {1.5}, List.of(pair(1, 0))))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("P(chosen preferred) = 1.5 for pair #0");
  }

  @Test
  void evaluate_emptyInputIsAnError() {
    assertThatThrownBy(() -> PairAccuracy.create().evaluate(textIsReward(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pairs must not be empty");
    assertThatThrownBy(
            () -> PairAccuracy.create().evaluatePairwise(textIsPreference(), Stream.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pairs must not be empty");
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> PairAccuracy.builder().batchSize(0))
        .hasMessage("batchSize must be > 0 but was 0");
    assertThatThrownBy(() -> PairAccuracy.builder().tieTolerance(-1e-3))
        .hasMessage("tieTolerance must be finite and >= 0 but was -0.001");
    PairAccuracy custom = PairAccuracy.builder().batchSize(3).tieTolerance(0.1).build();
    assertThat(custom.toBuilder().build().batchSize()).isEqualTo(3);
    assertThat(custom.toBuilder().build().tieTolerance()).isEqualTo(0.1);
  }

  @Test
  void result_rejectsInconsistentCounts() {
    assertThatThrownBy(() -> new PairAccuracyResult(3, 2, 2, 0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wins + ties must be <= pairs (3)");
    assertThatThrownBy(() -> new PairAccuracyResult(0, 0, 0, 0.0))
        .hasMessage("pairs must be >= 1 but was 0");
  }
}
