package dev.rlhf4j.reward.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.api.DataFormatException;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.RewardNormalization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The files of a saved Hugging Face model directory that rlhf4j writes besides the weights: the
 * tokenizer files copied from the tokenizer's own directory, {@code pad_token_id} in {@code
 * config.json}, and the {@value #SIDECAR} sidecar with the reward normalisation.
 */
public final class ModelFiles {
  /** The sidecar file of a reward model directory; transformers ignores it. */
  public static final String SIDECAR = DjlRewardModel.SIDECAR_FILE;

  /** The tokenizer files a model directory may hold; those present are copied. */
  private static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json",
          "merges.txt", "tokenizer.model", "added_tokens.json", "chat_template.jinja");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VERSION = 1;

  private ModelFiles() {}

  /**
   * The fingerprint of the tokenizer files {@code dir} holds (those of {@link
   * #copyTokenizerFiles}), or empty if it holds none.
   */
  public static Optional<Fingerprint> tokenizerFingerprint(Path dir) {
    Fingerprint out = null;
    for (String name : TOKENIZER_FILES) {
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file)) {
        Fingerprint one = Fingerprint.ofPath(file);
        out = out == null ? one : out.with("", one);
      }
    }
    return Optional.ofNullable(out);
  }

  /** Copies the tokenizer files of {@code from} into {@code to} (nothing if they are the same). */
  public static void copyTokenizerFiles(Path from, Path to) {
    try {
      if (Files.exists(to) && Files.isSameFile(from, to)) {
        return;
      }
      for (String name : TOKENIZER_FILES) {
        Path file = from.resolve(name);
        if (Files.isRegularFile(file)) {
          Files.copy(file, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the tokenizer files of " + from + " to " + to, e);
    }
  }

  /** Rewrites {@code dir/config.json} with {@code pad_token_id} set. */
  public static void writePadTokenId(Path dir, long padTokenId) {
    Path file = dir.resolve("config.json");
    ModelConfig config = ModelConfig.read(file);
    config.toBuilder().padTokenId(OptionalInt.of(Math.toIntExact(padTokenId))).build().write(file);
  }

  /** Writes the sidecar: format version, normalisation (or null) and the pad id used. */
  public static void writeSidecar(Path dir, Optional<RewardNormalization> normalization, long padId) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", VERSION);
    if (normalization.isPresent()) {
      root.putObject("normalization")
          .put("mean", normalization.get().mean())
          .put("std", normalization.get().std());
    } else {
      root.putNull("normalization");
    }
    root.put("pad_token_id", padId);
    try {
      Files.writeString(
          dir.resolve(SIDECAR), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(SIDECAR), e);
    }
  }

  /**
   * The normalisation stored in the sidecar of {@code dir}; empty if there is no sidecar or it
   * holds none.
   *
   * @throws DataFormatException if the sidecar is malformed (the message names the file and the
   *     field)
   */
  public static Optional<RewardNormalization> readNormalization(Path dir) {
    Path file = dir.resolve(SIDECAR);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new DataFormatException(file, 1, null, "is not valid JSON: " + e.getMessage(), e);
    }
    JsonNode n = root.path("normalization");
    if (n.isMissingNode() || n.isNull()) {
      return Optional.empty();
    }
    if (!n.path("mean").isNumber() || !n.path("std").isNumber()) {
      throw new DataFormatException(
          file, 1, "normalization", "must be {\"mean\": number, \"std\": number}, got " + n);
    }
    try {
      return Optional.of(new RewardNormalization(n.get("mean").asDouble(), n.get("std").asDouble()));
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(file, 1, "normalization", e.getMessage(), e);
    }
  }
}
