package dev.rlhf4j.iterative.train;

import ai.djl.ndarray.BaseNDManager;
import java.util.OptionalInt;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tiny fixtures for trainer tests: a character-level BPE tokenizer (special tokens, newline,
 * space, lowercase letters and digits) with a ChatML chat template, a two-layer Llama whose
 * vocabulary matches it, toy preference pairs, and a count of live native arrays.
 */
final class TinyModels {
  static final List<String> SPECIAL =
      List.of("<unk>", "<pad>", "</s>", "<|im_start|>", "<|im_end|>");

  static final String CHATML =
      "{% for message in messages %}"
          + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
          + "{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  private TinyModels() {}

  /** The tokenizer's characters after the special tokens, in id order. */
  static List<String> characters() {
    List<String> chars = new ArrayList<>(List.of("\n", " "));
    for (char c = 'a'; c <= 'z'; c++) {
      chars.add(String.valueOf(c));
    }
    for (char c = '0'; c <= '9'; c++) {
      chars.add(String.valueOf(c));
    }
    return chars;
  }

  /** The number of token ids. */
  static int vocabSize() {
    return SPECIAL.size() + characters().size();
  }

  /** Writes tokenizer.json and tokenizer_config.json into {@code dir} and loads the tokenizer. */
  static HfTokenizer tokenizer(Path dir) {
    List<String> vocabulary = new ArrayList<>(SPECIAL);
    vocabulary.addAll(characters());
    HfTokenizerWriter writer =
        HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.CHARACTERS)
            .vocabulary(vocabulary)
            .specialTokens(SPECIAL)
            .eosToken("</s>")
            .padToken("<pad>")
            .unkToken("<unk>")
            .chatTemplate(CHATML)
            .build();
    return HfTokenizer.load(writer.write(dir));
  }

  /** A two-layer Llama (grouped-query attention) over the tokenizer's vocabulary. */
  static ModelConfig config() {
    return ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(vocabSize()).hiddenSize(32).numLayers(2).numHeads(4).numKvHeads(2)
        .intermediateSize(48).initializerRange(0.1).build();
  }

  /** A trainable policy with seeded random weights on the CPU. */
  static CausalLm policy(long seed) {
    return CausalLm.randomInit(config(), seed, ModelOptions.cpu());
  }

  /**
   * A toy preference task: for prompt "say N" the chosen answer is "yes" and the rejected one "no",
   * with some responses longer than others so that batches need padding.
   */
  static List<PreferencePair> toyPairs(int n) {
    List<PreferencePair> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String prompt = "say " + i + (i % 3 == 0 ? " please" : "");
      String chosen = i % 2 == 0 ? "yes" : "yes indeed";
      String rejected = i % 4 == 1 ? "no" : "no way at all";
      pairs.add(PreferencePair.of(List.of(Message.user(prompt)), chosen, rejected));
    }
    return pairs;
  }

  /** Host copies of every parameter, by name. */
  static Map<String, float[]> weights(CausalLm model) {
    Map<String, float[]> copy = new LinkedHashMap<>();
    model.parameters().forEach((name, array) -> copy.put(name, array.toFloatArray()));
    return copy;
  }

  /** The largest absolute difference between two weight maps with the same names and shapes. */
  static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
    double max = 0;
    for (Map.Entry<String, float[]> entry : a.entrySet()) {
      float[] x = entry.getValue();
      float[] y = b.get(entry.getKey());
      for (int i = 0; i < x.length; i++) {
        max = Math.max(max, Math.abs((double) x[i] - y[i]));
      }
    }
    return max;
  }

  /** Open native arrays anywhere under DJL's system manager. */
  static int liveArrays() {
    try (NDManager probe = NDManager.newBaseManager()) {
      NDManager root = probe;
      while (root.getParentManager() != null && root.getParentManager() != root) {
        root = root.getParentManager();
      }
      return ((BaseNDManager) root).getManagedArrays().size();
    }
  }

  /** Logits of a fixed batch, read back to the host. */
  static float[] logits(CausalLm model) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray ids = manager.create(new long[][] {{5, 9, 12, 20, 7}, {8, 8, 30, 2, 1}});
      NDArray mask = manager.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}});
      return model.forward(ids, mask).logits().toFloatArray();
    }
  }
}
