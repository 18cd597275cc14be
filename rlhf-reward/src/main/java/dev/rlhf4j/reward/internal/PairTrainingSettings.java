package dev.rlhf4j.reward.internal;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.reward.Truncation;
import dev.rlhf4j.training.Optimization;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The frozen settings of a preference-pair trainer, as {@link PairTrainerBuilder} checked them.
 *
 * @param trainPairs the training pairs, not empty
 * @param evalPairs the held-out pairs, possibly empty
 * @param evaluateBefore whether to measure the held-out accuracy before the first step
 * @param optimization how the one training loop optimises
 * @param maxLength tokens per rendered input
 * @param truncation what happens to longer inputs
 * @param listener receives the training events
 * @param lora the LoRA adapter to add and train, if any
 * @param saveMerged whether the output directory receives the merged model rather than the
 *     adapter directory (with an adapter only)
 * @param outputDirectory where to save the trained model, if anywhere
 * @param checkpointDirectory where mid-training checkpoints go, if anywhere
 * @param availableMemory what the memory check before training compares the estimate with
 */
public record PairTrainingSettings(
    List<PreferencePair> trainPairs,
    List<PreferencePair> evalPairs,
    boolean evaluateBefore,
    Optimization optimization,
    int maxLength,
    Truncation truncation,
    ProgressListener listener,
    Optional<LoraConfig> lora,
    boolean saveMerged,
    Optional<Path> outputDirectory,
    Optional<Path> checkpointDirectory,
    AvailableMemory availableMemory) {

  /** Copies the pair lists. */
  public PairTrainingSettings {
    trainPairs = List.copyOf(trainPairs);
    evalPairs = List.copyOf(evalPairs);
  }

  /** Pairs per forward pass. */
  public int microBatchSize() {
    return optimization.microBatchSize();
  }

  /** The seed of every random choice. */
  public long seed() {
    return optimization.seed();
  }

  /** Whether to measure the held-out accuracy after {@code epoch} (0: before training). */
  public boolean evaluatesAfter(int epoch) {
    return !evalPairs.isEmpty() && (epoch != 0 || evaluateBefore);
  }
}
