package dev.rlhf4j.training;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageFinished;
import dev.rlhf4j.api.event.StageProgress;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.training.internal.TrainingCheckpoints;
import dev.rlhf4j.training.optim.AdamW;
import dev.rlhf4j.training.optim.GradientClipping;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one training loop of rlhf4j, used by every trainer (SFT, DPO, Bradley–Terry reward model,
 * pairwise preference model): epochs over a shuffled dataset, optimizer steps of {@link
 * Optimization#globalBatchSize()} examples split into micro-batches whose gradients accumulate,
 * clipping by global norm, AdamW with the {@link Optimization#schedule()}, non-finite checks,
 * metrics to listeners, and mid-training checkpoints with exact resume. A trainer supplies only
 * its {@link Objective}.
 *
 * <p><b>Batches.</b> Each epoch visits the examples in an order drawn from its own {@link
 * SplittableRandom}, split from one root seeded with {@link Optimization#seed()}, so a run repeats
 * exactly. Before each step the engine's own random generator (which draws dropout masks, e.g.
 * a LoRA adapter's) is seeded from {@link Optimization#seed()} and the step number, so dropout
 * repeats too, and a resumed run draws the masks an uninterrupted one draws. An epoch has {@code
 * ceil(n / globalBatchSize)} steps; its last step may hold fewer
 * examples. The objective weighs each micro-batch by its share of the global batch, which makes
 * the update independent of the micro-batch size.
 *
 * <p><b>Memory.</b> Each micro-batch runs in its own sub-manager of the loop's manager, closed
 * before the next one, with the gradient collector open only around the forward and backward
 * passes ({@link Objective#prepare} runs outside it, for example a frozen reference model).
 *
 * <p><b>Divergence.</b> A non-finite micro-batch loss (checked before its backward pass) or
 * gradient norm (checked before the optimizer step) stops the run with an {@link Rlhf4jException}
 * naming the stage, the step, the batch and the last checkpoint. The gradients are zeroed and the
 * model keeps the weights of the last completed step; no checkpoint is written or touched.
 *
 * <p><b>Checkpoints and resume.</b> With a checkpoint directory and {@link
 * Optimization#checkpointEvery()} = k &gt; 0, every k-th step (and the last) writes {@code
 * checkpoint-<step>/}: the model as the trainer saves it, the parameters, the AdamW state, the
 * objective's own state, and {@code trainer_state.json} (step, epoch, fingerprint, the metrics of
 * every step so far). Each is written under a temporary name and renamed atomically. When the loop
 * starts and the directory already holds checkpoints, it resumes from the newest: the parameters,
 * the optimizer moments and step count (hence the schedule position) and the objective's state are
 * restored, the data order is redrawn from the seed (it depends on nothing else), and training
 * continues with the next step; the final weights are those of an uninterrupted run (bit for bit on
 * the same machine and shapes). A checkpoint whose fingerprint (stage, examples, settings, data)
 * differs from this run's is an error naming both, never silently resumed.
 *
 * <p>Not thread-safe; DJL allows one gradient collector per JVM, so one loop at a time per process.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  private TrainingLoop() {}

  /** What the loop trains: named float32 parameters that require gradients, and how to save them. */
  public interface Trainable {
    /** The parameters the optimizer updates, by name (stable across runs). */
    Map<String, NDArray> parameters();

    /** Writes the model into {@code directory} (a fresh, empty directory) as its trainer saves it. */
    void save(Path directory);
  }

  /**
   * What a trainer computes for its micro-batches.
   *
   * @param <P> the prepared inputs of one micro-batch
   */
  public interface Objective<P> {
    /** Called with the examples of a global batch before its first micro-batch. */
    default void beginStep(int[] batch) {}

    /**
     * Builds the inputs of a micro-batch in {@code scope}, outside the gradient collector (where,
     * for example, a reference model runs without recording a graph).
     */
    P prepare(NDManager scope, int[] microBatch);

    /** Runs the model on the prepared inputs under the gradient collector; returns the loss. */
    MicroLoss loss(NDManager scope, P prepared);

    /** Called after each optimizer step (1-based), outside the gradient collector. */
    default void afterStep(long step) {}

    /** Called after the last step of each epoch (1-based), outside the gradient collector. */
    default void afterEpoch(int epoch) {}

    /** Writes the objective's own state (anything that changes during training) into a checkpoint. */
    default void saveState(Path directory) {}

    /** Restores what {@link #saveState} wrote, before the first resumed step. */
    default void loadState(Path directory) {}
  }

  /**
   * One micro-batch's part of a step.
   *
   * @param loss the weighted loss to back-propagate, in the micro-batch's scope: the micro-batch
   *     losses of a step add up to the step's loss
   * @param value the micro-batch's own (unweighted) loss, checked to be finite
   * @param metrics the micro-batch's contributions to the step metrics (summed over micro-batches)
   * @param tokens the real tokens the model processed
   */
  public record MicroLoss(NDArray loss, double value, Map<String, Double> metrics, long tokens) {}

  /**
   * One run of the loop.
   *
   * @param stage the stage reported to listeners
   * @param iteration the iteration reported to listeners (0 outside the online loop)
   * @param optimization the optimisation settings
   * @param checkpointDirectory where checkpoints go and are resumed from, or null for none
   * @param fingerprint what identifies this run's data and settings beyond {@code optimization}
   *     (a checkpoint with another fingerprint is not resumed)
   */
  public record Run(
      Stage stage,
      int iteration,
      Optimization optimization,
      Path checkpointDirectory,
      String fingerprint) {
    /** @throws IllegalArgumentException if stage, optimization or fingerprint is null */
    public Run {
      checkArgument(stage != null, "stage must not be null");
      checkArgument(optimization != null, "optimization must not be null");
      checkArgument(fingerprint != null, "fingerprint must not be null");
    }
  }

  /**
   * What a run produced.
   *
   * @param history the metrics of every step, in order (restored steps included)
   * @param lastCheckpoint the last checkpoint written or resumed from, if any
   * @param resumedFromStep the step of the checkpoint the run resumed from, 0 for a fresh run
   * @param tokens real tokens processed by the model in this process's steps
   * @param stepSeconds the wall time of this process's steps (forward, backward, optimizer)
   * @param elapsed the wall time of this process's run
   */
  public record Outcome(
      List<StepMetrics> history,
      Optional<Path> lastCheckpoint,
      long resumedFromStep,
      long tokens,
      double stepSeconds,
      Duration elapsed) {}

  /**
   * Runs (or resumes) the loop over {@code examples} examples.
   *
   * @throws IllegalArgumentException if there are no examples, or the checkpoint directory holds a
   *     checkpoint of another run (the message names both fingerprints)
   * @throws Rlhf4jException if a loss or the gradient norm is not finite
   */
  public static <P> Outcome run(
      Trainable model, int examples, Objective<P> objective, Run run, ProgressListener listener) {
    checkArgument(examples > 0, "%s: there must be at least one training example", run.stage());
    Optimization o = run.optimization();
    long started = System.nanoTime();
    int perEpoch = o.stepsPerEpoch(examples);
    long total = o.totalSteps(examples);
    String fingerprint = run.stage() + "|" + examples + "|" + o + "|" + run.fingerprint();
    Map<String, NDArray> parameters = model.parameters();
    AdamW.zeroGradients(parameters.values());
    List<StepMetrics> history = new ArrayList<>();
    Path lastCheckpoint = null;
    long tokens = 0;
    double stepSeconds = 0;
    long resumed = 0;
    SplittableRandom root = new SplittableRandom(o.seed());
    try (AdamW optimizer =
            AdamW.builder(o.scheduleFor(examples))
                .weightDecay(o.weightDecay())
                .parameterGroups(o.parameterGroups())
                .build();
        NDManager manager = NDManager.newBaseManager(device(parameters))) {
      manager.setName("training loop");
      if (run.checkpointDirectory() != null) {
        Optional<TrainingCheckpoints.Restored> restored =
            TrainingCheckpoints.restoreLatest(
                run.checkpointDirectory(), fingerprint, parameters, optimizer, objective);
        if (restored.isPresent()) {
          resumed = restored.get().step();
          lastCheckpoint = restored.get().directory();
          for (Map<String, Double> m : restored.get().history()) {
            history.add(
                new StepMetrics(run.iteration(), run.stage(), history.size() + 1, total, m));
          }
          LOG.info("{}: resuming at step {} of {} from {}", run.stage(), resumed + 1, total,
              lastCheckpoint);
        }
      }
      listener.onStageStarted(new StageStarted(run.iteration(), run.stage(), total));
      if (resumed > 0) {
        listener.onProgress(new StageProgress(run.iteration(), run.stage(), resumed, total));
      }
      long step = 0;
      for (int epoch = 0; epoch < o.epochs(); epoch++) {
        int[] order = shuffled(examples, root.split());
        for (int batch = 0; batch < perEpoch; batch++) {
          step++;
          if (step <= resumed) {
            continue;
          }
          int from = batch * o.globalBatchSize();
          int[] globalBatch =
              Arrays.copyOfRange(order, from, Math.min(examples, from + o.globalBatchSize()));
          long stepStart = System.nanoTime();
          Engine.getInstance().setRandomSeed(stepSeed(o.seed(), step));
          Map<String, Double> metrics = new HashMap<>();
          long stepTokens = 0;
          objective.beginStep(globalBatch);
          for (int micro = 0; micro < globalBatch.length; micro += o.microBatchSize()) {
            int[] microBatch =
                Arrays.copyOfRange(
                    globalBatch, micro, Math.min(globalBatch.length, micro + o.microBatchSize()));
            double value;
            try (NDManager scope = manager.newSubManager()) {
              P prepared = objective.prepare(scope, microBatch);
              try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                MicroLoss loss = objective.loss(scope, prepared);
                value = loss.value();
                if (Double.isFinite(value)) {
                  collector.backward(loss.loss());
                  loss.metrics().forEach((k, v) -> metrics.merge(k, v, Double::sum));
                  stepTokens += loss.tokens();
                }
              }
            }
            if (!Double.isFinite(value)) {
              AdamW.zeroGradients(parameters.values());
              throw diverged(run.stage(), step, batch, perEpoch, epoch, "loss is " + value,
                  lastCheckpoint);
            }
          }
          double gradNorm = GradientClipping.clipGradientsOf(parameters.values(), o.maxGradNorm());
          if (!Double.isFinite(gradNorm)) {
            AdamW.zeroGradients(parameters.values());
            throw diverged(run.stage(), step, batch, perEpoch, epoch,
                "gradient norm is " + gradNorm, lastCheckpoint);
          }
          double learningRate = optimizer.step(parameters);
          objective.afterStep(step);
          double seconds = (System.nanoTime() - stepStart) / 1e9;
          tokens += stepTokens;
          stepSeconds += seconds;
          metrics.put("grad_norm", gradNorm);
          metrics.put("learning_rate", learningRate);
          metrics.put("tokens_per_sec", stepTokens / seconds);
          metrics.put("epoch", epoch + (batch + 1) / (double) perEpoch);
          StepMetrics event = new StepMetrics(run.iteration(), run.stage(), step, total, metrics);
          history.add(event);
          LOG.debug("{} step {}/{}: {}", run.stage(), step, total, event.metrics());
          if (batch == perEpoch - 1) {
            objective.afterEpoch(epoch + 1);
          }
          if (run.checkpointDirectory() != null
              && o.checkpointEvery() > 0
              && (step % o.checkpointEvery() == 0 || step == total)) {
            lastCheckpoint =
                TrainingCheckpoints.write(
                    run.checkpointDirectory(), step, fingerprint, model, optimizer, objective,
                    history);
          }
          listener.onStep(event);
          listener.onProgress(new StageProgress(run.iteration(), run.stage(), step, total));
        }
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    Map<String, Double> summary = new HashMap<>();
    summary.put("steps", (double) history.size());
    if (stepSeconds > 0) {
      summary.put("tokens_per_sec", tokens / stepSeconds);
    }
    summary.put("loss", history.get(history.size() - 1).get("loss"));
    listener.onStageFinished(
        new StageFinished(run.iteration(), run.stage(), elapsed, summary));
    return new Outcome(
        List.copyOf(history), Optional.ofNullable(lastCheckpoint), resumed, tokens, stepSeconds,
        elapsed);
  }

  private static Device device(Map<String, NDArray> parameters) {
    checkArgument(!parameters.isEmpty(), "the model has no trainable parameters");
    return parameters.values().iterator().next().getDevice();
  }

  /** The engine seed of {@code step}: a SplitMix64 mix of the run's seed and the step. */
  static int stepSeed(long seed, long step) {
    long z = seed + step * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (int) (z ^ (z >>> 31));
  }

  private static int[] shuffled(int n, SplittableRandom random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  private static Rlhf4jException diverged(
      Stage stage, long step, int batch, int perEpoch, int epoch, String what,
      Path lastCheckpoint) {
    String message =
        String.format(
            "%s step %d (batch %d of %d in epoch %d): %s; training stopped, %s. The model keeps"
                + " the weights of step %d; lower the learning rate or check the data of this"
                + " batch",
            stage,
            step,
            batch + 1,
            perEpoch,
            epoch + 1,
            what,
            lastCheckpoint == null
                ? "no checkpoint was written"
                : "last checkpoint at " + lastCheckpoint,
            step - 1);
    return new Rlhf4jException(message);
  }
}
