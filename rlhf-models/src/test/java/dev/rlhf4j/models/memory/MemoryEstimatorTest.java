package dev.rlhf4j.models.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.checkpoint.DType;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Arithmetic of the estimator on the published shapes of SmolLM2-135M and Qwen2.5-0.5B. */
class MemoryEstimatorTest {
  private static final long GIB = 1L << 30;

  /** SmolLM2-135M's config.json shapes. */
  static ModelConfig smolLm2() {
    return ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(49152).hiddenSize(576).numLayers(30).numHeads(9).numKvHeads(3)
        .intermediateSize(1536).tieWordEmbeddings(true).maxPositionEmbeddings(8192).build();
  }

  /** Qwen2.5-0.5B's config.json shapes. */
  static ModelConfig qwen05() {
    return ModelConfig.builder(Architecture.QWEN2_CAUSAL_LM)
        .bosTokenId(OptionalInt.empty()).eosTokenIds(List.of(151643))
        .vocabSize(151936).hiddenSize(896).numLayers(24).numHeads(14).numKvHeads(2)
        .intermediateSize(4864).tieWordEmbeddings(true).maxPositionEmbeddings(32768).build();
  }

  @Test
  void parameterCountsMatchThePublishedModels() {
    assertThat(MemoryEstimator.parameterCount(smolLm2())).isEqualTo(134_515_008L);
    assertThat(MemoryEstimator.parameterCount(qwen05())).isEqualTo(494_032_768L);
  }

  @Test
  void fullFineTuningCountsSixteenBytesPerParameterBeforeActivations() {
    MemoryEstimate e = MemoryEstimator.builder(qwen05()).build().trainingStep(4, 256, 0);
    long n = 494_032_768L;
    assertThat(e.weights()).isEqualTo(4 * n);
    assertThat(e.gradients()).isEqualTo(4 * n);
    assertThat(e.optimizerState()).isEqualTo(8 * n);
    assertThat(e.kvCache()).isZero();
    assertThat(e.vocabularyProjection()).isZero();
    assertThat(e.total())
        .isEqualTo(e.weights() + e.gradients() + e.optimizerState() + e.activations()
            + e.runtime());
  }

  @Test
  void trainableCountDrivesGradientsAndOptimizerStateOnly() {
    long adapter = 8_798_208L;
    MemoryEstimate lora = MemoryEstimator.builder(qwen05())
        .weightType(DType.BF16)
        .trainableParameters(adapter)
        .additionalParameters(adapter)
        .build()
        .trainingStep(4, 256, 0);
    assertThat(lora.weights()).isEqualTo(2 * (494_032_768L + adapter));
    assertThat(lora.gradients()).isEqualTo(4 * adapter);
    assertThat(lora.optimizerState()).isEqualTo(8 * adapter);
  }

  @Test
  void activationsFollowThePerTokenFormula() {
    ModelConfig c = smolLm2();
    MemoryEstimate e = MemoryEstimator.builder(c).build().trainingStep(4, 256, 0);
    // one [heads, T] row of attention probabilities per token and layer is kept
    long perTokenLayer = 7 * 576 + 6 * 576 + 4 * 192 + 4 * 1536 + 9 * 256;
    // plus the two score-sized arrays of one layer's attention backward
    long expected =
        4L * 256 * perTokenLayer * 30 * 4 + 4L * 256 * 3 * 576 * 4 + 2L * 4 * 256 * 9 * 256 * 4;
    assertThat(e.activations()).isEqualTo(expected);
    // without gradients one layer's intermediates are live
    MemoryEstimate scoring = MemoryEstimator.builder(c).build().scoring(4, 256, 0);
    assertThat(scoring.activations()).isEqualTo(4L * 256 * (perTokenLayer + 3 * 576) * 4);
    assertThat(scoring.gradients()).isZero();
    assertThat(scoring.optimizerState()).isZero();
  }

  @Test
  void loraAddsItsRankIntermediatesAndWithDropoutACopyOfEachAdaptedInput() {
    ModelConfig c = smolLm2();
    MemoryEstimate plain = MemoryEstimator.builder(c).trainableParameters(0).build()
        .trainingStep(2, 256, 0);
    dev.rlhf4j.models.LoraConfig lora =
        new dev.rlhf4j.models.LoraConfig(16, 32, 0, dev.rlhf4j.models.LoraConfig.LLAMA_ALL_LINEAR);
    MemoryEstimate adapted = MemoryEstimator.builder(c).trainableParameters(0).lora(lora).build()
        .trainingStep(2, 256, 0);
    // 7 adapted layers per block, 30 blocks: xA and its scaled copy, r values each, 4 bytes
    long tokens = 2L * 256;
    assertThat(adapted.activations() - plain.activations())
        .isEqualTo(tokens * 30 * 7 * 2 * 16 * 4);
    // dropout keeps every adapted layer's dropped input (4 bytes) and its mask (1 byte):
    // q, k, v, gate, up read the hidden state (576), o the heads (576), down the MLP (1536)
    MemoryEstimate dropped = MemoryEstimator.builder(c).trainableParameters(0)
        .lora(lora.withDropout(0.05)).build().trainingStep(2, 256, 0);
    long inputs = 5 * 576 + 576 + 1536;
    assertThat(dropped.activations() - adapted.activations())
        .isEqualTo(tokens * 30 * inputs * 5);
    // GPT-2's Conv1D layers hold [in, out]: the input width is the first dimension
    ModelConfig gpt2 = ModelConfig.builder(Architecture.GPT2_LM_HEAD)
        .bosTokenId(OptionalInt.of(0)).eosTokenIds(List.of(0)).vocabSize(100).hiddenSize(8)
        .numLayers(2).numHeads(2).numKvHeads(2).intermediateSize(32).maxPositionEmbeddings(16)
        .tieWordEmbeddings(true).build();
    dev.rlhf4j.models.LoraConfig onGpt2 =
        new dev.rlhf4j.models.LoraConfig(4, 8, 0.1, dev.rlhf4j.models.LoraConfig.GPT2_ALL_LINEAR);
    // per block: c_attn reads 8, attn.c_proj 8, c_fc 8, mlp.c_proj 32
    assertThat(onGpt2.trainingActivationBytesPerToken(gpt2, 4))
        .isEqualTo(2 * (4 * 2 * 4 * 4 + (8 + 8 + 8 + 32) * 5));
    assertThatThrownBy(() -> lora.trainingActivationBytesPerToken(c, 0))
        .hasMessageContaining("valueBytes must be in [1, 8] but was 0");
  }

