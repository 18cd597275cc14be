package dev.rlhf4j.reward.internal;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.reward.Truncation;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The frozen settings of a preference-pair trainer, as {@link PairTrainerBuilder} checked them.
 *
 * @param trainPairs the training pairs, not empty
 * @param evalPairs the held-out pairs, possibly empty
 * @param evaluateBefore whether to measure the held-out accuracy before the first step
 * @param epochs passes over the training pairs
 * @param learningRate the peak learning rate
 * @param warmupRatio the fraction of steps spent warming up
 * @param microBatchSize pairs per forward pass
 * @param globalBatchSize pairs per optimizer step, a multiple of microBatchSize
 * @param maxLength tokens per rendered input
 * @param truncation what happens to longer inputs
 * @param maxGradNorm the clipping threshold
 * @param weightDecay AdamW's decoupled weight decay
 * @param seed the seed of every random choice
 * @param listener receives the training events
 * @param outputDirectory where to save the trained model, if anywhere
 */
public record PairTrainingSettings(
    List<PreferencePair> trainPairs,
    List<PreferencePair> evalPairs,
    boolean evaluateBefore,
    int epochs,
    double learningRate,
    double warmupRatio,
    int microBatchSize,
    int globalBatchSize,
    int maxLength,
    Truncation truncation,
    double maxGradNorm,
    double weightDecay,
    long seed,
    ProgressListener listener,
    Optional<Path> outputDirectory) {

  /** Copies the pair lists. */
  public PairTrainingSettings {
    trainPairs = List.copyOf(trainPairs);
    evalPairs = List.copyOf(evalPairs);
  }

  /** The settings of {@link TrainingLoop} for {@code stage}, shuffling with {@code loopSeed}. */
  public TrainingLoop.Settings loop(Stage stage, long loopSeed) {
    return new TrainingLoop.Settings(
        stage, epochs, learningRate, warmupRatio, microBatchSize, globalBatchSize, maxGradNorm,
        weightDecay, loopSeed, listener);
  }

  /** Whether to measure the held-out accuracy after {@code epoch} (0: before training). */
  public boolean evaluatesAfter(int epoch) {
    return !evalPairs.isEmpty() && (epoch != 0 || evaluateBefore);
  }
}
