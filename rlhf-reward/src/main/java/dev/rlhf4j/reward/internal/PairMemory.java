package dev.rlhf4j.reward.internal;

import dev.rlhf4j.models.TransformerModel;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.MemoryEstimate;
import dev.rlhf4j.models.memory.MemoryEstimator;
import java.util.List;

/** The memory check the preference-pair trainers run before their first step. */
public final class PairMemory {
  private PairMemory() {}

  /**
   * Refuses a Bradley–Terry step (each micro-batch runs the chosen and the rejected input of its
   * pairs as one batch, scored by a classification head) that would not fit.
   *
   * @param inputs every tokenized input (chosen and rejected); the longest sets the length
   * @throws dev.rlhf4j.models.memory.InsufficientMemoryException if it does not fit
   */
  public static MemoryEstimate requireRewardStepFits(
      TransformerModel model, List<long[]> inputs, int pairs, int microBatch,
      AvailableMemory available) {
    int length = longest(inputs);
    int m = Math.min(microBatch, pairs);
    MemoryEstimator estimator = MemoryEstimator.builder(model).build();
    return MemoryEstimator.requireFits(
        "reward model step (" + m + " pairs x 2 x up to " + length + " tokens per micro-batch)",
        available, k -> estimator.trainingStep(2 * k, length, 0), m, "microBatchSize",
        MemoryEstimator.residentBytes(model));
  }

  /**
   * Refuses a pairwise preference-model step (one comparison prompt per pair, the answer token's
   * logits at its last slot) that would not fit.
   *
   * @param prompts every tokenized comparison prompt; the longest sets the length
   * @throws dev.rlhf4j.models.memory.InsufficientMemoryException if it does not fit
   */
  public static MemoryEstimate requirePreferenceStepFits(
      TransformerModel model, List<long[]> prompts, int microBatch, AvailableMemory available) {
    int length = longest(prompts);
    int m = Math.min(microBatch, prompts.size());
    MemoryEstimator estimator = MemoryEstimator.builder(model).build();
    return MemoryEstimator.requireFits(
        "preference model step (" + m + " comparisons x up to " + length
            + " tokens per micro-batch)",
        available, k -> estimator.trainingStep(k, length, k), m, "microBatchSize",
        MemoryEstimator.residentBytes(model));
  }

  private static int longest(List<long[]> inputs) {
    int length = 1;
    for (long[] ids : inputs) {
      length = Math.max(length, ids.length);
    }
    return length;
  }
}
