package dev.rlhf4j.losses;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;
import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.losses.internal.Ops;

/**
 * Per-sequence log-probabilities of completion tokens under a causal language model:
 * {@code sum[b] = Σ_t mask[b,t] · log softmax(logits[b,t])[labels[b,t]]}, the number of completion
 * tokens {@code count[b] = Σ_t mask[b,t]} and their ratio {@code mean[b]}. This is {@code log π(y|x)}
 * of DPO (Rafailov et al. 2023, eq. 7) when the mask covers the response {@code y} only.
 *
 * <p><b>Alignment.</b> {@code logits[b, t]} is the distribution of {@code labels[b, t]}: for a
 * causal LM run over token ids {@code x[0..L)}, pass {@code logits[:, :-1]}, {@code x[:, 1:]} and
 * the completion mask shifted the same way, or call {@link #forCausalLm} which does the shift.
 *
 * <p><b>Numerics and memory.</b> The log-probabilities come from a fused {@code log_softmax} (never
 * the log of a softmax); its output is the only {@code [B, T, V]} array created, and it is released
 * as soon as the label entries are gathered. Float16 logits are first widened to float32 (one
 * {@code [B, T, V]} copy), because a float16 log-sum-exp over a large vocabulary loses most of its
 * digits; float32 and float64 logits are used as they are. {@link #fromSelectedLogits} takes the
 * logits of the completion positions only ({@code [K, V]}, K completion tokens), for models that
 * project only those positions onto the vocabulary: its log-softmax is {@code [K, V]}.
 *
 * <p><b>Masked positions.</b> Prompt and padding positions are removed with a select ({@code
 * where}), not a multiplication, so arbitrary logits there — huge finite values, ±∞, NaN — and
 * arbitrary labels there (e.g. {@code -100}) never reach {@link #sum()}, {@link #count()} or
 * {@link #mean()}. Under a gradient collector, the gradient at masked positions is exactly zero for
 * any finite logits; a NaN or ±∞ logit at a masked position yields NaN gradients in that one
 * position's row (log-softmax's backward multiplies its own output by a zero gradient), so a model
 * that emits non-finite logits on padding must be fixed upstream. Masking the logits before the
 * log-softmax would avoid that at the price of a second {@code [B, T, V]} copy on every step.
 *
 * <p><b>Checks.</b> The mask and the labels ({@code [B, T]}, small next to the logits) are read back
 * to the host once per call, to name an empty completion mask or an out-of-vocabulary label before
 * the engine fails on it with a less helpful message.
 *
 * <p><b>Chosen and rejected in one batch.</b> DPO evaluates both responses in one forward pass:
 * stack the chosen sequences over the rejected ones (padded to the same length) into a {@code [2B]}
 * batch, compute once, then {@link #split()} into the two halves.
 *
 * <p><b>Ownership.</b> The result's arrays belong to the manager of {@code logits} (its original
 * manager); the intermediates live in a sub-manager that is closed before the method returns.
 * {@link #close()} releases the result's arrays. Instances are not thread-safe.
 */
public final class SequenceLogProbs implements AutoCloseable {
  private final NDArray tokenLogProbs;
  private final NDArray sum;
  private final NDArray count;
  private final NDArray mean;
  private boolean closed;

  private SequenceLogProbs(NDArray tokenLogProbs, NDArray sum, NDArray count, NDArray mean) {
    this.tokenLogProbs = tokenLogProbs;
    this.sum = sum;
    this.count = count;
    this.mean = mean;
  }

  /**
   * Computes the completion log-probabilities of aligned logits and labels.
   *
   * @param logits {@code [B, T, V]} float16, float32 or float64 logits
   * @param labels {@code [B, T]} integer token ids; values at masked positions are ignored
   * @param completionMask {@code [B, T]} boolean or numeric; true / non-zero marks a completion
   *     token whose log-probability counts
   * @return the per-token log-probabilities (zero at masked positions) and their per-sequence sum,
   *     count and mean, in the logits' floating type (float32 for float16 logits)
   * @throws IllegalArgumentException if a shape or type does not match the above, a sequence has
   *     no completion token, or a label at a completion position is outside {@code [0, V)}
   */
  public static SequenceLogProbs compute(NDArray logits, NDArray labels, NDArray completionMask) {
    checkInputs(logits, labels, completionMask);
    NDManager owner = logits.getManager();
    try (NDManager scope = owner.newSubManager()) {
      scope.tempAttachAll(Ops.distinct(logits, labels, completionMask));
      return computeIn(owner, logits, labels, completionMask);
    }
  }

