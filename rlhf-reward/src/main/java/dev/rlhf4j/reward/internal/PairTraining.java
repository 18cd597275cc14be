package dev.rlhf4j.reward.internal;

import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.losses.PreferenceLossOutput;
import dev.rlhf4j.models.TransformerModel;
import dev.rlhf4j.training.Optimization;
import dev.rlhf4j.training.TrainingLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * What the two preference-pair trainers add to the one {@link TrainingLoop}: an objective over
 * pairs whose micro-batch loss is a {@link PreferenceLossOutput}, the mean training loss and
 * accuracy of each epoch, and the held-out accuracy after each epoch (kept in the loop's
 * checkpoints so that a resumed run reports the same).
 */
public final class PairTraining {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The loss of one micro-batch, computed in {@code scope} under an open gradient collector. */
  @FunctionalInterface
  public interface MicroBatchLoss {
    /**
     * @param examples the indices of the micro-batch's examples
     * @param scope the micro-batch's native-memory scope, closed after the backward pass
     */
    PreferenceLossOutput compute(int[] examples, NDManager scope);
  }

  /** The held-out evaluation after an epoch (the model is not under a gradient collector). */
  @FunctionalInterface
  public interface Evaluation {
    /** The held-out accuracy after {@code epoch} (1-based; 0 before training), or empty. */
    OptionalDouble accuracy(int epoch);
  }

  /**
   * What the loop measured.
   *
   * @param epochLoss the mean training loss of each epoch
   * @param epochAccuracy the mean training accuracy of each epoch
   * @param heldOutAccuracy the held-out accuracy after each epoch (empty without evaluation)
   * @param heldOutAccuracyBefore the held-out accuracy before the first step, if evaluated
   * @param steps the optimizer steps taken
   */
  public record Outcome(
      List<Double> epochLoss,
      List<Double> epochAccuracy,
      List<Double> heldOutAccuracy,
      OptionalDouble heldOutAccuracyBefore,
      long steps) {}

  private PairTraining() {}

  /**
   * Trains {@code model}'s {@link TransformerModel#trainableParameters() trainable parameters}
   * in place with the one training loop (with a LoRA adapter: the adapter and what trains beside
   * it), adapter dropout on for the steps and off for the held-out evaluations.
   *
   * @param save writes the model into a checkpoint directory
   * @param fingerprint identifies the data and the trainer's own settings
   * @throws IllegalArgumentException if there are no examples
   * @throws dev.rlhf4j.api.Rlhf4jException if a loss or the gradient norm is not finite
   */
  public static Outcome run(
      TransformerModel trained,
      Consumer<Path> save,
      int examples,
      Optimization optimization,
      Path checkpointDirectory,
      String fingerprint,
      ProgressListener listener,
      MicroBatchLoss lossFn,
      Evaluation evaluation,
      String metricAccuracy) {
    Map<String, NDArray> parameters = trained.trainableParameters();
    PairObjective objective =
        new PairObjective(examples, lossFn, evaluatedWithoutDropout(trained, evaluation),
            metricAccuracy);
    TrainingLoop.Trainable model =
        new TrainingLoop.Trainable() {
          @Override
          public Map<String, NDArray> parameters() {
            return parameters;
          }

          @Override
          public void save(Path directory) {
            save.accept(directory);
          }
        };
    TrainingLoop.Run run =
        new TrainingLoop.Run(
            Stage.REWARD_TRAINING, 0, optimization, checkpointDirectory, fingerprint);
    boolean fresh = checkpointDirectory == null || !hasCheckpoint(checkpointDirectory);
    if (fresh) {
      objective.before = evaluation.accuracy(0);
    }
    TrainingLoop.Outcome outcome;
    trained.setAdapterTraining(true);
    try {
      outcome =
          TrainingLoop.run(
              model, examples, objective, run, ProgressListener.isolating(List.of(listener)));
    } finally {
      trained.setAdapterTraining(false);
    }
    return new Outcome(
        List.copyOf(objective.epochLoss), List.copyOf(objective.epochAccuracy),
        List.copyOf(objective.heldOut), objective.before, outcome.history().size());
  }

