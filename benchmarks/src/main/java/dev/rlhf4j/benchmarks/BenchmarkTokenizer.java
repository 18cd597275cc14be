package dev.rlhf4j.benchmarks;

import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away character-level tokenizer for benchmarks: special tokens, newline, space and
 * lowercase letters, one token per character, and a ChatML chat template.
 */
final class BenchmarkTokenizer {
  private static final List<String> SPECIAL =
      List.of("<unk>", "<pad>", "</s>", "<|im_start|>", "<|im_end|>");
  private static final String CHATML =
      "{% for message in messages %}"
          + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
          + "{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  private BenchmarkTokenizer() {}

  /** Writes tokenizer.json and tokenizer_config.json into {@code dir} and loads them. */
  static HfTokenizer write(Path dir) {
    List<String> vocabulary = new ArrayList<>(SPECIAL);
    vocabulary.add("\n");
    vocabulary.add(" ");
    for (char c = 'a'; c <= 'z'; c++) {
      vocabulary.add(String.valueOf(c));
    }
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
}