  /**
   * Computes the completion log-probabilities from the logits a causal LM produced over {@code
   * inputIds}: position {@code t} of the logits predicts token {@code t + 1}, so the logits lose
   * their last position and the ids and mask their first.
   *
   * @param logits {@code [B, L, V]} logits of the whole sequence, {@code L >= 2}
   * @param inputIds {@code [B, L]} the token ids that were fed to the model
   * @param completionMask {@code [B, L]} marks the response tokens among {@code inputIds}
   * @return as {@link #compute}, over {@code L - 1} positions
   * @throws IllegalArgumentException as {@link #compute}, or if {@code L < 2}
   */
  public static SequenceLogProbs forCausalLm(
      NDArray logits, NDArray inputIds, NDArray completionMask) {
    checkArgument(logits != null, "logits must not be null");
    Shape shape = logits.getShape();
    checkArgument(
        shape.dimension() == 3 && shape.get(1) >= 2,
        "logits must have shape [batch, length >= 2, vocab] but had shape %s",
        shape);
    checkArgument(inputIds != null, "inputIds must not be null");
    checkArgument(completionMask != null, "completionMask must not be null");
    NDManager owner = logits.getManager();
    try (NDManager scope = owner.newSubManager()) {
      scope.tempAttachAll(Ops.distinct(logits, inputIds, completionMask));
      NDArray shiftedLogits = logits.get(":, :-1, :");
      NDArray labels = inputIds.get(":, 1:");
      NDArray mask = completionMask.get(":, 1:");
      checkInputs(shiftedLogits, labels, mask);
      return computeIn(owner, shiftedLogits, labels, mask);
    }
  }

  /**
   * Computes the completion log-probabilities from the logits of the completion positions only:
   * the same result as {@link #compute} on full {@code [B, T, V]} logits, when {@code
   * selectedLogits} holds exactly the rows of those logits where {@code completionMask} is true, in
   * row-major order. A model that projects only those positions onto the vocabulary (a causal LM
   * selecting slot {@code t} when token {@code t + 1} is a response token) spends nothing on
   * prompt and padding positions, and the one {@code [K, V]} log-softmax replaces the {@code [B,
   * T, V]} one.
   *
   * @param selectedLogits {@code [K, V]} float16, float32 or float64 logits, K the number of true
   *     entries of {@code completionMask}
   * @param labels {@code [B, T]} integer token ids; values at masked positions are ignored
   * @param completionMask {@code [B, T]} boolean or numeric; true / non-zero marks a completion
   *     token
   * @return as {@link #compute}
   * @throws IllegalArgumentException if a shape or type does not match the above, K differs from
   *     the number of completion tokens, a sequence has no completion token, or a label at a
   *     completion position is outside {@code [0, V)}
   */
  public static SequenceLogProbs fromSelectedLogits(
      NDArray selectedLogits, NDArray labels, NDArray completionMask) {
    checkArgument(selectedLogits != null, "selectedLogits must not be null");
    checkArgument(labels != null, "labels must not be null");
    checkArgument(completionMask != null, "completionMask must not be null");
    Shape shape = selectedLogits.getShape();
    checkArgument(
        shape.dimension() == 2 && shape.get(1) > 0,
        "selectedLogits must have shape [completion tokens, vocab] with vocab >= 1 but had shape"
            + " %s",
        shape);
    checkArgument(
        Ops.isFloating(selectedLogits.getDataType()),
        "selectedLogits must be float16, float32 or float64 but was %s",
        selectedLogits.getDataType());
    Shape positions = labels.getShape();
    checkArgument(
        positions.dimension() == 2 && positions.get(0) > 0 && positions.get(1) > 0,
        "labels must have shape [batch, length] with every size >= 1 but had shape %s",
        positions);
    checkArgument(
        Ops.isInteger(labels.getDataType()),
        "labels must hold integer token ids but was %s",
        labels.getDataType());
    checkArgument(
        completionMask.getShape().equals(positions),
        "completionMask must have the shape of labels %s but had shape %s",
        positions,
        completionMask.getShape());
    NDManager owner = selectedLogits.getManager();
    try (NDManager scope = owner.newSubManager()) {
      scope.tempAttachAll(Ops.distinct(selectedLogits, labels, completionMask));
      long batch = positions.get(0);
      long vocab = shape.get(1);
      NDArray mask =
          completionMask.getDataType() == DataType.BOOLEAN
              ? completionMask
              : completionMask.neq(0);
      boolean[] hostMask = mask.toBooleanArray();
      long[] hostLabels = labels.toType(DataType.INT64, false).toLongArray();
      int completions = 0;
      for (boolean selected : hostMask) {
        completions += selected ? 1 : 0;
      }
      checkArgument(
          shape.get(0) == completions,
          "selectedLogits must have one row per completion token (%s) but had %s rows",
          completions,
          shape.get(0));
      long[] targets = new long[completions];
      long[] at = new long[completions];
      for (int i = 0, k = 0; i < hostMask.length; i++) {
        if (hostMask[i]) {
          targets[k] = hostLabels[i];
          at[k] = i;
          k++;
        }
      }
      checkLabelsAndCounts(hostMask, hostLabels, batch, vocab);
      NDArray work = selectedLogits.getDataType() == DataType.FLOAT16
          ? selectedLogits.toType(DataType.FLOAT32, false)
          : selectedLogits;
      NDArray picked;
      try (NDArray logProbs = work.logSoftmax(-1)) {
        picked = logProbs.gather(owned(scope.create(targets)).expandDims(-1), -1).squeeze(-1);
      }
      NDArray tokens =
          scope
              .zeros(new Shape(positions.size()), picked.getDataType())
              .put(owned(scope.create(at)), picked)
              .reshape(positions);
      return finish(owner, mask, tokens);
    }
  }

