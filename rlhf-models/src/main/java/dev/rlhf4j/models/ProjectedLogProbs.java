package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * The log-probabilities {@code log softmax(h_k · Wᵀ)[y_k]} of K labels under a causal LM's
 * vocabulary projection, computed at most {@code chunk} positions at a time so that one
 * micro-batch never holds more than one chunk's {@code [chunk, vocab]} logits and log-softmax —
 * in the forward pass and in the backward pass. From {@link CausalLm#logProbsAt} and {@link
 * CausalLm#logProbsOfPacked}.
 *
 * <p><b>How the gradient stays exact.</b> Eager autograd would keep every chunk's log-softmax
 * for the backward pass ({@code K × vocab} values in all, whatever the chunking). Instead, {@link
 * #values()} are computed without a graph and, when the model records gradients, handed out as
 * a leaf. Build the loss from them, then pass it to {@link #lossForBackward}: it back-propagates
 * the loss to the leaf (the per-token gradients {@code g_k}), recomputes each chunk's projection
 * with a graph and back-propagates {@code Σ_k g_k · log p_k} of that chunk at once (into the
 * head's gradient and the hidden states' gradient {@code G}), and returns an array with the
 * loss's value whose backward pass carries {@code G} through the backbone. Back-propagating that
 * array gives every parameter the gradient the loss would have given without chunking; the
 * projection runs forward twice (one extra {@code 2·K·hidden·vocab} FLOPs).
 *
 * <p><b>Ownership.</b> The arrays live in a sub-manager of the ids' manager, freed by {@link
 * #close()} or with that manager. Not thread-safe.
 */
public final class ProjectedLogProbs implements AutoCloseable {
  private final NDManager own;
  private final NDArray rows;
  private final NDArray head;
  private final NDArray labels;
  private final NDArray values;
  private final int chunk;
  private final boolean rowsHaveGraph;
  private final boolean differentiable;
  private boolean backwardDone;
  private boolean closed;

  private ProjectedLogProbs(
      NDManager own, NDArray rows, NDArray head, NDArray labels, NDArray values, int chunk,
      boolean rowsHaveGraph, boolean differentiable) {
    this.own = own;
    this.rows = rows;
    this.head = head;
    this.labels = labels;
    this.values = values;
    this.chunk = chunk;
    this.rowsHaveGraph = rowsHaveGraph;
    this.differentiable = differentiable;
  }

  /**
   * Computes the log-probabilities of {@code labels} for the hidden states {@code rows} under the
   * projection {@code head}, chunk by chunk. {@code rows} and {@code labels} are attached to the
   * result's manager, a sub-manager of {@code caller}.
   *
   * @param rows {@code [K, hidden]} hidden states (with a graph when the model trains)
   * @param head {@code [vocab, hidden]} the LM head (or tied embedding) weight
   * @param labels {@code [K]} int64 token ids, each in {@code [0, vocab)}
   * @param chunk the most positions projected at once
   * @param rowsHaveGraph whether {@code rows} were computed with a graph that reaches trainable
   *     parameters (DJL's {@code hasGradient()} answers false for every non-leaf array)
   */
  static ProjectedLogProbs compute(
      NDArray rows, NDArray head, NDArray labels, int chunk, boolean rowsHaveGraph,
      NDManager caller) {
    NDManager own = caller.newSubManager();
    rows.attach(own);
    labels.attach(own);
    boolean gradMode = JniUtils.isGradMode();
    boolean headTrains = gradMode && head.hasGradient();
    boolean graph = gradMode && rowsHaveGraph;
    boolean differentiable = graph || headTrains;
    long k = rows.getShape().get(0);
    NDArray values;
    try (NDManager pass = own.newSubManager()) {
      NDArray plainRows = graph ? rows.stopGradient() : rows;
      NDArray plainHead = headTrains ? head.stopGradient() : head;
      if (plainRows != rows) {
        plainRows.attach(pass);
      }
      if (plainHead != head) {
        plainHead.attach(pass);
      }
      List<NDArray> parts = new ArrayList<>();
      for (long from = 0; from < k; from += chunk) {
        long to = Math.min(k, from + chunk);
        try (NDManager step = pass.newSubManager()) {
          NDArray part = chunkLogProbs(plainRows, plainHead, labels, from, to, step);
          part.attach(pass);
          parts.add(part);
        }
      }
      values = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts));
      values.attach(own);
    }
    if (differentiable) {
      values.setRequiresGradient(true);
    }
    return new ProjectedLogProbs(own, rows, head, labels, values, chunk, graph, differentiable);
  }

  /** {@code [to - from]} log-probabilities of the labels of rows {@code [from, to)}, in scope. */
  private static NDArray chunkLogProbs(
      NDArray rows, NDArray head, NDArray labels, long from, long to, NDManager scope) {
    NDArray slice = rows.get(from + ":" + to);
    slice.attach(scope);
    NDArray logits = slice.getNDArrayInternal().linear(slice, head, null).singletonOrThrow();
    logits.attach(scope);
    NDArray logSoftmax = logits.logSoftmax(-1);
    logits.close();
    NDArray range = labels.get(from + ":" + to);
    range.attach(scope);
    NDArray targets = range.expandDims(-1);
    NDArray picked = logSoftmax.gather(targets, -1).squeeze(-1);
    logSoftmax.close();
    return picked;
  }

  /**
   * {@code [K]} the log-probability of each label, in the model's floating type. When the model
   * records gradients this is a leaf array: build the loss from it and back-propagate {@link
   * #lossForBackward(NDArray)} of that loss, not the loss itself.
   *
   * @throws IllegalStateException if closed
   */
  public NDArray values() {
    checkState(!closed, "these ProjectedLogProbs were closed");
    return values;
  }

  /** Whether {@link #values()} carry gradients back to the model. */
  public boolean isDifferentiable() {
    return differentiable;
  }

  /** The most positions projected onto the vocabulary at once. */
  public int chunk() {
    return chunk;
  }

  /**
   * Runs the vocabulary projection's part of the backward pass of {@code loss} now, chunk by
   * chunk, and returns what the caller back-propagates instead of {@code loss}: an array of the
   * same value whose backward pass completes the gradients through the model's backbone (see the
   * class comment). Without gradients (a frozen model, values computed or a loss passed outside a
   * gradient collector, or a non-finite loss, which the caller is expected to refuse) it returns
   * {@code loss} itself and does nothing. Call it at most once, under the gradient collector,
   * with a scalar loss computed from {@link #values()} under that collector.
   *
   * @return a scalar in {@code loss}'s manager
   * @throws IllegalArgumentException if {@code loss} is not a scalar
   * @throws IllegalStateException if closed or called twice
   */
  public NDArray lossForBackward(NDArray loss) {
    checkState(!closed, "these ProjectedLogProbs were closed");
    checkArgument(loss != null, "loss must not be null");
    checkArgument(
        loss.getShape().size() == 1, "loss must be a scalar but had shape %s", loss.getShape());
    if (!differentiable || !JniUtils.isGradMode()) {
      return loss;
    }
    checkState(!backwardDone, "lossForBackward may be called once per ProjectedLogProbs");
    backwardDone = true;
    double value;
    try (NDArray wide = loss.toType(DataType.FLOAT64, true)) {
      value = wide.getDouble();
    }
    if (!Double.isFinite(value)) {
      return loss;
    }
    NDManager target = loss.getManager();
    try (NDManager pass = own.newSubManager()) {
      NDArray seed = pass.ones(loss.getShape(), loss.getDataType());
      // keep the loss's graph: it may also reach parameters other than through values()
      JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, true, false);
      NDArray perToken = values.getGradient();
      perToken.attach(pass);
      NDArray leafRows = rowsHaveGraph ? rows.stopGradient() : null;
      if (leafRows != null) {
        leafRows.attach(pass);
        leafRows.setRequiresGradient(true);
      }
      NDArray source = leafRows != null ? leafRows : rows;
      long k = rows.getShape().get(0);
      for (long from = 0; from < k; from += chunk) {
        long to = Math.min(k, from + chunk);
        try (NDManager step = pass.newSubManager()) {
          NDArray picked = chunkLogProbs(source, head, labels, from, to, step);
          NDArray weighted = picked.mul(perToken.get(from + ":" + to)).sum();
          NDArray ones = step.ones(weighted.getShape(), weighted.getDataType());
          JniUtils.backward((PtNDArray) weighted, (PtNDArray) ones, false, false);
        }
      }
      if (leafRows == null) {
        // only the head trains and its gradient is complete: back-propagating the result must
        // add nothing, yet it needs a graph; a zero times one head entry gives it one
        NDArray anchor = head.get("0:1, 0:1").sum().mul(0);
        NDArray result = anchor.add(loss.stopGradient()).reshape(loss.getShape());
        result.attach(target);
        return result;
      }
      NDArray hiddenGradient = leafRows.getGradient();
      hiddenGradient.attach(pass);
      NDArray surrogate = rows.mul(hiddenGradient).sum();
      NDArray result =
          surrogate.sub(surrogate.stopGradient()).add(loss.stopGradient()).reshape(loss.getShape());
      result.attach(target);
      return result;
    }
  }

  /** Releases the arrays; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      own.close();
    }
  }
}
