package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Preference pairs packed one pair per row for {@code CausalLm#logitsOfPacked}: the ids the chosen
 * and the rejected sequence share at their start (the prompt, at least), then the rest of the
 * chosen, then the rest of the rejected sequence, right-padded. The shared prefix is computed once
 * per pair instead of twice. {@link #slots} names, in the order of {@link CompletionBatch}'s {@code
 * predictsCompletion} over {@link LogProbs#pairBatch} (chosen rows, then rejected rows, each row in
 * slot order), the packed slots that predict a response token, so the packed logits feed the same
 * labels and masks as the unpacked ones.
 *
 * @param ids {@code [P, W]} int64 token ids
 * @param positions {@code [P, W]} int64 position ids: each branch continues from the prefix
 * @param segments {@code [P, W]} int64: 0 shared, 1 chosen, 2 rejected, -1 padding
 * @param slots {@code [K]} int64 indices into the flattened {@code [P * W]} slots
 * @param tokens the number of slots computed (shared tokens once)
 */
public record PackedPairs(
    NDArray ids, NDArray positions, NDArray segments, NDArray slots, long tokens) {

  /**
   * Creates the arrays in {@code manager}.
   *
   * @throws IllegalArgumentException if {@code pairs} is empty
   */
  public static PackedPairs of(NDManager manager, List<TokenizedPair> pairs) {
    checkArgument(!pairs.isEmpty(), "a batch needs at least one pair");
    int height = pairs.size();
    int[] shared = new int[height];
    int width = 0;
    int selected = 0;
    for (int p = 0; p < height; p++) {
      TokenizedSequence c = pairs.get(p).chosen();
      TokenizedSequence r = pairs.get(p).rejected();
      shared[p] = sharedPrefix(c, r);
      width = Math.max(width, c.length() + r.length() - shared[p]);
      selected += c.responseLength() + r.responseLength();
    }
    long[] ids = new long[height * width];
    long[] positions = new long[height * width];
    long[] segments = new long[height * width];
    java.util.Arrays.fill(segments, -1);
    long tokens = 0;
    for (int p = 0; p < height; p++) {
      TokenizedSequence c = pairs.get(p).chosen();
      TokenizedSequence r = pairs.get(p).rejected();
      int base = p * width;
      for (int t = 0; t < c.length(); t++) {
        ids[base + t] = c.id(t);
        positions[base + t] = t;
        segments[base + t] = t < shared[p] ? 0 : 1;
      }
      for (int t = shared[p]; t < r.length(); t++) {
        int at = base + rejectedSlot(c, shared[p], t);
        ids[at] = r.id(t);
        positions[at] = t;
        segments[at] = 2;
      }
      tokens += c.length() + r.length() - shared[p];
    }
    // the slot predicting token t + 1 is slot t of the sequence; chosen rows first, then rejected
    long[] slots = new long[selected];
    int k = 0;
    for (int p = 0; p < height; p++) {
      TokenizedSequence c = pairs.get(p).chosen();
      for (int t = c.responseStart() - 1; t + 1 < c.length(); t++) {
        slots[k++] = (long) p * width + t;
      }
    }
    for (int p = 0; p < height; p++) {
      TokenizedSequence c = pairs.get(p).chosen();
      TokenizedSequence r = pairs.get(p).rejected();
      for (int t = r.responseStart() - 1; t + 1 < r.length(); t++) {
        slots[k++] = (long) p * width + (t < shared[p] ? t : rejectedSlot(c, shared[p], t));
      }
    }
    Shape shape = new Shape(height, width);
    return new PackedPairs(
        owned(manager.create(ids, shape)),
        owned(manager.create(positions, shape)),
        owned(manager.create(segments, shape)),
        owned(manager.create(slots, new Shape(selected))),
        tokens);
  }

  /** The packed slot of the rejected sequence's slot {@code t >= shared}. */
  private static int rejectedSlot(TokenizedSequence chosen, int shared, int t) {
    return chosen.length() + t - shared;
  }

  /** How many leading ids the two sequences have in common (at most the shorter length). */
  static int sharedPrefix(TokenizedSequence a, TokenizedSequence b) {
    int limit = Math.min(a.length(), b.length());
    int n = 0;
    while (n < limit && a.id(n) == b.id(n)) {
      n++;
    }
    return n;
  }
}
