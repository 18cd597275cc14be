package dev.rlhf4j.reward.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.RopeScaling;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;

/** Tiny random sequence classifiers of every backbone the exporter supports. */
final class TinyClassifiers {
  /** Large enough for sharp attention, so rotary or masking mistakes change the logits. */
  static final double INIT = 0.2;

  private TinyClassifiers() {}

  /** Llama with grouped-query attention (4 query heads, 2 key/value heads), one label. */
  static ModelConfig llama() {
    return ModelConfig.builder(Architecture.LLAMA_SEQUENCE_CLASSIFICATION)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(61).hiddenSize(32).numLayers(2).numHeads(4).numKvHeads(2)
        .intermediateSize(48).initializerRange(INIT).padTokenId(OptionalInt.of(0))
        .numLabels(1).build();
  }

  /** Llama with llama3 rotary scaling (short original context: every band is used) and biases. */
  static ModelConfig llama3Scaled() {
    return llama().toBuilder()
        .ropeTheta(500.0)
        .ropeScaling(new RopeScaling(8.0, 1.0, 4.0, 16))
        .attentionBias(true)
        .mlpBias(true)
        .build();
  }

  /** Qwen2: q/k/v biases, grouped-query attention, tied embeddings, two labels. */
  static ModelConfig qwen2() {
    return ModelConfig.builder(Architecture.QWEN2_SEQUENCE_CLASSIFICATION)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(53).hiddenSize(24).numLayers(2).numHeads(6).numKvHeads(2)
        .intermediateSize(40).tieWordEmbeddings(true).initializerRange(INIT)
        .numLabels(2).build();
  }

  /** Mistral with a sliding window shorter than the test sequences. */
  static ModelConfig mistralWindow() {
    return ModelConfig.builder(Architecture.MISTRAL_SEQUENCE_CLASSIFICATION)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(50).hiddenSize(16).numLayers(2).numHeads(4).numKvHeads(1)
        .intermediateSize(32).slidingWindow(3).initializerRange(INIT).numLabels(1).build();
  }

  /** GPT-2 with learned positions. */
  static ModelConfig gpt2() {
    return ModelConfig.builder(Architecture.GPT2_SEQUENCE_CLASSIFICATION)
        .bosTokenId(OptionalInt.of(56)).eosTokenIds(List.of(56))
        .vocabSize(57).hiddenSize(32).numLayers(2).numHeads(4).maxPositionEmbeddings(32)
        .initializerRange(INIT).numLabels(1).build();
  }

  /**
   * A random classifier whose norm scales and biases are random too (random initialisation
   * makes them ones and zeros, which would hide a misplaced bias or scale).
   */
  static SequenceClassifier random(ModelConfig config, long seed) {
    SequenceClassifier model = SequenceClassifier.randomInit(config, seed);
    Random random = new Random(seed + 1);
    try (NDManager scratch = NDManager.newBaseManager()) {
      Map<String, NDArray> state = new LinkedHashMap<>(model.stateDict(scratch));
      for (Map.Entry<String, NDArray> e : state.entrySet()) {
        String name = e.getKey();
        if (name.endsWith(".bias") || name.contains("norm") || name.contains("ln_")) {
          float[] values = new float[Math.toIntExact(e.getValue().size())];
          for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((name.endsWith(".bias") ? 0 : 1) + 0.3 * random.nextGaussian());
          }
          e.setValue(scratch.create(values, e.getValue().getShape()));
        }
      }
      model.loadStateDict(state);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /** Random sequences of ids in [1, vocab) with the given lengths. */
  static List<long[]> sequences(long seed, int vocab, int... lengths) {
    Random random = new Random(seed);
    List<long[]> out = new ArrayList<>();
    for (int length : lengths) {
      long[] ids = new long[length];
      for (int t = 0; t < length; t++) {
        ids[t] = 1 + random.nextInt(vocab - 1);
      }
      out.add(ids);
    }
    return out;
  }
}
