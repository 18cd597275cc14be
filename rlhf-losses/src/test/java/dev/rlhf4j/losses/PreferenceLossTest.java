package dev.rlhf4j.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.losses.ReferenceMath.Batch;
import dev.rlhf4j.losses.ReferenceMath.BatchValue;
import dev.rlhf4j.losses.internal.Ops;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PreferenceLossTest {
  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  static Stream<PreferenceLoss> variants() {
    return Stream.concat(
        TestData.allVariants().stream(),
        Stream.of(
            PreferenceLoss.mpo(0.2),
            PreferenceLoss.weighted(
                PreferenceLoss.Weighted.Term.of(PreferenceLoss.ipo(0.3), 0.5),
                PreferenceLoss.Weighted.Term.of(PreferenceLoss.sigmoidNorm(0.4), 2.0)),
            PreferenceLoss.weighted(
                PreferenceLoss.Weighted.Term.of(PreferenceLoss.hinge(0.1), 1.5),
                PreferenceLoss.Weighted.Term.of(PreferenceLoss.sigmoid(0.2, 0.1), 0.5))));
  }

  @Test
  void weighted_checksItsTermsAndNamesThem() {
    assertThat(PreferenceLoss.mpo(0.1).trlName()).isEqualTo("sigmoid+bco_pair");
    assertThatThrownBy(
            () -> PreferenceLoss.weighted(PreferenceLoss.Weighted.Term.of(PreferenceLoss.sigmoid(0.1), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a weighted loss needs at least two terms but got 1");
    assertThatThrownBy(() -> PreferenceLoss.Weighted.Term.of(PreferenceLoss.sigmoid(0.1), 0))
        .hasMessage("the weight of term sigmoid must be finite and > 0 but was 0.0");
    assertThatThrownBy(
            () -> PreferenceLoss.weighted(
                PreferenceLoss.Weighted.Term.of(PreferenceLoss.sigmoid(0.1), 1),
                PreferenceLoss.Weighted.Term.of(PreferenceLoss.ipo(0.1), 1)))
        .hasMessage(
            "all terms must use one reduction, but sigmoid uses SEQUENCE_SUM and ipo uses"
                + " TOKEN_MEAN");
  }

  @ParameterizedTest
  @MethodSource("variants")
  void loss_matchesDoublePrecisionReference(PreferenceLoss loss) {
    Random random = new Random(loss.hashCode());
    for (int trial = 0; trial < 5; trial++) {
      Batch batch = Batch.random(random, 1 + random.nextInt(16));
      try (PreferenceLossOutput output = loss.compute(input(batch))) {
        double expected = ReferenceMath.batch(loss, batch).loss();
        assertThat(output.loss().getDouble()).isCloseTo(expected, within(1e-6));
        assertThat(output.metric(PreferenceLossOutput.LOSS)).isCloseTo(expected, within(1e-6));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("variants")
  void gradient_matchesAnalyticDerivative(PreferenceLoss loss) {
    Batch batch = Batch.random(new Random(17), 12);
    NDArray policyChosen = manager.create(batch.policyChosen());
    NDArray policyRejected = manager.create(batch.policyRejected());
    policyChosen.setRequiresGradient(true);
    policyRejected.setRequiresGradient(true);
    PreferenceLossInput input = PreferenceLossInput.builder()
        .policy(policyChosen, policyRejected)
        .reference(batch.referenceChosen(), batch.referenceRejected())
        .tokenCounts(toLongs(batch.chosenCounts()), toLongs(batch.rejectedCounts()))
        .build();
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
        PreferenceLossOutput output = loss.compute(input)) {
      collector.backward(output.loss());
    }
    BatchValue expected = ReferenceMath.batch(loss, batch);
    assertClose(policyChosen.getGradient().toDoubleArray(), expected.dPolicyChosen(), 1e-9);
    assertClose(policyRejected.getGradient().toDoubleArray(), expected.dPolicyRejected(), 1e-9);
  }

  @Test
  void metrics_followTrlDefinitions() {
    double beta = 0.5;
    Batch batch = new Batch(
        new double[] {-10, -20, -5},
        new double[] {-12, -18, -5},
        new double[] {-11, -19, -6},
        new double[] {-11, -19, -4},
        new double[] {5, 6, 7},
        new double[] {5, 6, 7});
    // rewards chosen = β(pc − rc) = {0.5, −0.5, 0.5}; rejected = {−0.5, 0.5, −0.5}
    try (PreferenceLossOutput output = PreferenceLoss.sigmoid(beta).compute(input(batch))) {
      assertThat(output.metric(PreferenceLossOutput.REWARDS_CHOSEN))
          .isCloseTo(0.5 / 3, within(1e-12));
      assertThat(output.metric(PreferenceLossOutput.REWARDS_REJECTED))
          .isCloseTo(-0.5 / 3, within(1e-12));
      assertThat(output.metric(PreferenceLossOutput.REWARDS_MARGINS))
          .isCloseTo(1.0 / 3, within(1e-12));
      assertThat(output.metric(PreferenceLossOutput.REWARDS_ACCURACIES))
          .isCloseTo(2.0 / 3, within(1e-12));
      assertThat(output.metric(PreferenceLossOutput.LOGPS_CHOSEN))
          .isCloseTo(-35.0 / 3, within(1e-12));
      assertThat(output.metric(PreferenceLossOutput.LOGPS_REJECTED))
          .isCloseTo(-35.0 / 3, within(1e-12));
      assertThat(output.metrics()).doesNotContainKey(PreferenceLossOutput.NLL_LOSS);
    }
  }

  @Test
  void accuracies_countTiesAsWrong() {
    Batch batch = new Batch(
        new double[] {-3}, new double[] {-3}, new double[] {-3}, new double[] {-3},
        new double[] {1}, new double[] {1});
    try (PreferenceLossOutput output = PreferenceLoss.sigmoid(0.1).compute(input(batch))) {
      assertThat(output.metric(PreferenceLossOutput.REWARDS_ACCURACIES)).isZero();
    }
  }

  @Test
  void rpo_reportsTheChosenNll() {
    Batch batch = Batch.random(new Random(5), 6);
    double expected = 0;
    for (int i = 0; i < 6; i++) {
      expected += -batch.policyChosen()[i] / batch.chosenCounts()[i] / 6;
    }
    try (PreferenceLossOutput output =
        PreferenceLoss.hinge(0.1).withNll(2.0).compute(input(batch))) {
      assertThat(output.metric(PreferenceLossOutput.NLL_LOSS)).isCloseTo(expected, within(1e-9));
    }
  }

  @Test
  void reference_asArraysOrHostValuesGivesTheSameLoss() {
    Batch batch = Batch.random(new Random(6), 8);
    PreferenceLossInput arrays = PreferenceLossInput.builder()
        .policy(manager.create(batch.policyChosen()), manager.create(batch.policyRejected()))
        .reference(
            manager.create(batch.referenceChosen()), manager.create(batch.referenceRejected()))
        .build();
    try (PreferenceLossOutput a = PreferenceLoss.robust(0.1, 0.2).compute(arrays);
        PreferenceLossOutput b = PreferenceLoss.robust(0.1, 0.2).compute(input(batch))) {
      assertThat(a.loss().getDouble()).isEqualTo(b.loss().getDouble());
      assertThat(a.metrics()).isEqualTo(b.metrics());
    }
  }

  @Test
  void reference_isDetachedFromTheGradientGraph() {
    Batch batch = Batch.random(new Random(7), 4);
    NDArray policyChosen = manager.create(batch.policyChosen());
    NDArray referenceChosen = manager.create(batch.referenceChosen());
    policyChosen.setRequiresGradient(true);
    referenceChosen.setRequiresGradient(true);
    PreferenceLossInput input = PreferenceLossInput.builder()
        .policy(policyChosen, manager.create(batch.policyRejected()))
        .reference(referenceChosen, manager.create(batch.referenceRejected()))
        .build();
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
        PreferenceLossOutput output = PreferenceLoss.sigmoid(0.1).compute(input)) {
      collector.backward(output.loss());
    }
    assertThat(Ops.toHost(policyChosen.getGradient())).doesNotContain(0.0);
    assertThat(Ops.toHost(referenceChosen.getGradient())).containsOnly(0.0);
  }

  @Test
  void float32Inputs_agreeWithDoubleReference() {
    Batch batch = Batch.random(new Random(8), 10);
    PreferenceLossInput input = PreferenceLossInput.builder()
        .policy(
            manager.create(batch.policyChosen()).toType(DataType.FLOAT32, false),
            manager.create(batch.policyRejected()).toType(DataType.FLOAT32, false))
        .reference(batch.referenceChosen(), batch.referenceRejected())
        .build();
    PreferenceLoss loss = PreferenceLoss.sigmoid(0.1, 0.1);
    try (PreferenceLossOutput output = loss.compute(input)) {
      assertThat(output.loss().getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat((double) output.loss().getFloat())
          .isCloseTo(ReferenceMath.batch(loss, batch).loss(), within(1e-5));
    }
  }

  @Test
  void endToEnd_fromLogitsThroughSequenceLogProbs() {
    Random random = new Random(9);
    TestData.TokenBatch policy = TestData.TokenBatch.random(random, 4, 7, 9, 2.0);
    double[][][] referenceLogits = new double[4][7][9];
    for (int b = 0; b < 4; b++) {
      for (int t = 0; t < 7; t++) {
        for (int v = 0; v < 9; v++) {
          referenceLogits[b][t][v] = policy.logits()[b][t][v] + 0.3 * random.nextGaussian();
        }
      }
    }
    TestData.TokenBatch reference =
        new TestData.TokenBatch(referenceLogits, policy.labels(), policy.mask());
    double[] policySums =
        ReferenceMath.sequenceSums(policy.logits(), policy.labels(), policy.mask());
    double[] referenceSums =
        ReferenceMath.sequenceSums(referenceLogits, policy.labels(), policy.mask());
    double[] counts = ReferenceMath.counts(policy.mask());
    Batch expected = new Batch(
        new double[] {policySums[0], policySums[1]},
        new double[] {policySums[2], policySums[3]},
        new double[] {referenceSums[0], referenceSums[1]},
        new double[] {referenceSums[2], referenceSums[3]},
        new double[] {counts[0], counts[1]},
        new double[] {counts[2], counts[3]});
    PreferenceLoss loss = PreferenceLoss.ipo(0.1).withNll(0.5);
    try (SequenceLogProbs policyAll = SequenceLogProbs.compute(policy.logitsArray(manager),
            policy.labelsArray(manager), policy.maskArray(manager));
        SequenceLogProbs referenceAll = SequenceLogProbs.compute(
            reference.logitsArray(manager), reference.labelsArray(manager),
            reference.maskArray(manager));
        SequenceLogProbs.ChosenRejected policyPair = policyAll.split();
        SequenceLogProbs.ChosenRejected referencePair = referenceAll.split();
        PreferenceLossOutput output =
            loss.compute(PreferenceLossInput.of(policyPair, referencePair))) {
      assertThat(output.loss().getDouble())
          .isCloseTo(ReferenceMath.batch(loss, expected).loss(), within(1e-9));
    }
  }

  @Test
  void bcoRunningMean_averagesTheBatchMeanRewards() {
    BcoRunningMean running = new BcoRunningMean();
    Random random = new Random(10);
    double sumOfMeans = 0;
    for (int step = 1; step <= 4; step++) {
      Batch batch = Batch.random(random, 5);
      double batchMean = 0;
      for (int i = 0; i < 5; i++) {
        batchMean += 0.2 * (batch.policyChosen()[i] - batch.referenceChosen()[i]) / 10;
        batchMean += 0.2 * (batch.policyRejected()[i] - batch.referenceRejected()[i]) / 10;
      }
      sumOfMeans += batchMean;
      double delta = running.update(input(batch), 0.2);
      assertThat(delta).isCloseTo(sumOfMeans / step, within(1e-12));
      PreferenceLoss loss = PreferenceLoss.bcoPair(0.2, delta);
      try (PreferenceLossOutput output = loss.compute(input(batch))) {
        assertThat(output.loss().getDouble())
            .isCloseTo(ReferenceMath.batch(loss, batch).loss(), within(1e-9));
      }
    }
    assertThat(running.count()).isEqualTo(4);
    BcoRunningMean resumed = BcoRunningMean.restore(running.mean(), running.count());
    assertThat(resumed.update(1.0)).isCloseTo(running.update(1.0), within(1e-15));
  }

  @Test
  void parameters_outsideTheirRangeAreRejectedWithTheValue() {
    assertThatThrownBy(() -> PreferenceLoss.sigmoid(-0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("beta must be finite and > 0 but was -0.1");
    assertThatThrownBy(() -> PreferenceLoss.sigmoid(0))
        .hasMessage("beta must be finite and > 0 but was 0.0");
    assertThatThrownBy(() -> PreferenceLoss.ipo(Double.NaN))
        .hasMessage("beta must be finite and > 0 but was NaN");
    assertThatThrownBy(() -> PreferenceLoss.sigmoid(0.1, 0.5))
        .hasMessage("labelSmoothing must be in [0, 0.5) but was 0.5");
    assertThatThrownBy(() -> PreferenceLoss.robust(0.1, -0.01))
        .hasMessage("labelSmoothing must be in [0, 0.5) but was -0.01");
    assertThatThrownBy(() -> PreferenceLoss.exoPair(0.1, 0))
        .hasMessage("epsilon must be in (0, 0.5) but was 0.0");
    assertThatThrownBy(() -> PreferenceLoss.discoPop(0.1, 0))
        .hasMessage("tau must be finite and > 0 but was 0.0");
    assertThatThrownBy(() -> PreferenceLoss.bcoPair(0.1, Double.POSITIVE_INFINITY))
        .hasMessage("delta must be finite but was Infinity");
    assertThatThrownBy(() -> PreferenceLoss.sigmoid(0.1).withNll(-1))
        .hasMessage("nllWeight must be finite and > 0 but was -1.0");
    assertThatThrownBy(() -> PreferenceLoss.sigmoid(0.1).withNll(1).withNll(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already has an NLL term");
    assertThatThrownBy(() -> new PreferenceLoss.Ipo(0.1, null))
        .hasMessage("reduction must not be null");
  }

  @Test
  void input_rejectsMismatchedShapes() {
    NDArray three = manager.create(new double[] {-1, -2, -3});
    NDArray two = manager.create(new double[] {-1, -2});
    assertThatThrownBy(() -> PreferenceLossInput.builder().policy(three, two))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("policyRejected must have the same batch size as policyChosen (3) but had 2");
    assertThatThrownBy(() -> PreferenceLossInput.builder()
            .policy(three, three)
            .reference(new double[] {-1, -2}, new double[] {-1, -2})
            .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("referenceChosen must have the same batch size as policyChosen (3) but had 2");
    assertThatThrownBy(() -> PreferenceLossInput.builder()
            .policy(three.reshape(3, 1), three.reshape(3, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("policyChosen must have shape [batch]");
    assertThatThrownBy(() -> PreferenceLossInput.builder().policy(three, three).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("call reference(chosen, rejected) before build()");
    assertThatThrownBy(() -> PreferenceLossInput.builder()
            .reference(new double[] {-1, Double.NaN}, new double[] {-1, -2}))
        .hasMessage("referenceChosen[1] must be finite but was NaN");
  }

  @Test
  void tokenMeanVariants_requirePositiveTokenCounts() {
    Batch batch = Batch.random(new Random(11), 2);
    PreferenceLossInput withoutCounts = PreferenceLossInput.builder()
        .policy(manager.create(batch.policyChosen()), manager.create(batch.policyRejected()))
        .reference(batch.referenceChosen(), batch.referenceRejected())
        .build();
    assertThatThrownBy(() -> PreferenceLoss.ipo(0.1).compute(withoutCounts))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loss 'ipo' needs the completion token counts");
    assertThatThrownBy(() -> PreferenceLoss.sigmoid(0.1).withNll(1).compute(withoutCounts))
        .hasMessageContaining("the RPO NLL term needs the completion token counts");
    PreferenceLossInput emptyResponse = PreferenceLossInput.builder()
        .policy(manager.create(batch.policyChosen()), manager.create(batch.policyRejected()))
        .reference(batch.referenceChosen(), batch.referenceRejected())
        .tokenCounts(manager.create(new double[] {3, 0}), manager.create(new double[] {2, 2}))
        .build();
    assertThatThrownBy(() -> PreferenceLoss.sigmoidNorm(1).compute(emptyResponse))
        .hasMessageContaining("chosenTokenCounts[1] must be >= 1")
        .hasMessageContaining("but was 0.0");
    assertThatThrownBy(() -> PreferenceLossInput.builder()
            .tokenCounts(new long[] {1, 0}, new long[] {1, 1}))
        .hasMessageContaining("chosenTokenCounts[1] must be >= 1");
  }

  @Test
  void trlNames_areTheLossTypeStrings() {
    List<String> names = TestData.allVariants().stream().map(PreferenceLoss::trlName).toList();
    assertThat(names).contains("sigmoid", "robust", "hinge", "ipo", "sppo_hard", "nca_pair",
        "bco_pair", "apo_zero", "apo_down", "discopop", "exo_pair", "sigmoid_norm");
    assertThat(PreferenceLoss.ipo(0.1).reduction()).isEqualTo(PreferenceLoss.Reduction.TOKEN_MEAN);
  }

  private PreferenceLossInput input(Batch batch) {
    return PreferenceLossInput.builder()
        .policy(manager.create(batch.policyChosen()), manager.create(batch.policyRejected()))
        .reference(batch.referenceChosen(), batch.referenceRejected())
        .tokenCounts(toLongs(batch.chosenCounts()), toLongs(batch.rejectedCounts()))
        .build();
  }

  static long[] toLongs(double[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (long) values[i];
    }
    return out;
  }

  private static void assertClose(double[] actual, double[] expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %s", i).isCloseTo(expected[i], within(tolerance));
    }
  }
}
