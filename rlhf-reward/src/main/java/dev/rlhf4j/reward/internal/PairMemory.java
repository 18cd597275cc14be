package dev.rlhf4j.reward.internal;

import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.models.TransformerModel;
import dev.rlhf4j.models.checkpoint.DType;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.MemoryEstimate;
import dev.rlhf4j.models.memory.MemoryEstimator;
import java.util.List;

/**
 * The memory check the preference-pair trainers run before their first step, for the model as
 * it will train: gradients and AdamW state only for {@link
 * TransformerModel#numTrainableParameters() what trains} (with LoRA the adapter and a
 * classifier's score head), an attached adapter counted as additional weights.
 */
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
    MemoryEstimator estimator = estimator(model);
    return MemoryEstimator.requireFits(
        "reward model step (" + m + " pairs x 2 x up to " + length + " tokens per micro-batch)",
        available, k -> estimator.trainingStep(2 * k, length, 0), m, "microBatchSize",
        residentBytes(model));
  }

  /**
   * Refuses a pairwise preference-model step (one comparison prompt per pair, projected onto the
   * vocabulary at every position) that would not fit.
   *
   * @param prompts every tokenized comparison prompt; the longest sets the length
   * @throws dev.rlhf4j.models.memory.InsufficientMemoryException if it does not fit
   */
  public static MemoryEstimate requirePreferenceStepFits(
      TransformerModel model, List<long[]> prompts, int microBatch, AvailableMemory available) {
    int length = longest(prompts);
    int m = Math.min(microBatch, prompts.size());
    MemoryEstimator estimator = estimator(model);
    return MemoryEstimator.requireFits(
        "preference model step (" + m + " comparisons x up to " + length
            + " tokens per micro-batch)",
        available, k -> estimator.trainingStep(k, length, (long) k * length), m,
        "microBatchSize", residentBytes(model));
  }

  /** The estimator of {@code model} as it stands: its weight type, adapter and what trains. */
  static MemoryEstimator estimator(TransformerModel model) {
    return MemoryEstimator.builder(model.config())
        .weightType(weightType(model))
        .additionalParameters(adapterParameters(model))
        .trainableParameters(model.numTrainableParameters())
        .build();
  }

  /** What the loaded model already holds of an estimate: its weights and the runtime. */
  static long residentBytes(TransformerModel model) {
    return (model.numParameters() + adapterParameters(model)) * weightType(model).byteSize()
        + MemoryEstimator.DEFAULT_RUNTIME_BYTES;
  }

  private static long adapterParameters(TransformerModel model) {
    return model.loraParameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  private static DType weightType(TransformerModel model) {
    return model.options().dataType() == DataType.FLOAT64 ? DType.F64 : DType.F32;
  }

  private static int longest(List<long[]> inputs) {
    int length = 1;
    for (long[] ids : inputs) {
      length = Math.max(length, ids.length);
    }
    return length;
  }
}
