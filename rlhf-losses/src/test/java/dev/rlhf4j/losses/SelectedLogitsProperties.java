package dev.rlhf4j.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.losses.TestData.TokenBatch;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link SequenceLogProbs#fromSelectedLogits} (the completion rows only) against {@link
 * SequenceLogProbs#compute} on the full logits: values and gradients agree, prompt and padding
 * included.
 */
class SelectedLogitsProperties {

  @Property(tries = 25)
  void fromSelectedLogits_equalsComputeOnFullLogits(
      @ForAll @IntRange(min = 1, max = 5) int batch,
      @ForAll @IntRange(min = 1, max = 9) int length,
      @ForAll @IntRange(min = 2, max = 40) int vocab,
      @ForAll long seed) {
    TokenBatch data = TokenBatch.random(new Random(seed), batch, length, vocab, 4.0);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = data.logitsArray(manager).toType(DataType.FLOAT32, false);
      NDArray labels = data.labelsArray(manager);
      NDArray mask = data.maskArray(manager);
      try (SequenceLogProbs full = SequenceLogProbs.compute(logits, labels, mask);
          SequenceLogProbs selected =
              SequenceLogProbs.fromSelectedLogits(logits.get(mask), labels, mask)) {
        assertClose(selected.sum(), full.sum());
        assertClose(selected.mean(), full.mean());
        assertClose(selected.tokenLogProbs(), full.tokenLogProbs());
        assertThat(selected.count().toFloatArray()).containsExactly(full.count().toFloatArray());
        assertThat(selected.sum().getDataType()).isEqualTo(DataType.FLOAT32);
      }
    }
  }

  @Property(tries = 15)
  void fromSelectedLogits_gradientEqualsComputesGradient(
      @ForAll @IntRange(min = 1, max = 4) int batch,
      @ForAll @IntRange(min = 1, max = 7) int length,
      @ForAll @IntRange(min = 2, max = 30) int vocab,
      @ForAll long seed) {
    TokenBatch data = TokenBatch.random(new Random(seed), batch, length, vocab, 3.0);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray weights = manager.randomNormal(new ai.djl.ndarray.types.Shape(batch));
      float[] full = gradient(manager, data, weights, false);
      float[] selected = gradient(manager, data, weights, true);
      assertThat(selected).hasSameSizeAs(full);
      for (int i = 0; i < full.length; i++) {
        assertThat((double) selected[i]).isCloseTo(full[i], within(1e-5));
      }
    }
  }

  @Property(tries = 10)
  void fromSelectedLogits_widensFloat16(
      @ForAll @IntRange(min = 1, max = 3) int batch, @ForAll long seed) {
    TokenBatch data = TokenBatch.random(new Random(seed), batch, 6, 17, 2.0);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray half = data.logitsArray(manager).toType(DataType.FLOAT16, false);
      NDArray labels = data.labelsArray(manager);
      NDArray mask = data.maskArray(manager);
      try (SequenceLogProbs full = SequenceLogProbs.compute(half, labels, mask);
          SequenceLogProbs selected =
              SequenceLogProbs.fromSelectedLogits(half.get(mask), labels, mask)) {
        assertThat(selected.sum().getDataType()).isEqualTo(DataType.FLOAT32);
        assertClose(selected.sum(), full.sum());
      }
    }
  }

  @Property(tries = 1)
  void fromSelectedLogits_rejectsAWrongRowCountAndBadLabels() {
    TokenBatch data = TokenBatch.random(new Random(9), 2, 5, 7, 1.0);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = data.logitsArray(manager).toType(DataType.FLOAT32, false);
      NDArray labels = data.labelsArray(manager);
      NDArray mask = data.maskArray(manager);
      NDArray rows = logits.get(mask);
      NDArray oneTooMany = rows.concat(rows.get("0:1"), 0);
      assertThatThrownBy(() -> SequenceLogProbs.fromSelectedLogits(oneTooMany, labels, mask))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one row per completion token");
      NDArray outOfVocabulary = labels.add(100);
      assertThatThrownBy(
              () -> SequenceLogProbs.fromSelectedLogits(rows, outOfVocabulary, mask))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must be a token id in [0, 7)");
      assertThatThrownBy(() -> SequenceLogProbs.fromSelectedLogits(logits, labels, mask))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[completion tokens, vocab]");
    }
  }

  /** The gradient of {@code Σ_b w_b · sum_b} with respect to the full float32 logits. */
  private static float[] gradient(
      NDManager manager, TokenBatch data, NDArray weights, boolean selected) {
    NDArray logits = data.logitsArray(manager).toType(DataType.FLOAT32, false);
    logits.setRequiresGradient(true);
    NDArray labels = data.labelsArray(manager);
    NDArray mask = data.maskArray(manager);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
        SequenceLogProbs result =
            selected
                ? SequenceLogProbs.fromSelectedLogits(logits.get(mask), labels, mask)
                : SequenceLogProbs.compute(logits, labels, mask)) {
      collector.backward(result.sum().mul(weights).sum());
    }
    return logits.getGradient().toFloatArray();
  }

  private static void assertClose(NDArray actual, NDArray expected) {
    float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
    float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
    assertThat(a).hasSameSizeAs(e);
    for (int i = 0; i < e.length; i++) {
      assertThat((double) a[i]).isCloseTo(e[i], within(1e-5 * Math.max(1, Math.abs(e[i]))));
    }
  }
}
