package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.iterative.internal.RunFiles;
import dev.rlhf4j.losses.optim.AdamW;
import dev.rlhf4j.models.CausalLm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Training checkpoints: {@code <dir>/checkpoint-<step>/} holding the policy as a Hugging Face
 * directory ({@code config.json}, {@code model.safetensors}, the tokenizer files), the AdamW state
 * in {@code optimizer/} and {@code trainer_state.json} (step, epoch, the step's metrics).
 *
 * <p>A checkpoint is written in full under a temporary name and then renamed in one atomic move,
 * so a checkpoint directory is either complete or absent; an existing checkpoint is never
 * overwritten.
 */
public final class Checkpoints {
  /** The name of the trainer-state file in a checkpoint. */
  public static final String TRAINER_STATE = "trainer_state.json";

  /** The optimizer-state subdirectory of a checkpoint. */
  public static final String OPTIMIZER = "optimizer";

  private static final String PREFIX = "checkpoint-";
  private static final String TEMP_PREFIX = ".tmp-checkpoint-";
  private static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json",
          "merges.txt", "tokenizer.model", "added_tokens.json", "chat_template.jinja",
          "generation_config.json");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Checkpoints() {}

  /** The directory of the checkpoint after {@code step} optimizer steps. */
  public static Path directoryOf(Path root, long step) {
    return root.resolve(PREFIX + step);
  }

  /**
   * Checks that {@code root} holds no checkpoint yet, so that a run never replaces another run's.
   *
   * @throws IllegalArgumentException if it holds a {@code checkpoint-*} directory
   * @throws UncheckedIOException if the directory cannot be listed
   */
  public static void checkNoCheckpoints(Path root) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> found = Files.newDirectoryStream(root, PREFIX + "*")) {
      for (Path existing : found) {
        throw new IllegalArgumentException(
            "checkpoint directory " + root + " already holds " + existing.getFileName()
                + "; choose an empty directory so that no earlier checkpoint is replaced");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  /**
   * Writes the checkpoint of {@code step} atomically and returns its directory.
   *
   * @param tokenizerDirectory where the tokenizer files come from when the policy was not loaded
   *     from a directory (which {@link CausalLm#save} copies them from); may be null
   * @throws IllegalArgumentException if the checkpoint already exists
   * @throws UncheckedIOException if a file cannot be written; nothing is left behind then
   */
  public static Path write(
      Path root,
      long step,
      double epoch,
      CausalLm policy,
      AdamW optimizer,
      Path tokenizerDirectory,
      Map<String, Double> metrics) {
    Path target = directoryOf(root, step);
    checkArgument(!Files.exists(target), "checkpoint %s already exists", target);
    Path temp = root.resolve(TEMP_PREFIX + step);
    try {
      Files.createDirectories(root);
      RunFiles.deleteRecursively(temp);
      policy.save(temp);
      optimizer.saveState(temp.resolve(OPTIMIZER));
      if (policy.origin().isEmpty() && tokenizerDirectory != null) {
        for (String name : TOKENIZER_FILES) {
          Path file = tokenizerDirectory.resolve(name);
          if (Files.isRegularFile(file)) {
            Files.copy(file, temp.resolve(name), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      ObjectNode state = JSON.createObjectNode();
      state.put("step", step);
      state.put("epoch", epoch);
      ObjectNode values = state.putObject("metrics");
      new TreeMap<>(metrics).forEach(values::put);
      Files.writeString(temp.resolve(TRAINER_STATE), JSON.writeValueAsString(state));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException | RuntimeException e) {
      try {
        RunFiles.deleteRecursively(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot write checkpoint " + target, io);
      }
      throw (RuntimeException) e;
    }
  }
}