  /**
   * The completion log-probabilities from the per-token log-probabilities of the completion
   * positions: {@code tokenLogProbs[k]} is the log-probability of the k-th true entry of {@code
   * completionMask} in row-major order, as a chunked vocabulary projection returns them ({@code
   * CausalLm#logProbsAt}, {@code ProjectedLogProbs#values}). Differentiable through {@code
   * tokenLogProbs}; no {@code [K, V]} array is created.
   *
   * @param tokenLogProbs {@code [K]} float32 or float64 log-probabilities, K the number of true
   *     entries of {@code completionMask}
   * @param completionMask {@code [B, T]} boolean or numeric; true / non-zero marks a completion
   *     token
   * @return as {@link #compute}, in the manager of {@code completionMask}
   * @throws IllegalArgumentException if a shape or type does not match the above, K differs from
   *     the number of completion tokens, or a sequence has no completion token
   */
  public static SequenceLogProbs fromTokenLogProbs(NDArray tokenLogProbs, NDArray completionMask) {
    checkArgument(tokenLogProbs != null, "tokenLogProbs must not be null");
    checkArgument(completionMask != null, "completionMask must not be null");
    checkArgument(
        tokenLogProbs.getShape().dimension() == 1,
        "tokenLogProbs must have shape [completion tokens] but had shape %s",
        tokenLogProbs.getShape());
    checkArgument(
        Ops.isFloating(tokenLogProbs.getDataType()),
        "tokenLogProbs must be float16, float32 or float64 but was %s",
        tokenLogProbs.getDataType());
    Shape positions = completionMask.getShape();
    checkArgument(
        positions.dimension() == 2 && positions.get(0) > 0 && positions.get(1) > 0,
        "completionMask must have shape [batch, length] with every size >= 1 but had shape %s",
        positions);
    NDManager owner = completionMask.getManager();
    try (NDManager scope = owner.newSubManager()) {
      scope.tempAttachAll(Ops.distinct(tokenLogProbs, completionMask));
      NDArray mask =
          completionMask.getDataType() == DataType.BOOLEAN
              ? completionMask
              : completionMask.neq(0);
      boolean[] hostMask = mask.toBooleanArray();
      long batch = positions.get(0);
      int length = (int) positions.get(1);
      long[] at = new long[hostMask.length];
      int k = 0;
      for (int b = 0; b < batch; b++) {
        int tokens = 0;
        for (int t = 0; t < length; t++) {
          int i = b * length + t;
          if (hostMask[i]) {
            at[k++] = i;
            tokens++;
          }
        }
        checkArgument(
            tokens > 0,
            "completionMask row %s must mark at least one completion token but marked none",
            b);
      }
      checkArgument(
          tokenLogProbs.getShape().get(0) == k,
          "tokenLogProbs must have one entry per completion token (%s) but had %s",
          k,
          tokenLogProbs.getShape().get(0));
      NDArray tokens =
          scope
              .zeros(new Shape(positions.size()), tokenLogProbs.getDataType())
              .put(owned(scope.create(java.util.Arrays.copyOf(at, k))), tokenLogProbs)
              .reshape(positions);
      return finish(owner, mask, tokens);
    }
  }

