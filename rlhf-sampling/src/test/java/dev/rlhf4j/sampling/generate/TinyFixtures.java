package dev.rlhf4j.sampling.generate;

import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Tiny test models: a character-level tokenizer directory (special tokens, newline and printable
 * ASCII, a Fuse decoder, a ChatML chat template, EOS {@code </s>}) and a two-layer Llama config
 * whose vocabulary is exactly the tokenizer's.
 */
final class TinyFixtures {
  static final List<String> SPECIAL =
      List.of("<unk>", "<s>", "</s>", "<pad>", "<|im_start|>", "<|im_end|>", "<|eot_id|>");
  static final String CHATML =
      "{% for message in messages %}"
          + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
          + "{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  private TinyFixtures() {}

  /** The tokenizer's number of ids. */
  static int vocabSize() {
    return SPECIAL.size() + 1 + 95;
  }

  /** The id of a special token or a single character. */
  static long idOf(String token) {
    int special = SPECIAL.indexOf(token);
    if (special >= 0) {
      return special;
    }
    if (token.equals("\n")) {
      return SPECIAL.size();
    }
    return SPECIAL.size() + 1L + token.charAt(0) - 32;
  }

  /** A two-layer Llama (GQA) over the tiny tokenizer's vocabulary. */
  static ModelConfig llama(int maxPositions) {
    return ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(vocabSize())
        .hiddenSize(32)
        .numLayers(2)
        .numHeads(4)
        .numKvHeads(2)
        .intermediateSize(48)
        .maxPositionEmbeddings(maxPositions)
        .initializerRange(0.2)
        .padTokenId(OptionalInt.of(3))
        .build();
  }

  /** Writes tokenizer.json and tokenizer_config.json into {@code dir}. */
  static Path writeTokenizer(Path dir) {
    List<String> vocabulary = new ArrayList<>(SPECIAL);
    vocabulary.add("\n");
    for (char c = 32; c < 127; c++) {
      vocabulary.add(String.valueOf(c));
    }
    return HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.CHARACTERS)
        .vocabulary(vocabulary)
        .specialTokens(SPECIAL)
        .bosToken("<s>")
        .eosToken("</s>")
        .padToken("<pad>")
        .unkToken("<unk>")
        .chatTemplate(CHATML)
        .build()
        .write(dir);
  }
}
