package dev.rlhf4j.models.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tiny Hugging Face model directories for tests with {@link HfTokenizerWriter}: a
 * character-level BPE tokenizer (printable ASCII, newline and tab, a few merges, the special tokens
 * of the common chat formats, a BOS post-processor, a Fuse decoder so decoding gives the exact text
 * back), plus a saved truncation to 4 tokens and padding to 16 that must not apply, and a
 * tokenizer_config.json whose EOS is written as an AddedToken object.
 */
final class TinyTokenizers {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Added special tokens, in id order from 0. */
  static final List<String> SPECIAL =
      List.of(
          "<unk>", "<s>", "</s>", "<pad>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>",
          "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|user|>", "<|assistant|>",
          "<|system|>");

  /** Merges: "a b" makes "ab" and "h e" makes "he", so BPE joins characters across a boundary. */
  static final List<String> MERGES = List.of("a b", "h e");

  private static final TypeReference<LinkedHashMap<String, Object>> CONFIG_TYPE =
      new TypeReference<>() {};

  private static final HfTokenizerWriter WRITER =
      HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.CHARACTERS)
          .vocabulary(vocabulary())
          .specialTokens(SPECIAL)
          .merges(MERGES)
          .bosToken("<s>")
          .eosToken("</s>")
          .padToken("<pad>")
          .unkToken("<unk>")
          .addBosToken(true)
          .modelMaxLength(8)
          .build();

  private TinyTokenizers() {}

  private static List<String> vocabulary() {
    List<String> vocabulary = new ArrayList<>(SPECIAL);
    vocabulary.add("\n");
    vocabulary.add("\t");
    for (char c = 32; c < 127; c++) {
      vocabulary.add(String.valueOf(c));
    }
    for (String merge : MERGES) {
      vocabulary.add(merge.replace(" ", ""));
    }
    return vocabulary;
  }

  /** The id the tiny tokenizer gives a token. */
  static long idOf(String token) {
    int special = SPECIAL.indexOf(token);
    if (special >= 0) {
      return special;
    }
    if (token.equals("\n")) {
      return SPECIAL.size();
    }
    if (token.equals("\t")) {
      return SPECIAL.size() + 1L;
    }
    if (token.length() == 1) {
      return SPECIAL.size() + 2L + token.charAt(0) - 32;
    }
    return SPECIAL.size() + 2L + 95 + MERGES.indexOf(token.charAt(0) + " " + token.charAt(1));
  }

  /** The number of ids of the tiny tokenizer. */
  static int vocabSize() {
    return SPECIAL.size() + 2 + 95 + MERGES.size();
  }

  /** A chat template from src/test/resources/chat-templates. */
  static String template(String name) {
    try (InputStream in =
        TinyTokenizers.class.getResourceAsStream("/chat-templates/" + name + ".jinja")) {
      if (in == null) {
        throw new IllegalArgumentException("no test template " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes a model directory: tokenizer.json and a tokenizer_config.json with bos {@code <s>},
   * eos {@code </s>}, pad {@code <pad>}, unk {@code <unk>}, the given template (none if null) and
   * the overrides (a null value removes the key).
   */
  static Path writeModel(Path dir, String chatTemplate, Map<String, Object> configOverrides) {
    HfTokenizerWriter writer =
        chatTemplate == null ? WRITER : WRITER.toBuilder().chatTemplate(chatTemplate).build();
    writer.write(dir);
    try {
      // saved truncation and padding that HfTokenizer must switch off
      Path tokenizerFile = dir.resolve("tokenizer.json");
      ObjectNode tokenizer = (ObjectNode) JSON.readTree(tokenizerFile.toFile());
      tokenizer.putObject("truncation")
          .put("direction", "Right")
          .put("max_length", 4)
          .put("strategy", "LongestFirst")
          .put("stride", 0);
      ObjectNode padding = tokenizer.putObject("padding");
      padding.putObject("strategy").put("Fixed", 16);
      padding
          .put("direction", "Right")
          .putNull("pad_to_multiple_of")
          .put("pad_id", 3)
          .put("pad_type_id", 0)
          .put("pad_token", "<pad>");
      Files.writeString(tokenizerFile, tokenizer.toString());

      Path configFile = dir.resolve("tokenizer_config.json");
      Map<String, Object> config = JSON.readValue(configFile.toFile(), CONFIG_TYPE);
      config.put("eos_token", Map.of("__type", "AddedToken", "content", "</s>", "special", true));
      for (Map.Entry<String, Object> entry : configOverrides.entrySet()) {
        if (entry.getValue() == null) {
          config.remove(entry.getKey());
        } else {
          config.put(entry.getKey(), entry.getValue());
        }
      }
      Files.writeString(
          configFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A model directory with the named template from the test resources. */
  static Path writeModel(Path dir, String templateName) {
    return writeModel(dir, template(templateName), Map.of());
  }
}