  @Test
  void vocabularyProjectionIsThreeChunkArraysUnderGradientsAndTwoWithout() {
    MemoryEstimator est =
        MemoryEstimator.builder(qwen05()).vocabularyChunk(64).headTrains(false).build();
    assertThat(est.trainingStep(4, 256, 512).vocabularyProjection())
        .isEqualTo(3L * 64 * 151936 * 4);
    assertThat(est.trainingStep(4, 256, 10).vocabularyProjection())
        .isEqualTo(3L * 10 * 151936 * 4);
    // the default chunk, and a trained head: one chunk's [vocab, hidden] head gradient more
    assertThat(MemoryEstimator.builder(qwen05()).build().trainingStep(4, 256, 1024)
            .vocabularyProjection())
        .isEqualTo(3L * ModelOptions.DEFAULT_VOCABULARY_CHUNK * 151936 * 4
            + 151936L * 896 * 4);
    assertThat(est.scoring(4, 256, 512).vocabularyProjection()).isEqualTo(2L * 64 * 151936 * 4);
    assertThat(est.scoring(4, 256, 10).vocabularyProjection()).isEqualTo(2L * 10 * 151936 * 4);
  }

  @Test
  void kvCacheOfAGeneration() {
    MemoryEstimate g = MemoryEstimator.builder(qwen05()).weightType(DType.BF16)
        .trainableParameters(0).build().generation(1, 768, 256);
    // 2 (k and v) x 24 layers x 1024 positions x 2 kv heads x 64 dims x 2 bytes = 12 MiB
    assertThat(g.kvCache()).isEqualTo(12L << 20);
    assertThat(g.gradients()).isZero();
  }

  @Test
  void referenceCopiesMultiplyTheWeights() {
    MemoryEstimate e = MemoryEstimator.builder(smolLm2()).referenceCopies(1).build()
        .trainingStep(2, 16, 0);
    assertThat(e.weights()).isEqualTo(2 * 4 * 134_515_008L);
  }

  @Test
  void refusalNamesBothFiguresAndTheLargestMicroBatchThatFits() {
    MemoryEstimator est = MemoryEstimator.builder(qwen05()).build();
    long fourPairs = est.trainingStep(8, 256, 0).total();
    long twoPairs = est.trainingStep(4, 256, 0).total();
    AvailableMemory room = AvailableMemory.fixed((twoPairs + fourPairs) / 2);
    assertThatThrownBy(
            () -> MemoryEstimator.requireFits(
                "DPO step", room, m -> est.trainingStep(2 * m, 256, 0), 4, "microBatchSize"))
        .isInstanceOf(InsufficientMemoryException.class)
        // 14.13 GiB needed, 12.50 GiB available
        .hasMessageStartingWith("DPO step needs ~15 GiB, 13 GiB available (a fixed budget of ")
        .hasMessageContaining("use microBatchSize(3) or LoRA")
        .hasMessageContaining("optimizer state 3.68 GiB");
    assertThat(MemoryEstimator.requireFits(
            "DPO step", AvailableMemory.fixed(fourPairs), m -> est.trainingStep(2 * m, 256, 0), 4,
            "microBatchSize").total())
        .isEqualTo(fourPairs);
  }

  @Test
  void refusalWhenNotEvenOneFitsAdvisesLora() {
    MemoryEstimator est = MemoryEstimator.builder(qwen05()).build();
    assertThatThrownBy(
            () -> MemoryEstimator.requireFits(
                "SFT step", AvailableMemory.fixed(GIB), m -> est.trainingStep(m, 128, 0), 2,
                "microBatchSize"))
        .isInstanceOf(InsufficientMemoryException.class)
        .hasMessageContaining("needs ~8.4 GiB, 1.0 GiB available")
        .hasMessageContaining("even microBatchSize(1) does not fit: use LoRA");
  }

  @Test
  void settersAndShapesAreChecked() {
    assertThatThrownBy(() -> MemoryEstimator.builder(smolLm2()).trainableParameters(-1))
        .hasMessage("trainableParameters must be >= 0 but was -1");
    assertThatThrownBy(
            () -> MemoryEstimator.builder(smolLm2()).trainableParameters(200_000_000L).build())
        .hasMessageContaining("must be <= the model's 134515008 parameters");
    assertThatThrownBy(() -> MemoryEstimator.builder(smolLm2()).build().trainingStep(2, 8, 17))
        .hasMessage("projectedPositions must be in [0, sequences * length = 16] but was 17");
    assertThatThrownBy(() -> MemoryEstimator.builder(smolLm2()).weightType(DType.I32))
        .hasMessageContaining("weightType must be F16, BF16, F32 or F64 but was I32");
  }
}
