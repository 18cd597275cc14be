package dev.rlhf4j.training;

/**
 * A 64-bit fingerprint of a training set's token ids (FNV-1a over the values and the sequence
 * lengths), which a resumed run compares with its checkpoint's so that a checkpoint of other data
 * is never resumed. The same ids give the same fingerprint in every JVM. Not thread-safe.
 */
public final class DataFingerprint {
  private long hash = 0xcbf29ce484222325L;

  /** An empty fingerprint. */
  public DataFingerprint() {}

  /** Adds one value. */
  public DataFingerprint add(long value) {
    for (int i = 0; i < 8; i++) {
      hash ^= (value >>> (8 * i)) & 0xff;
      hash *= 0x100000001b3L;
    }
    return this;
  }

  /** Adds a sequence: its length, then its values. */
  public DataFingerprint add(long[] values) {
    add(values.length);
    for (long v : values) {
      add(v);
    }
    return this;
  }

  /** The fingerprint as 16 hex digits. */
  @Override
  public String toString() {
    return String.format("%016x", hash);
  }
}
