package dev.rlhf4j.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.losses.TestData.TokenBatch;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SequenceLogProbsTest {
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
  void engine_isPyTorchAndLoadsOffline() {
    assertThat(Engine.getInstance().getEngineName()).isEqualTo("PyTorch");
    assertThat(manager.create(new float[] {1, 2, 3}).sum().getFloat()).isEqualTo(6f);
  }

  @Test
  void logProbs_matchDoublePrecisionReference() {
    TokenBatch batch = TokenBatch.random(new Random(1), 4, 9, 11, 3.0);
    try (SequenceLogProbs result = compute(batch)) {
      double[] expected = ReferenceMath.sequenceSums(batch.logits(), batch.labels(), batch.mask());
      double[] counts = ReferenceMath.counts(batch.mask());
      double[] sums = result.sum().toDoubleArray();
      double[] means = result.mean().toDoubleArray();
      for (int b = 0; b < expected.length; b++) {
        assertThat(sums[b]).isCloseTo(expected[b], within(1e-9));
        assertThat(means[b]).isCloseTo(expected[b] / counts[b], within(1e-9));
      }
      assertThat(result.count().toDoubleArray()).containsExactly(counts);
      assertThat(result.tokenLogProbs().getShape()).isEqualTo(new Shape(4, 9));
    }
  }

  @Test
  void logProbs_stayFiniteForHugeLogits() {
    TokenBatch batch = TokenBatch.random(new Random(2), 2, 4, 6, 1e4);
    try (SequenceLogProbs result = compute(batch)) {
      double[] expected = ReferenceMath.sequenceSums(batch.logits(), batch.labels(), batch.mask());
      double[] sums = result.sum().toDoubleArray();
      for (int b = 0; b < expected.length; b++) {
        assertThat(sums[b]).isFinite().isCloseTo(expected[b], within(1e-6 * Math.abs(expected[b])));
      }
    }
  }

  @Test
  void logProbs_ignorePaddedPositions() {
    Random random = new Random(3);
    TokenBatch clean = TokenBatch.random(random, 3, 8, 5, 2.0);
    TokenBatch dirty = clean.withGarbageAtMaskedPositions(random, true);
    try (SequenceLogProbs a = compute(clean);
        SequenceLogProbs b = compute(dirty)) {
      // exact on purpose: same shapes and kernels, only masked values differ, and none of them
      // may leak into the result
      assertThat(b.sum().toDoubleArray()).containsExactly(a.sum().toDoubleArray());
      assertThat(b.tokenLogProbs().toDoubleArray())
          .containsExactly(a.tokenLogProbs().toDoubleArray());
    }
  }

  @Test
  void logProbs_gradientMatchesAnalyticDerivative() {
    TokenBatch batch = TokenBatch.random(new Random(4), 3, 6, 7, 2.0);
    NDArray logits = batch.logitsArray(manager);
    logits.setRequiresGradient(true);
    double[] weights = {0.5, -1.25, 2.0};
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
        SequenceLogProbs result =
            SequenceLogProbs.compute(logits, batch.labelsArray(manager), batch.maskArray(manager))) {
      collector.backward(result.sum().mul(manager.create(weights)).sum());
    }
    double[][][] expected =
        ReferenceMath.sequenceSumGradient(batch.logits(), batch.labels(), batch.mask());
    double[][][] actual = TestData.toCube(logits.getGradient());
    for (int b = 0; b < expected.length; b++) {
      for (int t = 0; t < expected[b].length; t++) {
        for (int v = 0; v < expected[b][t].length; v++) {
          assertThat(actual[b][t][v]).isCloseTo(weights[b] * expected[b][t][v], within(1e-9));
        }
      }
    }
  }

  @Test
  void lengthDesensitizedSums_matchDoubleReference_andTheirGradient() {
    TokenBatch batch = TokenBatch.random(new Random(8), 4, 7, 6, 2.0);
    double alpha = 0.3;
    boolean[][] mask = batch.mask();
    double[] counts = ReferenceMath.counts(mask);
    boolean[][] inside = new boolean[4][];
    boolean[][] outside = new boolean[4][];
    for (int b = 0; b < 4; b++) {
      double shared = Math.min(counts[b % 2], counts[b % 2 + 2]);
      inside[b] = new boolean[mask[b].length];
      outside[b] = new boolean[mask[b].length];
      int k = 0;
      for (int t = 0; t < mask[b].length; t++) {
        if (mask[b][t]) {
          k++;
          inside[b][t] = k <= shared;
          outside[b][t] = k > shared;
        }
      }
    }
    double[] in = ReferenceMath.sequenceSums(batch.logits(), batch.labels(), inside);
    double[] out = ReferenceMath.sequenceSums(batch.logits(), batch.labels(), outside);
    NDArray logits = batch.logitsArray(manager);
    logits.setRequiresGradient(true);
    NDArray maskArray = batch.maskArray(manager);
    double[] actual;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
        SequenceLogProbs result =
            SequenceLogProbs.compute(logits, batch.labelsArray(manager), maskArray)) {
      NDArray ld = SequenceLogProbs.lengthDesensitizedSums(result, maskArray, alpha);
      actual = ld.toDoubleArray();
      collector.backward(ld.sum());
    }
    for (int b = 0; b < 4; b++) {
      assertThat(actual[b]).isCloseTo(in[b] + alpha * out[b], within(1e-9));
    }
    double[][][] gradIn = ReferenceMath.sequenceSumGradient(batch.logits(), batch.labels(), inside);
    double[][][] gradOut =
        ReferenceMath.sequenceSumGradient(batch.logits(), batch.labels(), outside);
    double[][][] gradient = TestData.toCube(logits.getGradient());
    for (int b = 0; b < 4; b++) {
      for (int t = 0; t < gradient[b].length; t++) {
        for (int v = 0; v < gradient[b][t].length; v++) {
          assertThat(gradient[b][t][v])
              .isCloseTo(gradIn[b][t][v] + alpha * gradOut[b][t][v], within(1e-9));
        }
      }
    }
    try (SequenceLogProbs result =
        SequenceLogProbs.compute(batch.logitsArray(manager), batch.labelsArray(manager), maskArray)) {
      double[] plain = result.sum().toDoubleArray();
      double[] ld = SequenceLogProbs.lengthDesensitizedSums(result, maskArray, 1).toDoubleArray();
      for (int b = 0; b < plain.length; b++) {
        assertThat(ld[b]).isCloseTo(plain[b], within(1e-12));
      }
      assertThatThrownBy(() -> SequenceLogProbs.lengthDesensitizedSums(result, maskArray, 1.5))
          .hasMessage("ld alpha must be in [0, 1] but was 1.5");
    }
  }

  @Test
  void logProbs_gradientIsZeroAtMaskedPositionsWithHugeFiniteGarbage() {
    Random random = new Random(5);
    TokenBatch batch = TokenBatch.random(random, 2, 6, 5, 1.0)
        .withGarbageAtMaskedPositions(random, false);
    NDArray logits = batch.logitsArray(manager);
    logits.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
        SequenceLogProbs result =
            SequenceLogProbs.compute(logits, batch.labelsArray(manager), batch.maskArray(manager))) {
      collector.backward(result.sum().sum());
    }
    double[][][] gradient = TestData.toCube(logits.getGradient());
    for (int b = 0; b < gradient.length; b++) {
      for (int t = 0; t < gradient[b].length; t++) {
        for (double value : gradient[b][t]) {
          if (batch.mask()[b][t]) {
            assertThat(value).isFinite();
          } else {
            assertThat(value).isZero();
          }
        }
      }
    }
  }

  @Test
  void forCausalLm_predictsTheNextToken() {
    TokenBatch batch = TokenBatch.random(new Random(6), 2, 5, 4, 1.0);
    long[][] ids = new long[2][6];
    boolean[][] mask = new boolean[2][6];
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 5; t++) {
        ids[b][t + 1] = batch.labels()[b][t];
        mask[b][t + 1] = batch.mask()[b][t];
      }
    }
    double[][][] padded = new double[2][6][];
    for (int b = 0; b < 2; b++) {
      System.arraycopy(batch.logits()[b], 0, padded[b], 0, 5);
      padded[b][5] = new double[] {Double.NaN, 9, 9, 9};
    }
    try (SequenceLogProbs result = SequenceLogProbs.forCausalLm(
            TestData.create(manager, padded), manager.create(ids), manager.create(mask));
        SequenceLogProbs aligned = compute(batch)) {
      // [2, 6, 4] logits read through a strided view vs contiguous [2, 5, 4]: the kernels may
      // vectorise differently, so the sums agree to float64 rounding, not necessarily in every bit
      assertThat(result.sum().toDoubleArray())
          .containsExactly(aligned.sum().toDoubleArray(), within(1e-12));
    }
  }

  @Test
  void split_returnsChosenThenRejectedHalves() {
    TokenBatch batch = TokenBatch.random(new Random(7), 4, 5, 6, 1.0);
    try (SequenceLogProbs all = compute(batch);
        SequenceLogProbs.ChosenRejected halves = all.split()) {
      double[] sums = all.sum().toDoubleArray();
      assertThat(halves.chosen().sum().toDoubleArray()).containsExactly(sums[0], sums[1]);
      assertThat(halves.rejected().sum().toDoubleArray()).containsExactly(sums[2], sums[3]);
      assertThat(halves.rejected().tokenLogProbs().getShape()).isEqualTo(new Shape(2, 5));
    }
  }

  @Test
  void logProbs_widenFloat16LogitsToFloat32() {
    TokenBatch batch = TokenBatch.random(new Random(8), 2, 5, 50, 2.0);
    NDArray half = batch.logitsArray(manager).toType(DataType.FLOAT16, false);
    try (SequenceLogProbs result =
        SequenceLogProbs.compute(half, batch.labelsArray(manager), batch.maskArray(manager))) {
      assertThat(result.sum().getDataType()).isEqualTo(DataType.FLOAT32);
      double[] expected = ReferenceMath.sequenceSums(batch.logits(), batch.labels(), batch.mask());
      float[] sums = result.sum().toFloatArray();
      for (int b = 0; b < expected.length; b++) {
        assertThat((double) sums[b]).isCloseTo(expected[b], within(0.05));
      }
    }
  }

  @Test
  void compute_rejectsAnEmptyCompletionMask() {
    TokenBatch batch = TokenBatch.random(new Random(9), 2, 4, 3, 1.0);
    boolean[][] mask = batch.mask();
    mask[1] = new boolean[4];
    assertThatThrownBy(() -> SequenceLogProbs.compute(
            batch.logitsArray(manager), batch.labelsArray(manager), manager.create(mask)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("completionMask row 1 must mark at least one completion token");
  }

  @Test
  void compute_rejectsMismatchedShapes() {
    NDArray logits = manager.zeros(new Shape(2, 4, 3), DataType.FLOAT64);
    NDArray labels = manager.zeros(new Shape(2, 5), DataType.INT64);
    NDArray mask = manager.ones(new Shape(2, 4), DataType.BOOLEAN);
    assertThatThrownBy(() -> SequenceLogProbs.compute(logits, labels, mask))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels must have shape (2, 4)")
        .hasMessageContaining("(2, 5)");
    assertThatThrownBy(() -> SequenceLogProbs.compute(logits.reshape(8, 3), labels, mask))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("logits must have shape [batch, length, vocab]");
    assertThatThrownBy(() -> SequenceLogProbs.compute(
            logits, manager.zeros(new Shape(2, 4), DataType.FLOAT32), mask))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels must hold integer token ids but was float32");
  }

  @Test
  void compute_rejectsLabelsOutsideTheVocabulary() {
    NDArray logits = manager.zeros(new Shape(1, 2, 3), DataType.FLOAT64);
    NDArray labels = manager.create(new long[][] {{0, 3}});
    NDArray mask = manager.ones(new Shape(1, 2), DataType.BOOLEAN);
    assertThatThrownBy(() -> SequenceLogProbs.compute(logits, labels, mask))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels[0][1] must be a token id in [0, 3) but was 3");
  }

  @Test
  void split_rejectsAnOddBatch() {
    TokenBatch batch = TokenBatch.random(new Random(10), 3, 4, 3, 1.0);
    try (SequenceLogProbs all = compute(batch)) {
      assertThatThrownBy(all::split)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("even size but had 3");
    }
  }

  @Test
  void close_isIdempotentAndGuardsAccess() {
    SequenceLogProbs result = compute(TokenBatch.random(new Random(11), 2, 3, 3, 1.0));
    result.close();
    result.close();
    assertThatThrownBy(result::sum)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  private SequenceLogProbs compute(TokenBatch batch) {
    return SequenceLogProbs.compute(
        batch.logitsArray(manager), batch.labelsArray(manager), batch.maskArray(manager));
  }
}
