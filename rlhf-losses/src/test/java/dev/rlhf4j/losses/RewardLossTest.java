package dev.rlhf4j.losses;

import static dev.rlhf4j.losses.ReferenceMath.logSigmoid;
import static dev.rlhf4j.losses.ReferenceMath.sigmoid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.losses.PairwisePreferenceLoss.Softmax;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RewardLossTest {
  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  @Test
  void bradleyTerry_matchesReferenceWithMarginsAndCentering() {
    Random random = new Random(1);
    int n = 9;
    double k = 0.05;
    double[] chosen = gaussians(random, n, 2);
    double[] rejected = gaussians(random, n, 2);
    double[] margins = new double[n];
    for (int i = 0; i < n; i++) {
      margins[i] = random.nextDouble();
    }
    double expected = 0;
    for (int i = 0; i < n; i++) {
      expected += -logSigmoid(chosen[i] - rejected[i] - margins[i]) / n;
      expected += k * Math.pow(chosen[i] + rejected[i], 2) / n;
    }
    BradleyTerryLoss loss = new BradleyTerryLoss(k);
    try (PreferenceLossOutput hostMargins =
            loss.compute(manager.create(chosen), manager.create(rejected), margins);
        PreferenceLossOutput arrayMargins = loss.compute(
            manager.create(chosen), manager.create(rejected), manager.create(margins))) {
      assertThat(hostMargins.loss().getDouble()).isCloseTo(expected, within(1e-9));
      assertThat(arrayMargins.loss().getDouble()).isCloseTo(expected, within(1e-9));
    }
  }

  @Test
  void bradleyTerry_gradientMatchesAnalyticDerivative() {
    Random random = new Random(2);
    int n = 7;
    double k = 0.1;
    double[] chosen = gaussians(random, n, 3);
    double[] rejected = gaussians(random, n, 3);
    double[] margins = gaussians(random, n, 0.5);
    NDArray chosenArray = manager.create(chosen).reshape(n, 1);
    NDArray rejectedArray = manager.create(rejected).reshape(n, 1);
    chosenArray.setRequiresGradient(true);
    rejectedArray.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
        PreferenceLossOutput output =
            new BradleyTerryLoss(k).compute(chosenArray, rejectedArray, margins)) {
      collector.backward(output.loss());
    }
    double[] dChosen = chosenArray.getGradient().toDoubleArray();
    double[] dRejected = rejectedArray.getGradient().toDoubleArray();
    for (int i = 0; i < n; i++) {
      double d = chosen[i] - rejected[i] - margins[i];
      double centering = 2 * k * (chosen[i] + rejected[i]) / n;
      assertThat(dChosen[i]).isCloseTo(-sigmoid(-d) / n + centering, within(1e-9));
      assertThat(dRejected[i]).isCloseTo(sigmoid(-d) / n + centering, within(1e-9));
    }
  }

  @Test
  void bradleyTerry_reportsStrictAccuracyAndMeans() {
    try (PreferenceLossOutput output = BradleyTerryLoss.plain().compute(
        manager.create(new double[] {1, 2, 3, 0}), manager.create(new double[] {0, 2, 4, -1}))) {
      assertThat(output.metric(BradleyTerryLoss.ACCURACY)).isEqualTo(0.5);
      assertThat(output.metric(PreferenceLossOutput.REWARDS_CHOSEN)).isEqualTo(1.5);
      assertThat(output.metric(PreferenceLossOutput.REWARDS_REJECTED)).isEqualTo(1.25);
      assertThat(output.metric(PreferenceLossOutput.REWARDS_MARGINS)).isEqualTo(0.25);
    }
  }

  @Test
  void bradleyTerry_rejectsBadArguments() {
    assertThatThrownBy(() -> new BradleyTerryLoss(-0.01))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("centeringCoefficient must be finite and >= 0 but was -0.01");
    NDArray three = manager.create(new double[] {1, 2, 3});
    NDArray two = manager.create(new double[] {1, 2});
    assertThatThrownBy(() -> BradleyTerryLoss.plain().compute(three, two))
        .hasMessage("rejectedRewards must have the same batch size as chosenRewards (3) but had 2");
    assertThatThrownBy(() -> BradleyTerryLoss.plain().compute(three.reshape(1, 3), three))
        .hasMessageContaining("chosenRewards must have shape [batch] or [batch, 1]");
    assertThatThrownBy(
            () -> BradleyTerryLoss.plain().compute(three, three, new double[] {0, Double.NaN, 0}))
        .hasMessage("margins[1] must be finite but was NaN");
  }

  @ParameterizedTest
  @EnumSource(Softmax.class)
  void pairwise_matchesReferenceAndItsGradient(Softmax softmax) {
    Random random = new Random(3);
    int batch = 4;
    int length = 5;
    int vocab = 6;
    long tokenA = 2;
    long tokenB = 4;
    double[][][] logits = TestData.TokenBatch.random(random, batch, length, vocab, 2.0).logits();
    long[] positions = {0, 4, 2, 3};
    boolean[] firstPreferred = {true, false, false, true};
    NDArray logitsArray = TestData.create(manager, logits);
    logitsArray.setRequiresGradient(true);
    PairwisePreferenceLoss loss = new PairwisePreferenceLoss(tokenA, tokenB, softmax);
    double lossValue;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
        PreferenceLossOutput output = loss.compute(
            logitsArray, manager.create(positions), manager.create(firstPreferred))) {
      lossValue = output.loss().getDouble();
      collector.backward(output.loss());
    }
    double expected = 0;
    double[][][] expectedGradient = new double[batch][length][vocab];
    for (int b = 0; b < batch; b++) {
      double[] row = logits[b][(int) positions[b]];
      int target = (int) (firstPreferred[b] ? tokenA : tokenB);
      int other = (int) (firstPreferred[b] ? tokenB : tokenA);
      double[] gradientRow = expectedGradient[b][(int) positions[b]];
      if (softmax == Softmax.FULL_VOCABULARY) {
        double[] logProbs = ReferenceMath.logSoftmax(row);
        expected += -logProbs[target] / batch;
        for (int v = 0; v < vocab; v++) {
          gradientRow[v] = (Math.exp(logProbs[v]) - (v == target ? 1 : 0)) / batch;
        }
      } else {
        double odds = row[target] - row[other];
        expected += -logSigmoid(odds) / batch;
        gradientRow[target] = -sigmoid(-odds) / batch;
        gradientRow[other] = sigmoid(-odds) / batch;
      }
    }
    assertThat(lossValue).isCloseTo(expected, within(1e-9));
    double[][][] gradient = TestData.toCube(logitsArray.getGradient());
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < length; t++) {
        for (int v = 0; v < vocab; v++) {
          assertThat(gradient[b][t][v]).isCloseTo(expectedGradient[b][t][v], within(1e-9));
        }
      }
    }
  }

  @Test
  void pairwise_reportsAccuracyAndPreferredProbability() {
    double[][][] logits = {{{0, 3, 1}}, {{0, 3, 1}}};
    try (PreferenceLossOutput output = new PairwisePreferenceLoss(1, 2, Softmax.ANSWER_TOKENS)
        .compute(TestData.create(manager, logits), manager.create(new long[] {0, 0}),
            manager.create(new int[] {1, 0}))) {
      assertThat(output.metric(PairwisePreferenceLoss.ACCURACY)).isEqualTo(0.5);
      assertThat(output.metric(PairwisePreferenceLoss.PROBABILITY_PREFERRED))
          .isCloseTo((sigmoid(2) + sigmoid(-2)) / 2, within(1e-12));
    }
  }

  @Test
  void pairwise_rejectsBadArguments() {
    assertThatThrownBy(() -> new PairwisePreferenceLoss(3, 3, Softmax.FULL_VOCABULARY))
        .hasMessage("tokenA and tokenB must differ but both were 3");
    assertThatThrownBy(() -> new PairwisePreferenceLoss(-1, 3, Softmax.FULL_VOCABULARY))
        .hasMessage("tokenA must be >= 0 but was -1");
    NDArray logits = manager.zeros(new Shape(2, 3, 4), DataType.FLOAT32);
    NDArray preferred = manager.create(new boolean[] {true, false});
    PairwisePreferenceLoss loss = new PairwisePreferenceLoss(0, 1, Softmax.FULL_VOCABULARY);
    assertThatThrownBy(() -> loss.compute(logits, manager.create(new long[] {0, 3}), preferred))
        .hasMessage("answerPositions[1] must be in [0, 3) but was 3");
    assertThatThrownBy(() -> new PairwisePreferenceLoss(0, 9, Softmax.FULL_VOCABULARY)
            .compute(logits, manager.create(new long[] {0, 1}), preferred))
        .hasMessage("tokenA (0) and tokenB (9) must be < vocab size 4");
    assertThatThrownBy(() -> loss.compute(logits, manager.create(new long[] {0}), preferred))
        .hasMessageContaining("answerPositions must be an integer array of shape [2]");
  }

  @Test
  void klEstimates_matchReferenceAndVanishForIdenticalModels() {
    Random random = new Random(4);
    TestData.TokenBatch policy = TestData.TokenBatch.random(random, 3, 6, 5, 2.0);
    double[][][] referenceLogits = TestData.TokenBatch.random(random, 3, 6, 5, 2.0).logits();
    try (SequenceLogProbs policyLogProbs = SequenceLogProbs.compute(policy.logitsArray(manager),
            policy.labelsArray(manager), policy.maskArray(manager));
        SequenceLogProbs referenceLogProbs = SequenceLogProbs.compute(
            TestData.create(manager, referenceLogits), policy.labelsArray(manager),
            policy.maskArray(manager))) {
      KlEstimates estimates = KlEstimates.of(policyLogProbs, referenceLogProbs);
      double k1 = 0;
      double k3 = 0;
      double tokens = 0;
      for (int b = 0; b < 3; b++) {
        double sequenceK3 = 0;
        double count = 0;
        for (int t = 0; t < 6; t++) {
          if (policy.mask()[b][t]) {
            int label = (int) policy.labels()[b][t];
            double d = ReferenceMath.logSoftmax(referenceLogits[b][t])[label]
                - ReferenceMath.logSoftmax(policy.logits()[b][t])[label];
            k1 += -d;
            sequenceK3 += Math.exp(d) - d - 1;
            count++;
          }
        }
        k3 += sequenceK3;
        tokens += count;
        assertThat(estimates.k3PerSequence().get(b)).isCloseTo(sequenceK3 / count, within(1e-9));
      }
      assertThat(estimates.k1()).isCloseTo(k1 / tokens, within(1e-9));
      assertThat(estimates.k3()).isCloseTo(k3 / tokens, within(1e-9)).isPositive();
      try (NDArray k1Tokens = KlEstimates.k1PerToken(policyLogProbs, referenceLogProbs);
          NDArray k3Tokens = KlEstimates.k3PerToken(policyLogProbs, referenceLogProbs)) {
        double[] k1Values = k1Tokens.toDoubleArray();
        double[] k3Values = k3Tokens.toDoubleArray();
        double k1Sum = 0;
        for (int i = 0; i < k1Values.length; i++) {
          k1Sum += k1Values[i];
          assertThat(k3Values[i]).isGreaterThanOrEqualTo(0);
          if (!policy.mask()[i / 6][i % 6]) {
            assertThat(k1Values[i]).isZero();
            assertThat(k3Values[i]).isZero();
          }
        }
        assertThat(k1Sum / tokens).isCloseTo(k1 / tokens, within(1e-9));
      }
      KlEstimates same = KlEstimates.of(policyLogProbs, policyLogProbs);
      assertThat(same.k1()).isZero();
      assertThat(same.k3()).isZero();
    }
  }

  @Test
  void klEstimates_rejectDifferentMasks() {
    TestData.TokenBatch a = TestData.TokenBatch.random(new Random(5), 2, 3, 4, 1.0);
    boolean[][] fullMask = {{true, true, true}, {false, true, true}};
    boolean[][] shortMask = {{true, false, false}, {false, true, true}};
    try (SequenceLogProbs policy = SequenceLogProbs.compute(
            a.logitsArray(manager), a.labelsArray(manager), manager.create(fullMask));
        SequenceLogProbs reference = SequenceLogProbs.compute(
            a.logitsArray(manager), a.labelsArray(manager), manager.create(shortMask))) {
      assertThatThrownBy(() -> KlEstimates.of(policy, reference))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("policy and reference must use the same completion mask but sequence 0 has"
              + " 3.0 and 1.0 tokens");
    }
  }

  private static double[] gaussians(Random random, int n, double scale) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = scale * random.nextGaussian();
    }
    return values;
  }
}
