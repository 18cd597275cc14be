package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import org.junit.jupiter.api.Test;

/** The score head reads the last non-pad token, whatever the padding side. */
class SequenceClassifierTest {

  private static ModelConfig qwen2Reward() {
    return TinyConfigs.qwen2Tied().toBuilder().numLabels(1).build()
        .withArchitecture(Architecture.QWEN2_SEQUENCE_CLASSIFICATION);
  }

  @Test
  void scores_leftAndRightPadding_agree() {
    long[] tokens = {4, 9, 17, 3};
    try (SequenceClassifier rm = SequenceClassifier.randomInit(qwen2Reward(), 3, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      // pad id 3 equals the last real token: the read-out must follow the mask, not the id
      NDArray left = manager.create(new long[][] {{3, 3, 4, 9, 17, 3}, {1, 2, 4, 9, 17, 3}});
      NDArray leftMask = manager.create(new long[][] {{0, 0, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}});
      NDArray right = manager.create(new long[][] {{4, 9, 17, 3, 3, 3}});
      NDArray rightMask = manager.create(new long[][] {{1, 1, 1, 1, 0, 0}});
      NDArray alone = manager.create(new long[][] {tokens});
      NDArray aloneMask = manager.create(new long[][] {{1, 1, 1, 1}});
      float a = rm.forward(left, leftMask).scores().getFloat(0, 0);
      float b = rm.forward(right, rightMask).scores().getFloat(0, 0);
      float c = rm.forward(alone, aloneMask).scores().getFloat(0, 0);
      assertThat(a).isCloseTo(c, org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(b).isCloseTo(c, org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(rm.forward(left, leftMask).scores().getShape().getShape()).containsExactly(2, 1);
    }
  }

  @Test
  void scores_equalScoreWeightTimesReferenceHiddenAtLastRealToken() {
    long[][] mask = {Batches.mask(7, 2, 0), Batches.mask(7, 0, 3)};
    ModelConfig config =
        TinyConfigs.gpt2().toBuilder().numLabels(3).build()
            .withArchitecture(Architecture.GPT2_SEQUENCE_CLASSIFICATION);
    long[][] ids = Batches.ids(5, config.vocabSize(), mask);
    try (SequenceClassifier rm = SequenceClassifier.randomInit(config, 3, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      float[] scores = rm.forward(manager.create(ids), manager.create(mask)).scores().toFloatArray();
      float[] w = rm.parameters().get("score.weight").toFloatArray();
      NaiveReference reference = new NaiveReference(rm);
      int[] last = {6, 3};
      for (int b = 0; b < 2; b++) {
        double[] h = reference.hidden(ids[b], mask[b])[last[b]];
        double[] expected = new double[3];
        for (int l = 0; l < 3; l++) {
          for (int i = 0; i < h.length; i++) {
            expected[l] += w[l * h.length + i] * h[i];
          }
        }
        double[] actual = {scores[b * 3], scores[b * 3 + 1], scores[b * 3 + 2]};
        Batches.assertClose(actual, expected, 1e-4, "row " + b);
      }
    }
  }

  @Test
  void fromCausalLm_keepsBackboneAndAddsScoreHead() {
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.llama(), 3, ModelOptions.cpu());
        SequenceClassifier rm = SequenceClassifier.fromCausalLm(lm, 1, 9);
        NDManager manager = NDManager.newBaseManager()) {
      assertThat(rm.config().architecture()).isEqualTo(Architecture.LLAMA_SEQUENCE_CLASSIFICATION);
      assertThat(rm.parameters()).containsKey("score.weight").doesNotContainKey("lm_head.weight");
      NDArray ids = manager.create(new long[][] {{5, 6, 7}});
      NDArray mask = manager.create(new long[][] {{1, 1, 1}});
      float[] lmHidden = lm.forward(ids, mask).hiddenStates().toFloatArray();
      float[] pooled = rm.forward(ids, mask).pooledHidden().toFloatArray();
      float[] lastHidden = java.util.Arrays.copyOfRange(lmHidden, 2 * 32, 3 * 32);
      assertThat(pooled).containsExactly(lastHidden);
    }
  }

  @Test
  void forward_rowWithoutRealToken_fails() {
    try (SequenceClassifier rm = SequenceClassifier.randomInit(qwen2Reward(), 3, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(
              () ->
                  rm.forward(
                      manager.create(new long[][] {{1, 2}, {3, 4}}),
                      manager.create(new long[][] {{1, 1}, {0, 0}})))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("1 rows of attentionMask have no real token");
    }
  }

  @Test
  void save_writesARealPadId_whenTheConfigHasNone(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    // Qwen2's tiny config has no pad id and EOS ids 2 and 3, as an LM config copied over would
    ModelConfig config =
        TinyConfigs.qwen2Tied().toBuilder().eosTokenIds(java.util.List.of(0, 1)).build()
            .withArchitecture(Architecture.QWEN2_SEQUENCE_CLASSIFICATION);
    assertThat(config.padTokenId()).isEmpty();
    try (SequenceClassifier rm = SequenceClassifier.randomInit(config, 3, ModelOptions.cpu())) {
      rm.save(dir);
    }
    ModelConfig saved = ModelConfig.read(dir.resolve("config.json"));
    // the smallest id that is not an EOS id: transformers reads the score before the last pad
    assertThat(saved.padTokenId()).hasValue(2);
    // a pad id that is set is kept
    try (SequenceClassifier rm = SequenceClassifier.randomInit(
        config.toBuilder().padTokenId(java.util.OptionalInt.of(7)).build(), 3,
        ModelOptions.cpu())) {
      rm.save(dir);
    }
    assertThat(ModelConfig.read(dir.resolve("config.json")).padTokenId()).hasValue(7);
  }
}