  private static void checkInputs(NDArray logits, NDArray labels, NDArray completionMask) {
    checkArgument(logits != null, "logits must not be null");
    checkArgument(labels != null, "labels must not be null");
    checkArgument(completionMask != null, "completionMask must not be null");
    Shape shape = logits.getShape();
    checkArgument(
        shape.dimension() == 3 && shape.get(0) > 0 && shape.get(1) > 0 && shape.get(2) > 0,
        "logits must have shape [batch, length, vocab] with every size >= 1 but had shape %s",
        shape);
    checkArgument(
        Ops.isFloating(logits.getDataType()),
        "logits must be float16, float32 or float64 but was %s",
        logits.getDataType());
    Shape positions = new Shape(shape.get(0), shape.get(1));
    checkArgument(
        labels.getShape().equals(positions),
        "labels must have shape %s to match logits %s but had shape %s",
        positions,
        shape,
        labels.getShape());
    checkArgument(
        Ops.isInteger(labels.getDataType()),
        "labels must hold integer token ids but was %s",
        labels.getDataType());
    checkArgument(
        completionMask.getShape().equals(positions),
        "completionMask must have shape %s to match logits %s but had shape %s",
        positions,
        shape,
        completionMask.getShape());
  }

  /** Runs inside a scope the inputs are temporarily attached to; attaches results to owner. */
  private static SequenceLogProbs computeIn(
      NDManager owner, NDArray logits, NDArray labels, NDArray completionMask) {
    Shape shape = logits.getShape();
    long batch = shape.get(0);
    long vocab = shape.get(2);
    NDArray mask =
        completionMask.getDataType() == DataType.BOOLEAN ? completionMask : completionMask.neq(0);
    NDArray safeLabels =
        NDArrays.where(mask, labels.toType(DataType.INT64, false), labels.zerosLike().toType(
            DataType.INT64, false));
    checkLabelsAndCounts(mask, safeLabels, batch, vocab);

    NDArray work = logits.getDataType() == DataType.FLOAT16
        ? logits.toType(DataType.FLOAT32, false)
        : logits;
    NDArray picked;
    try (NDArray logProbs = work.logSoftmax(-1)) {
      picked = logProbs.gather(safeLabels.expandDims(-1), -1).squeeze(-1);
    }
    NDArray tokens = NDArrays.where(mask, picked, picked.zerosLike());
    return finish(owner, mask, tokens);
  }

  /** The per-sequence sum, count and mean of {@code tokens}, all attached to {@code owner}. */
  private static SequenceLogProbs finish(NDManager owner, NDArray mask, NDArray tokens) {
    NDArray sum = tokens.sum(new int[] {1});
    NDArray count = mask.toType(tokens.getDataType(), false).sum(new int[] {1});
    NDArray mean = sum.div(count);
    SequenceLogProbs result = new SequenceLogProbs(tokens, sum, count, mean);
    owner.attachAll(tokens, sum, count, mean);
    return result;
  }

  private static void checkLabelsAndCounts(
      NDArray mask, NDArray safeLabels, long batch, long vocab) {
    checkLabelsAndCounts(mask.toBooleanArray(), safeLabels.toLongArray(), batch, vocab);
  }

  private static void checkLabelsAndCounts(
      boolean[] hostMask, long[] hostLabels, long batch, long vocab) {
    int length = (int) (hostMask.length / batch);
    for (int b = 0; b < batch; b++) {
      int tokens = 0;
      for (int t = 0; t < length; t++) {
        int i = b * length + t;
        if (hostMask[i]) {
          tokens++;
          long label = hostLabels[i];
          checkArgument(
              label >= 0 && label < vocab,
              "labels[%s][%s] must be a token id in [0, %s) but was %s",
              b,
              t,
              vocab,
              label);
        }
      }
      checkArgument(
          tokens > 0,
          "completionMask row %s must mark at least one completion token but marked none",
          b);
    }
  }

  /**
   * Splits a {@code [2B]} batch whose first half holds the chosen and second half the rejected
   * sequences into the two halves. The halves are new arrays in this result's manager, owned by the
   * returned pair; this result stays open.
   *
   * @throws IllegalArgumentException if the batch size is odd
   * @throws IllegalStateException if this result was closed
   */
  public ChosenRejected split() {
    checkOpen();
    long size = batchSize();
    checkArgument(
        size % 2 == 0,
        "a concatenated chosen+rejected batch must have an even size but had %s",
        size);
    String first = "0:" + size / 2;
    String second = size / 2 + ":";
    return new ChosenRejected(slice(first), slice(second));
  }

  private SequenceLogProbs slice(String rows) {
    return new SequenceLogProbs(
        tokenLogProbs.get(rows), sum.get(rows), count.get(rows), mean.get(rows));
  }