  /** {@code evaluation} with the model's adapter dropout off while it runs. */
  private static Evaluation evaluatedWithoutDropout(TransformerModel model, Evaluation evaluation) {
    return epoch -> {
      model.setAdapterTraining(false);
      try {
        return evaluation.accuracy(epoch);
      } finally {
        model.setAdapterTraining(epoch > 0);
      }
    };
  }

  private static boolean hasCheckpoint(Path directory) {
    try (var found = Files.newDirectoryStream(directory, "checkpoint-*")) {
      return found.iterator().hasNext();
    } catch (IOException e) {
      return false;
    }
  }

  private static final class PairObjective implements TrainingLoop.Objective<int[]> {
    private final int examples;
    private final MicroBatchLoss lossFn;
    private final Evaluation evaluation;
    private final String metricAccuracy;
    private final List<Double> epochLoss = new ArrayList<>();
    private final List<Double> epochAccuracy = new ArrayList<>();
    private final List<Double> heldOut = new ArrayList<>();
    private OptionalDouble before = OptionalDouble.empty();
    private double lossSum;
    private double accuracySum;
    private int inStep;

    PairObjective(
        int examples, MicroBatchLoss lossFn, Evaluation evaluation, String metricAccuracy) {
      this.examples = examples;
      this.lossFn = lossFn;
      this.evaluation = evaluation;
      this.metricAccuracy = metricAccuracy;
    }

    @Override
    public void beginStep(int[] batch) {
      inStep = batch.length;
    }

    @Override
    public int[] prepare(NDManager scope, int[] microBatch) {
      return microBatch;
    }

    @Override
    public TrainingLoop.MicroLoss loss(NDManager scope, int[] batch) {
      double weight = (double) batch.length / inStep;
      PreferenceLossOutput out = lossFn.compute(batch, scope);
      double loss = out.metric(PreferenceLossOutput.LOSS);
      Map<String, Double> metrics = new HashMap<>();
      out.metrics().forEach((k, v) -> metrics.put(k, v * weight));
      if (Double.isFinite(loss)) {
        lossSum += loss * batch.length;
        accuracySum += out.metrics().getOrDefault(metricAccuracy, 0.0) * batch.length;
      }
      return new TrainingLoop.MicroLoss(
          out.loss().mul(scalar(out.loss(), weight)), loss, metrics, 0);
    }

    @Override
    public void afterEpoch(int epoch) {
      epochLoss.add(lossSum / examples);
      epochAccuracy.add(accuracySum / examples);
      lossSum = 0;
      accuracySum = 0;
      evaluation.accuracy(epoch).ifPresent(heldOut::add);
    }

    @Override
    public void saveState(Path directory) {
      ObjectNode state = JSON.createObjectNode();
      state.putPOJO("epochLoss", epochLoss);
      state.putPOJO("epochAccuracy", epochAccuracy);
      state.putPOJO("heldOut", heldOut);
      if (before.isPresent()) {
        state.put("before", before.getAsDouble());
      }
      state.put("lossSum", lossSum);
      state.put("accuracySum", accuracySum);
      try {
        Files.writeString(directory.resolve("pair_training.json"), JSON.writeValueAsString(state));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + directory, e);
      }
    }

    @Override
    public void loadState(Path directory) {
      try {
        JsonNode state = JSON.readTree(directory.resolve("pair_training.json").toFile());
        state.path("epochLoss").forEach(v -> epochLoss.add(v.asDouble()));
        state.path("epochAccuracy").forEach(v -> epochAccuracy.add(v.asDouble()));
        state.path("heldOut").forEach(v -> heldOut.add(v.asDouble()));
        before =
            state.has("before")
                ? OptionalDouble.of(state.get("before").asDouble())
                : OptionalDouble.empty();
        lossSum = state.path("lossSum").asDouble();
        accuracySum = state.path("accuracySum").asDouble();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + directory, e);
      }
    }
  }
}
