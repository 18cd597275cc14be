package dev.rlhf4j.iterative.train.internal;

import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.TransformerModel;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.MemoryEstimate;
import dev.rlhf4j.models.memory.MemoryEstimator;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The memory estimates of the trainers' steps, and the check that runs before they allocate. */
public final class MemoryCheck {
  private MemoryCheck() {}

  /**
   * An estimator for training what {@code model} trains with AdamW ({@link
   * MemoryEstimator#builder(TransformerModel)}: every parameter, what freezing left, or a LoRA
   * adapter), projecting onto the vocabulary in the model's {@link
   * dev.rlhf4j.models.ModelOptions#vocabularyChunk chunks}. When {@code lora} asks for an adapter
   * the model does not have yet, it is counted as additional weights and only it trains
   * ({@link PolicyAdapter#trainableCount}).
   */
  public static MemoryEstimator.Builder estimator(
      TransformerModel model, Optional<LoraConfig> lora, int referenceCopies) {
    MemoryEstimator.Builder builder =
        MemoryEstimator.builder(model)
            .trainableParameters(PolicyAdapter.trainableCount(model, lora))
            .referenceCopies(referenceCopies);
    if (model.loraConfig().isEmpty() && lora.isPresent()) {
      builder.additionalParameters(lora.get().parameterCount(model.config())).headTrains(false)
          .lora(lora.get());
    }
    return builder;
  }

  /**
   * The estimate of a DPO step over micro-batches of {@code microBatch} pairs, as the objective
   * runs them: one packed row per pair ({@link PackedPairs}: the shared prompt once, then both
   * responses), as wide as the widest packed pair, and the largest number of completion tokens
   * any {@code microBatch} pairs hold.
   */
  public static MemoryEstimate dpoStep(
      MemoryEstimator estimator, List<TokenizedPair> pairs, int microBatch) {
    int m = Math.min(microBatch, pairs.size());
    int width = 1;
    long[] completions = new long[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      TokenizedPair p = pairs.get(i);
      int shared = PackedPairs.sharedPrefix(p.chosen(), p.rejected());
      width = Math.max(width, p.chosen().length() + p.rejected().length() - shared);
      completions[i] = p.chosen().responseLength() + p.rejected().responseLength();
    }
    Arrays.sort(completions);
    long projected = 0;
    for (int i = 0; i < m; i++) {
      projected += completions[completions.length - 1 - i];
    }
    return estimator.trainingStep(m, width, Math.min(projected, (long) m * width));
  }

  /**
   * Refuses a DPO step that would not fit in {@code available} beyond what is loaded already
   * ({@code residentBytes}).
   */
  public static MemoryEstimate requireDpoFits(
      MemoryEstimator estimator, List<TokenizedPair> pairs, int microBatch,
      AvailableMemory available, long residentBytes) {
    int length = 1;
    for (TokenizedPair p : pairs) {
      length = Math.max(length, Math.max(p.chosen().length(), p.rejected().length()));
    }
    return MemoryEstimator.requireFits(
        "DPO step (" + Math.min(microBatch, pairs.size()) + " pairs x 2 x up to " + length
            + " tokens per micro-batch)",
        available, m -> dpoStep(estimator, pairs, m), microBatch, "microBatchSize",
        residentBytes);
  }

  /**
   * The estimate of an SFT step over micro-batches of {@code microBatch} sequences: the longest
   * sequence and the largest number of response tokens any {@code microBatch} sequences hold.
   */
  public static MemoryEstimate sftStep(
      MemoryEstimator estimator, List<TokenizedSequence> sequences, int microBatch) {
    int m = Math.min(microBatch, sequences.size());
    int length = 1;
    long[] completions = new long[sequences.size()];
    for (int i = 0; i < sequences.size(); i++) {
      length = Math.max(length, sequences.get(i).length());
      completions[i] = sequences.get(i).responseLength();
    }
    Arrays.sort(completions);
    long projected = 0;
    for (int i = 0; i < m; i++) {
      projected += completions[completions.length - 1 - i];
    }
    return estimator.trainingStep(m, length, Math.min(projected, (long) m * length));
  }

  /** Refuses an SFT step that would not fit in {@code available} beyond {@code residentBytes}. */
  public static MemoryEstimate requireSftFits(
      MemoryEstimator estimator, List<TokenizedSequence> sequences, int microBatch,
      AvailableMemory available, long residentBytes) {
    int length = sequences.stream().mapToInt(TokenizedSequence::length).max().orElse(1);
    return MemoryEstimator.requireFits(
        "SFT step (" + Math.min(microBatch, sequences.size()) + " sequences x up to " + length
            + " tokens per micro-batch)",
        available, m -> sftStep(estimator, sequences, m), microBatch, "microBatchSize",
        residentBytes);
  }
}
