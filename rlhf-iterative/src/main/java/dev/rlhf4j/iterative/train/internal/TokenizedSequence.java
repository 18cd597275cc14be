package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The token ids of one prompt plus response and where the response starts, after truncation.
 * Immutable: the ids are copied in and never exposed for writing.
 */
public final class TokenizedSequence {
  private final long[] ids;
  private final int responseStart;

  /**
   * @param ids prompt then response ids, at least one of each (copied)
   * @param responseStart index of the first response id, in [1, ids.length)
   */
  public TokenizedSequence(long[] ids, int responseStart) {
    checkArgument(ids != null, "ids must not be null");
    checkArgument(
        responseStart >= 1 && responseStart < ids.length,
        "a sequence needs at least one prompt and one response token; responseStart %s, length %s",
        responseStart,
        ids.length);
    this.ids = ids.clone();
    this.responseStart = responseStart;
  }

  /** Adds this sequence (its ids and where its response starts) to {@code fingerprint}. */
  public void addTo(dev.rlhf4j.training.DataFingerprint fingerprint) {
    fingerprint.add(ids).add(responseStart);
  }

  /** The number of tokens. */
  public int length() {
    return ids.length;
  }

  /** A copy of the ids: prompt then response. */
  public long[] ids() {
    return ids.clone();
  }

  /** The id at {@code index}. */
  public long id(int index) {
    return ids[index];
  }

  /** The index of the first response id. */
  public int responseStart() {
    return responseStart;
  }

  /** The number of response ids: the tokens a loss counts. */
  public int responseLength() {
    return ids.length - responseStart;
  }

  /** The largest id. */
  public long maxId() {
    long max = Long.MIN_VALUE;
    for (long id : ids) {
      max = Math.max(max, id);
    }
    return max;
  }
}
