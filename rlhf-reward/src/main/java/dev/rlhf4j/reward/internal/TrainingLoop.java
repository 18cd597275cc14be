package dev.rlhf4j.reward.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageFinished;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.losses.PreferenceLossOutput;
import dev.rlhf4j.losses.optim.AdamW;
import dev.rlhf4j.losses.optim.GradientClipping;
import dev.rlhf4j.losses.optim.LearningRateSchedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The optimisation loop both trainers share: epochs over shuffled examples, micro-batches whose
 * losses are accumulated into one global batch (each micro-batch loss weighted by its share of
 * the global batch, so the step sees the mean over all its examples), clipping by global norm,
 * AdamW with a warm-up + cosine schedule, one {@link StepMetrics} event per step and an
 * evaluation after each epoch.
 *
 * <p>Each micro-batch runs in its own sub-manager with its own gradient collector; only the host
 * metrics outlive it.
 */
public final class TrainingLoop {
  /** Step metric: the global norm of the gradients before clipping. */
  public static final String GRAD_NORM = "grad_norm";
  /** Step metric: the learning rate of the step. */
  public static final String LEARNING_RATE = "learning_rate";
  /** Step metric: the 1-based epoch of the step. */
  public static final String EPOCH = "epoch";

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
   * The loop's settings.
   *
   * @param stage the stage reported in events
   * @param epochs passes over the training examples
   * @param learningRate the peak learning rate
   * @param warmupRatio the fraction of steps spent warming up
   * @param microBatchSize examples per forward pass
   * @param globalBatchSize examples per optimizer step, a multiple of microBatchSize
   * @param maxGradNorm the clipping threshold (+∞ measures only)
   * @param weightDecay AdamW's decoupled weight decay
   * @param seed the shuffling seed
   * @param listener receives the events; a throwing listener is logged and ignored
   */
  public record Settings(
      Stage stage,
      int epochs,
      double learningRate,
      double warmupRatio,
      int microBatchSize,
      int globalBatchSize,
      double maxGradNorm,
      double weightDecay,
      long seed,
      ProgressListener listener) {}

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

  private TrainingLoop() {}

  /** The optimizer steps of one epoch over {@code examples} examples. */
  public static long stepsPerEpoch(int examples, int microBatchSize, int globalBatchSize) {
    int microBatches = (examples + microBatchSize - 1) / microBatchSize;
    int accumulation = globalBatchSize / microBatchSize;
    return (microBatches + accumulation - 1) / accumulation;
  }

  /**
   * Trains {@code parameters} in place.
   *
   * @throws IllegalArgumentException if there are no examples
   * @throws Rlhf4jException if a loss or the gradient norm is not finite (naming the step)
   */
  public static Outcome run(
      Map<String, NDArray> parameters,
      int examples,
      Settings s,
      MicroBatchLoss lossFn,
      Evaluation evaluation,
      String metricAccuracy) {
    checkArgument(examples > 0, "there must be at least one training example");
    ProgressListener listener = ProgressListener.isolating(List.of(s.listener()));
    long perEpoch = stepsPerEpoch(examples, s.microBatchSize(), s.globalBatchSize());
    long totalSteps = perEpoch * s.epochs();
    int accumulation = s.globalBatchSize() / s.microBatchSize();
    long started = System.nanoTime();
    listener.onStageStarted(new StageStarted(0, s.stage(), totalSteps));
    OptionalDouble before = evaluation.accuracy(0);
    List<Double> epochLoss = new ArrayList<>();
    List<Double> epochAccuracy = new ArrayList<>();
    List<Double> heldOut = new ArrayList<>();
    Random random = new Random(s.seed());
    List<Integer> order = new ArrayList<>(IntStream.range(0, examples).boxed().toList());
    long step = 0;
    LearningRateSchedule schedule =
        LearningRateSchedule.warmupCosine(s.learningRate(), totalSteps, s.warmupRatio());
    try (AdamW optimizer = AdamW.builder(schedule).weightDecay(s.weightDecay()).build()) {
      for (int epoch = 1; epoch <= s.epochs(); epoch++) {
        Collections.shuffle(order, random);
        double lossSum = 0;
        double accuracySum = 0;
        for (int start = 0; start < examples; start += s.globalBatchSize()) {
          int end = Math.min(examples, start + s.globalBatchSize());
          step++;
          Map<String, Double> sums = new HashMap<>();
          int inStep = end - start;
          int micro = 0;
          for (int m = start; m < end; m += s.microBatchSize(), micro++) {
            int[] batch =
                order.subList(m, Math.min(end, m + s.microBatchSize())).stream()
                    .mapToInt(Integer::intValue)
                    .toArray();
            double weight = (double) batch.length / inStep;
            try (NDManager scope = NDManager.newBaseManager(device(parameters));
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
              PreferenceLossOutput out = lossFn.compute(batch, scope);
              double loss = out.metric(PreferenceLossOutput.LOSS);
              if (!Double.isFinite(loss)) {
                AdamW.zeroGradients(parameters.values());
                throw new Rlhf4jException(
                    s.stage() + ": the loss became " + loss + " at step " + step + " of "
                        + totalSteps + " (epoch " + epoch + ", micro-batch " + (micro + 1)
                        + "); lower the learning rate or check the data");
              }
              collector.backward(out.loss().mul(scalar(out.loss(), weight)));
              out.metrics().forEach((k, v) -> sums.merge(k, v * weight, Double::sum));
            }
          }
          double gradNorm = GradientClipping.clipGradientsOf(parameters.values(), s.maxGradNorm());
          if (!Double.isFinite(gradNorm)) {
            AdamW.zeroGradients(parameters.values());
            throw new Rlhf4jException(
                s.stage() + ": the gradient norm became " + gradNorm + " at step " + step + " of "
                    + totalSteps + " (epoch " + epoch + "); lower the learning rate");
          }
          double lr = optimizer.step(parameters);
          lossSum += sums.getOrDefault(PreferenceLossOutput.LOSS, 0.0) * inStep;
          accuracySum += sums.getOrDefault(metricAccuracy, 0.0) * inStep;
          Map<String, Double> metrics = new HashMap<>(sums);
          metrics.put(GRAD_NORM, gradNorm);
          metrics.put(LEARNING_RATE, lr);
          metrics.put(EPOCH, (double) epoch);
          listener.onStep(new StepMetrics(0, s.stage(), step, totalSteps, metrics));
        }
        epochLoss.add(lossSum / examples);
        epochAccuracy.add(accuracySum / examples);
        evaluation.accuracy(epoch).ifPresent(heldOut::add);
      }
    }
    Map<String, Double> summary = new HashMap<>();
    summary.put("steps", (double) step);
    summary.put("train_loss", epochLoss.get(epochLoss.size() - 1));
    if (!heldOut.isEmpty()) {
      summary.put("eval_accuracy", heldOut.get(heldOut.size() - 1));
    }
    listener.onStageFinished(
        new StageFinished(0, s.stage(), Duration.ofNanos(System.nanoTime() - started), summary));
    return new Outcome(epochLoss, epochAccuracy, heldOut, before, step);
  }

  private static ai.djl.Device device(Map<String, NDArray> parameters) {
    return parameters.values().iterator().next().getDevice();
  }
}
