package dev.rlhf4j.models;

import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.RopeScaling;
import java.util.List;
import java.util.OptionalInt;

/** Tiny configurations of every supported family, built the way the tests need them. */
final class TinyConfigs {
  /** Large enough for sharp attention, so rotary or masking mistakes change the logits. */
  static final double INIT = 0.2;

  private TinyConfigs() {}

  /** Llama with grouped-query attention (4 query heads, 2 key/value heads), untied head. */
  static ModelConfig llama() {
    return ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(61).hiddenSize(32).numLayers(2).numHeads(4).numKvHeads(2)
        .intermediateSize(48).initializerRange(INIT).padTokenId(OptionalInt.of(0))
        .build();
  }

  /** Llama with llama3 rotary scaling, short original context so every band is exercised. */
  static ModelConfig llama3Scaled() {
    return llama().toBuilder()
        .ropeTheta(500.0)
        .ropeScaling(new RopeScaling(8.0, 1.0, 4.0, 16))
        .attentionBias(true)
        .mlpBias(true)
        .build();
  }

  /** Qwen2: q/k/v biases, grouped-query attention, tied embeddings. */
  static ModelConfig qwen2Tied() {
    return ModelConfig.builder(Architecture.QWEN2_CAUSAL_LM)
        .bosTokenId(OptionalInt.of(1))
        .vocabSize(53).hiddenSize(24).numLayers(2).numHeads(6).numKvHeads(2)
        .intermediateSize(40).tieWordEmbeddings(true).initializerRange(INIT)
        .eosTokenIds(List.of(2, 3)).build();
  }

  /** Qwen2 with an untied head and head_dim not equal to hidden / heads. */
  static ModelConfig qwen2Untied() {
    return qwen2Tied().toBuilder().tieWordEmbeddings(false).headDim(6).build();
  }

  /** Mistral with a sliding window shorter than the test sequences. */
  static ModelConfig mistralWindow() {
    return ModelConfig.builder(Architecture.MISTRAL_CAUSAL_LM)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(50).hiddenSize(16).numLayers(2).numHeads(4).numKvHeads(1)
        .intermediateSize(32).slidingWindow(3).initializerRange(INIT).build();
  }

  /** GPT-2 (tied head). */
  static ModelConfig gpt2() {
    return ModelConfig.builder(Architecture.GPT2_LM_HEAD)
        .bosTokenId(OptionalInt.of(56)).eosTokenIds(List.of(56))
        .vocabSize(57).hiddenSize(32).numLayers(2).numHeads(4).maxPositionEmbeddings(32)
        .initializerRange(INIT).build();
  }

  /** All causal-LM configurations with a name for parameterised tests. */
  static List<Named> all() {
    return List.of(
        new Named("llama-gqa-untied", llama()),
        new Named("llama3-rope-scaling-biases", llama3Scaled()),
        new Named("qwen2-biases-gqa-tied", qwen2Tied()),
        new Named("qwen2-untied-headdim", qwen2Untied()),
        new Named("mistral-sliding-window", mistralWindow()),
        new Named("gpt2", gpt2()));
  }

  /** A configuration and its display name. */
  record Named(String name, ModelConfig config) {
    @Override
    public String toString() {
      return name;
    }
  }
}