  /**
   * LD-DPO's length-desensitised sequence log-probabilities (Liu et al. 2024, "LD-DPO: Length
   * Desensitization in Direct Preference Optimization", eq. 6; TRL's {@code ld_alpha}): of a pair's
   * chosen and rejected responses, the first {@code l_p = min(|y⁺|, |y⁻|)} completion tokens count
   * in full and the tokens past that shared length are weighted by α:
   *
   * <pre>{@code log π_ld(y|x) = Σ_{k ≤ l_p} log π(y_k|x, y_<k) + α · Σ_{k > l_p} log π(y_k|x, y_<k)}</pre>
   *
   * so that a longer response no longer gains (or loses) likelihood from its extra tokens alone.
   * α = 1 gives {@link #sum()}; α = 0 truncates both responses to the shared length. Apply it to
   * the policy and the reference alike. Differentiable through {@link #tokenLogProbs()}; the
   * result lives in the manager of {@code completionMask}.
   *
   * @param stacked a {@code [2B]} batch: the chosen sequences over the rejected ones
   * @param completionMask the {@code [2B, T]} completion mask {@code stacked} was computed with
   *     (already shifted: position t marks label t)
   * @param alpha the weight α of the tokens past the shared length, in [0, 1]
   * @return {@code [2B]} the desensitised log-probabilities, chosen first
   * @throws IllegalArgumentException if α is outside [0, 1], the batch size is odd or the mask's
   *     shape is not the token log-probabilities'
   */
  public static NDArray lengthDesensitizedSums(
      SequenceLogProbs stacked, NDArray completionMask, double alpha) {
    checkArgument(alpha >= 0 && alpha <= 1, "ld alpha must be in [0, 1] but was %s", alpha);
    stacked.checkOpen();
    long size = stacked.batchSize();
    checkArgument(size % 2 == 0, "a chosen+rejected batch must have an even size but had %s", size);
    checkArgument(
        completionMask.getShape().equals(stacked.tokenLogProbs.getShape()),
        "completionMask has shape %s but the token log-probabilities have %s",
        completionMask.getShape(),
        stacked.tokenLogProbs.getShape());
    NDArray tokens = stacked.tokenLogProbs;
    DataType type = tokens.getDataType();
    NDArray mask = completionMask.toType(type, false);
    NDArray position = mask.cumSum(1);
    NDArray counts = stacked.count.toType(type, false);
    String first = "0:" + size / 2;
    String second = size / 2 + ":";
    NDArray shared = counts.get(first).minimum(counts.get(second));
    NDArray sharedRows = shared.concat(shared).reshape(size, 1);
    NDArray inside = position.lte(sharedRows).toType(type, false);
    NDArray weights = inside.mul(scalar(tokens, 1 - alpha)).add(scalar(tokens, alpha));
    return tokens.mul(mask.mul(weights)).sum(new int[] {1});
  }

  /** {@code [B, T]} log-probability of each label, zero at masked positions. */
  public NDArray tokenLogProbs() {
    checkOpen();
    return tokenLogProbs;
  }

  /** {@code [B]} sum of the completion tokens' log-probabilities: {@code log π(y|x)}. */
  public NDArray sum() {
    checkOpen();
    return sum;
  }

  /** {@code [B]} number of completion tokens, in the floating type of {@link #sum()}. */
  public NDArray count() {
    checkOpen();
    return count;
  }

  /** {@code [B]} mean log-probability per completion token: {@code sum / count}. */
  public NDArray mean() {
    checkOpen();
    return mean;
  }

  /** The number of sequences {@code B}. */
  public long batchSize() {
    checkOpen();
    return sum.getShape().get(0);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("these SequenceLogProbs were closed; compute them again");
    }
  }

  /** Releases the four arrays; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      tokenLogProbs.close();
      sum.close();
      count.close();
      mean.close();
    }
  }

  /**
   * The chosen and rejected halves of a concatenated batch. Closing the pair closes both halves.
   *
   * @param chosen the first half of the batch
   * @param rejected the second half of the batch
   */
  public record ChosenRejected(SequenceLogProbs chosen, SequenceLogProbs rejected)
      implements AutoCloseable {

    /** @throws IllegalArgumentException if either half is null */
    public ChosenRejected {
      checkArgument(chosen != null, "chosen must not be null");
      checkArgument(rejected != null, "rejected must not be null");
    }

    /** Closes both halves; idempotent. */
    @Override
    public void close() {
      chosen.close();
      rejected.close();
    }
  }
}
