package dev.rlhf4j.reward.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.models.ClassifierOutput;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.config.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exported graph, run by ONNX Runtime, gives the logits of the DJL model it came from, for
 * every backbone, with padding on either side and sequences of mixed lengths.
 */
class OnnxExportParityTest {
  private static final double TOLERANCE = 1e-4;
  private static final int[] LENGTHS = {7, 3, 12, 1, 9, 12, 5};

  @TempDir Path dir;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("llama-gqa-rope", TinyClassifiers.llama()),
        Arguments.of("llama3-rope-scaling-biases", TinyClassifiers.llama3Scaled()),
        Arguments.of("qwen2-biases-tied-2-labels", TinyClassifiers.qwen2()),
        Arguments.of("mistral-sliding-window", TinyClassifiers.mistralWindow()),
        Arguments.of("gpt2", TinyClassifiers.gpt2()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void onnxLogits_matchDjl_withPaddingOnEitherSide(String name, ModelConfig config) {
    List<long[]> sequences = TinyClassifiers.sequences(11, config.vocabSize(), LENGTHS);
    try (SequenceClassifier djl = TinyClassifiers.random(config, 5)) {
      OnnxExport.export(djl, dir);
      for (PaddingSide side : PaddingSide.values()) {
        float[][] expected = djlLogits(djl, sequences, side);
        // chunks of 3 rows: each chunk is padded to its own length, unlike the DJL batch
        try (OnnxRewardModel onnx =
            OnnxRewardModel.builder(dir).paddingSide(side).maxBatchSize(3).build()) {
          assertThat(onnx.numLabels()).hasValue(config.numLabels());
          assertClose(onnx.logits(sequences), expected, name + " " + side);
        }
      }
    }
  }

  /** DJL's logits for the whole list in one batch padded on {@code side} with id 0. */
  static float[][] djlLogits(SequenceClassifier model, List<long[]> sequences, PaddingSide side) {
    int length = sequences.stream().mapToInt(s -> s.length).max().orElseThrow();
    long[][] ids = new long[sequences.size()][length];
    long[][] mask = new long[sequences.size()][length];
    for (int b = 0; b < ids.length; b++) {
      long[] s = sequences.get(b);
      int offset = side == PaddingSide.LEFT ? length - s.length : 0;
      for (int t = 0; t < s.length; t++) {
        ids[b][offset + t] = s[t];
        mask[b][offset + t] = 1;
      }
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray idArray = manager.create(ids);
      NDArray maskArray = manager.create(mask);
      try (ClassifierOutput out = model.forward(idArray, maskArray)) {
        float[] flat = out.scores().toFloatArray();
        int labels = model.config().numLabels();
        float[][] logits = new float[ids.length][labels];
        for (int b = 0; b < ids.length; b++) {
          System.arraycopy(flat, b * labels, logits[b], 0, labels);
        }
        return logits;
      }
    }
  }

  /** {@code |actual − expected| <= tolerance · max|expected|}, element-wise. */
  static void assertClose(float[][] actual, float[][] expected, String what) {
    assertThat(actual.length).as(what).isEqualTo(expected.length);
    double scale = 0;
    for (float[] row : expected) {
      for (float v : row) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    assertThat(scale).as("%s: reference is not all zero", what).isGreaterThan(0);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as(what).hasSameSizeAs(expected[i]);
      for (int j = 0; j < expected[i].length; j++) {
        worst = Math.max(worst, Math.abs(actual[i][j] - expected[i][j]));
      }
    }
    assertThat(worst / scale).as("%s: max relative error", what).isLessThanOrEqualTo(TOLERANCE);
  }
}
