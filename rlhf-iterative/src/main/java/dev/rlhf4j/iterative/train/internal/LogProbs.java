package dev.rlhf4j.iterative.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.losses.SequenceLogProbs;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.TransformerModel;
import java.util.ArrayList;
import java.util.List;

/** Batches of preference pairs and the reference model's log-probabilities of them. */
public final class LogProbs {
  private LogProbs() {}

  /** The chosen sequences of {@code pairs} stacked over their rejected ones, right-padded. */
  public static CompletionBatch pairBatch(NDManager scope, List<TokenizedPair> pairs) {
    List<TokenizedSequence> rows = new ArrayList<>(2 * pairs.size());
    pairs.forEach(p -> rows.add(p.chosen()));
    pairs.forEach(p -> rows.add(p.rejected()));
    return CompletionBatch.of(scope, rows);
  }

  /**
   * The completion log-probabilities of {@code batch} under {@code model}: the vocabulary
   * projection and log-softmax of the slots that predict a response token only ({@link
   * CausalLm#logitsAt}, {@link SequenceLogProbs#fromSelectedLogits}); the same values as {@link
   * SequenceLogProbs#forCausalLm} on the full logits. Differentiable; the result lives in the ids'
   * manager.
   */
  public static SequenceLogProbs completion(CausalLm model, CompletionBatch batch) {
    NDArray ids = batch.ids();
    try (NDArray logits =
            model.logitsAt(ids, batch.attentionMask(), batch.predictsCompletion());
        NDArray labels = ids.get(":, 1:");
        NDArray mask = batch.completionMask().get(":, 1:")) {
      // the result does not need the logits' handle (autograd keeps what backward needs), so the
      // [K, vocab] array is freed as soon as its log-softmax exists
      return SequenceLogProbs.fromSelectedLogits(logits, labels, mask);
    }
  }

  /**
   * {@link #completion(CausalLm, CompletionBatch)} of a {@link #pairBatch}, computed on {@code
   * packed}, the same pairs packed one per row ({@link PackedPairs}): each pair's shared prompt
   * runs through the model once. Same values within floating-point tolerance; differentiable.
   */
  public static SequenceLogProbs completion(
      CausalLm model, CompletionBatch batch, PackedPairs packed) {
    NDArray ids = batch.ids();
    try (NDArray logits =
            model.logitsOfPacked(
                packed.ids(), packed.positions(), packed.segments(), packed.slots());
        NDArray labels = ids.get(":, 1:");
        NDArray mask = batch.completionMask().get(":, 1:")) {
      return SequenceLogProbs.fromSelectedLogits(logits, labels, mask);
    }
  }

  /**
   * The sequence log-probabilities {@code log π(y|x)} of a {@link #pairBatch} under {@code
   * model}, read back to the host: {@code [0]} the chosen, {@code [1]} the rejected responses.
   * Run it outside a gradient collector. With {@code ldAlpha < 1} they are LD-DPO's
   * length-desensitised sums ({@link SequenceLogProbs#lengthDesensitizedSums}).
   */
  public static double[][] ofPairs(CausalLm model, CompletionBatch batch) {
    return ofPairs(model, batch, 1);
  }

  /**
   * {@link #ofPairs(CausalLm, CompletionBatch)}, length-desensitised with {@code ldAlpha} if below
   * 1.
   */
  public static double[][] ofPairs(CausalLm model, CompletionBatch batch, double ldAlpha) {
    return ofPairs(model, batch, null, ldAlpha);
  }

  /**
   * {@link #ofPairs(CausalLm, CompletionBatch, double)}, computed on {@code packed} (the same
   * pairs, {@link PackedPairs}) when it is not null.
   */
  public static double[][] ofPairs(
      CausalLm model, CompletionBatch batch, PackedPairs packed, double ldAlpha) {
    NDManager scope = batch.ids().getManager();
    try (NDManager local = scope.newSubManager();
        SequenceLogProbs logProbs =
            packed == null ? completion(model, batch) : completion(model, batch, packed)) {
      NDArray raw =
          ldAlpha < 1
              ? SequenceLogProbs.lengthDesensitizedSums(
                  logProbs, batch.completionMask().get(":, 1:"), ldAlpha)
              : logProbs.sum();
      NDArray sums = raw.toType(DataType.FLOAT64, false);
      sums.attach(local);
      double[] all = sums.toDoubleArray();
      int pairs = all.length / 2;
      double[] chosen = new double[pairs];
      double[] rejected = new double[pairs];
      System.arraycopy(all, 0, chosen, 0, pairs);
      System.arraycopy(all, pairs, rejected, 0, pairs);
      return new double[][] {chosen, rejected};
    }
  }

  /**
   * {@link #ofPairs(CausalLm, CompletionBatch, PackedPairs, double)} of the reference {@code model}:
   * when it is {@code policy} itself (which then carries a LoRA adapter), its base with the adapter
   * switched off (TRL's {@code disable_adapter()}). Run it outside a gradient collector: nothing is
   * recorded, no gradient touched.
   */
  public static double[][] ofReference(
      CausalLm model, CompletionBatch batch, PackedPairs packed, double ldAlpha, CausalLm policy) {
    if (model != policy) {
      return ofPairs(model, batch, packed, ldAlpha);
    }
    try (TransformerModel.AdapterOff off = model.disableAdapter()) {
      return ofPairs(model, batch, packed, ldAlpha);
    }
  }

  /**
   * The reference log-probabilities of every pair, scored {@code batchSize} pairs at a time, each
   * batch in its own sub-manager of {@code manager}; {@code reference == policy} scores the
   * policy's base with its adapter switched off ({@link #ofReference}).
   */
  public static double[][] precompute(
      CausalLm reference, CausalLm policy, NDManager manager, List<TokenizedPair> pairs,
      int batchSize, double ldAlpha) {
    double[] chosen = new double[pairs.size()];
    double[] rejected = new double[pairs.size()];
    for (int from = 0; from < pairs.size(); from += batchSize) {
      List<TokenizedPair> slice = pairs.subList(from, Math.min(pairs.size(), from + batchSize));
      try (NDManager scope = manager.newSubManager()) {
        double[][] scored =
            ofReference(
                reference, pairBatch(scope, slice), PackedPairs.of(scope, slice), ldAlpha, policy);
        System.arraycopy(scored[0], 0, chosen, from, slice.size());
        System.arraycopy(scored[1], 0, rejected, from, slice.size());
      }
    }
    return new double[][] {chosen, rejected};
  }
}
