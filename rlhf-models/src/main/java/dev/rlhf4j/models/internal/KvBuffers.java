package dev.rlhf4j.models.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Pre-allocated key/value buffers {@code [batch, kvHeads, maxLength, headDim]} per layer, filled
 * in place. A decoding step writes its {@code T} new slots and attends over a view of the
 * {@code length + T} filled ones, so its cost does not depend on {@code maxLength} and grows with
 * the filled length only through the attention product itself.
 *
 * <p>Not thread-safe: one decoding loop owns one cache.
 */
public final class KvBuffers implements AutoCloseable {
  private final NDManager manager;
  private final int layers;
  private final int kvHeads;
  private final int headDim;
  private final int maxLength;
  private final DataType dataType;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int batch;
  private int length;
  private boolean closed;

  /**
   * Allocates zeroed buffers in a new sub-manager of {@code parent}.
   *
   * @throws IllegalArgumentException if a size is not positive
   */
  public KvBuffers(
      NDManager parent,
      int layers,
      int batch,
      int kvHeads,
      int maxLength,
      int headDim,
      DataType dataType) {
    checkArgument(batch > 0, "batch must be > 0 but was %s", batch);
    checkArgument(maxLength > 0, "maxLength must be > 0 but was %s", maxLength);
    this.manager = parent.newSubManager();
    this.layers = layers;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.maxLength = maxLength;
    this.dataType = dataType;
    this.batch = batch;
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    Shape shape = new Shape(batch, kvHeads, maxLength, headDim);
    for (int i = 0; i < layers; i++) {
      keys[i] = manager.zeros(shape, dataType);
      values[i] = manager.zeros(shape, dataType);
    }
  }

  /** The rows (sequences) held. */
  public int batch() {
    return batch;
  }

  /** The slots already filled (the same for every row). */
  public int length() {
    return length;
  }

  /** The capacity in slots. */
  public int maxLength() {
    return maxLength;
  }

  /** The number of layers. */
  public int layers() {
    return layers;
  }

  /** Key/value heads per layer. */
  public int kvHeads() {
    return kvHeads;
  }

  /** Width of one head. */
  public int headDim() {
    return headDim;
  }

  /** The element type. */
  public DataType dataType() {
    return dataType;
  }

  /**
   * Writes {@code k}, {@code v} {@code [batch, kvHeads, T, headDim]} at slots {@code [length,
   * length + T)} of {@code layer} and returns views over slots {@code [0, length + T)}, attached
   * to {@code scope}. {@link #advance} moves {@code length} once every layer is written.
   */
  public NDArray[] update(int layer, NDArray k, NDArray v, NDManager scope) {
    checkState(!closed, "the KV cache is closed");
    long t = k.getShape().get(2);
    NDIndex slots = new NDIndex(":, :, {}:{}", length, length + t);
    keys[layer].set(slots, k);
    values[layer].set(slots, v);
    NDIndex filled = new NDIndex(":, :, :{}", length + t);
    NDArray kAll = keys[layer].get(filled);
    NDArray vAll = values[layer].get(filled);
    kAll.attach(scope);
    vAll.attach(scope);
    return new NDArray[] {kAll, vAll};
  }

  /** Marks {@code steps} more slots as filled. */
  public void advance(int steps) {
    checkArgument(
        length + steps <= maxLength,
        "cannot advance by %s: %s of %s slots are filled",
        steps,
        length,
        maxLength);
    length += steps;
  }

  /** Repeats each row {@code n} times in place (rows r, r, ..., r+1, r+1, ...). */
  public void expand(int n) {
    checkState(!closed, "the KV cache is closed");
    checkArgument(n > 0, "n must be > 0 but was %s", n);
    if (n == 1) {
      return;
    }
    for (int i = 0; i < layers; i++) {
      keys[i] = replace(keys[i], keys[i].repeat(0, n));
      values[i] = replace(values[i], values[i].repeat(0, n));
    }
    batch *= n;
  }

  /** Keeps the given rows, in the given order (a row may repeat). */
  public void select(int[] rows) {
    checkState(!closed, "the KV cache is closed");
    checkArgument(rows.length > 0, "rows must not be empty");
    for (int row : rows) {
      checkArgument(row >= 0 && row < batch, "row %s is out of range [0, %s)", row, batch);
    }
    long[] index = Arrays.stream(rows).asLongStream().toArray();
    try (NDManager scope = manager.newSubManager()) {
      NDArray indexArray = owned(scope.create(index));
      for (int i = 0; i < layers; i++) {
        keys[i] = replace(keys[i], keys[i].get(indexArray));
        values[i] = replace(values[i], values[i].get(indexArray));
      }
    }
    batch = rows.length;
  }

  private NDArray replace(NDArray old, NDArray fresh) {
    fresh.attach(manager);
    old.close();
    return fresh;
  }

  /** Frees the buffers; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }
}
