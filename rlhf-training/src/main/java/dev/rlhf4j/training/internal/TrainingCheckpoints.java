package dev.rlhf4j.training.internal;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.models.checkpoint.SafetensorsFile;
import dev.rlhf4j.models.checkpoint.SafetensorsWriter;
import dev.rlhf4j.training.TrainingLoop;
import dev.rlhf4j.training.optim.AdamW;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The training loop's checkpoints: {@code <dir>/checkpoint-<step>/} holding the model as its
 * trainer saves it, and {@code training/} with the parameters ({@code parameters.safetensors}), the
 * AdamW state ({@code optimizer/}), the objective's state ({@code objective/}) and {@code
 * trainer_state.json} (step, epoch, fingerprint, every step's metrics). Written in full under a
 * temporary name, then renamed in one atomic move: a checkpoint is complete or absent.
 */
public final class TrainingCheckpoints {
  /** The name of the trainer-state file in a checkpoint. */
  public static final String TRAINER_STATE = "trainer_state.json";
  /** The subdirectory of the loop's own state. */
  public static final String TRAINING = "training";

  private static final String PREFIX = "checkpoint-";
  private static final String TEMP_PREFIX = ".tmp-checkpoint-";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TrainingCheckpoints() {}

  /** A checkpoint the loop resumed from. */
  public record Restored(Path directory, long step, List<Map<String, Double>> history) {}

  /** The directory of the checkpoint after {@code step} optimizer steps. */
  public static Path directoryOf(Path root, long step) {
    return root.resolve(PREFIX + step);
  }

  /**
   * Writes the checkpoint of {@code step} atomically and returns its directory.
   *
   * @throws IllegalArgumentException if the checkpoint already exists
   * @throws UncheckedIOException if a file cannot be written; nothing is left behind then
   */
  public static Path write(
      Path root,
      long step,
      String fingerprint,
      TrainingLoop.Trainable model,
      AdamW optimizer,
      TrainingLoop.Objective<?> objective,
      List<StepMetrics> history) {
    Path target = directoryOf(root, step);
    checkArgument(!Files.exists(target), "checkpoint %s already exists", target);
    Path temp = root.resolve(TEMP_PREFIX + step);
    try {
      Files.createDirectories(root);
      deleteRecursively(temp);
      Files.createDirectories(temp);
      model.save(temp);
      Path training = Files.createDirectories(temp.resolve(TRAINING));
      SafetensorsWriter.builder().build()
          .writeFile(training.resolve("parameters.safetensors"), model.parameters());
      optimizer.saveState(training.resolve("optimizer"));
      objective.saveState(Files.createDirectories(training.resolve("objective")));
      ObjectNode state = JSON.createObjectNode();
      state.put("step", step);
      state.put("epoch", history.get(history.size() - 1).get("epoch"));
      state.put("fingerprint", fingerprint);
      ArrayNode steps = state.putArray("history");
      for (StepMetrics m : history) {
        ObjectNode values = steps.addObject();
        new TreeMap<>(m.metrics()).forEach(values::put);
      }
      Files.writeString(temp.resolve(TRAINER_STATE), JSON.writeValueAsString(state));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException | RuntimeException e) {
      try {
        deleteRecursively(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot write checkpoint " + target, io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Restores the newest complete checkpoint under {@code root}, if any: parameters in place,
   * optimizer state and objective state.
   *
   * @throws IllegalArgumentException if its fingerprint is not {@code fingerprint}
   * @throws UncheckedIOException if it cannot be read
   */
  public static Optional<Restored> restoreLatest(
      Path root,
      String fingerprint,
      Map<String, NDArray> parameters,
      AdamW optimizer,
      TrainingLoop.Objective<?> objective) {
    Optional<Path> latest = latest(root);
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    Path dir = latest.get();
    try {
      JsonNode state = JSON.readTree(dir.resolve(TRAINER_STATE).toFile());
      String saved = state.path("fingerprint").asText("");
      checkArgument(
          saved.equals(fingerprint),
          "checkpoint %s belongs to another run: it was written by %s but this run is %s; point"
              + " the trainer at an empty checkpoint directory or restore the old settings",
          dir,
          saved,
          fingerprint);
      Path training = dir.resolve(TRAINING);
      try (SafetensorsFile file = SafetensorsFile.open(training.resolve("parameters.safetensors"));
          NDManager scope = NDManager.newBaseManager()) {
        for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
          NDArray parameter = entry.getValue();
          try (NDArray loaded =
                  file.read(entry.getKey(), scope).toDevice(parameter.getDevice(), false);
              NDArray weight = parameter.stopGradient()) {
            checkArgument(
                loaded.getShape().equals(parameter.getShape()),
                "checkpoint %s: parameter %s has shape %s but the model's is %s",
                dir, entry.getKey(), loaded.getShape(), parameter.getShape());
            weight.muli(0).addi(loaded);
          }
        }
      }
      optimizer.loadState(training.resolve("optimizer"));
      objective.loadState(training.resolve("objective"));
      List<Map<String, Double>> history = new ArrayList<>();
      for (JsonNode m : state.path("history")) {
        history.add(JSON.convertValue(m, new TypeReference<Map<String, Double>>() {}));
      }
      return Optional.of(new Restored(dir, state.path("step").asLong(), history));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + dir, e);
    }
  }

  private static Optional<Path> latest(Path root) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(root, PREFIX + "*")) {
      for (Path p : stream) {
        if (Files.isRegularFile(p.resolve(TRAINER_STATE))) {
          found.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    return found.stream().max(Comparator.comparingLong(TrainingCheckpoints::stepOf));
  }

  private static long stepOf(Path checkpoint) {
    try {
      return Long.parseLong(checkpoint.getFileName().toString().substring(PREFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Deletes {@code path} and everything under it, if it exists. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
