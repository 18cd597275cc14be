package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Sequences right-padded to the longest one, as the arrays a causal LM and {@code
 * SequenceLogProbs.forCausalLm} take. Padding slots hold id 0 and are off in both masks, so they
 * change neither the real tokens' logits (the attention mask hides them and a right pad comes
 * after every real token) nor any log-probability.
 *
 * @param ids {@code [B, T]} int64 token ids
 * @param attentionMask {@code [B, T]} int64, 1 for real tokens
 * @param completionMask {@code [B, T]} boolean, true for response tokens
 * @param predictsCompletion {@code [B, T]} boolean, true at slot {@code t} when token {@code t +
 *     1} is a response token: the slots whose logits the completion log-probabilities read
 * @param tokens the number of real (non-padding) tokens
 */
public record PaddedBatch(
    NDArray ids,
    NDArray attentionMask,
    NDArray completionMask,
    NDArray predictsCompletion,
    long tokens) {

  /**
   * Creates the arrays in {@code manager} (and on its device).
   *
   * @throws IllegalArgumentException if {@code rows} is empty
   */
  public static PaddedBatch of(NDManager manager, List<TokenizedSequence> rows) {
    checkArgument(!rows.isEmpty(), "a batch needs at least one sequence");
    int width = 0;
    for (TokenizedSequence row : rows) {
      width = Math.max(width, row.length());
    }
    int height = rows.size();
    long[] ids = new long[height * width];
    long[] attention = new long[height * width];
    boolean[] completion = new boolean[height * width];
    boolean[] predicts = new boolean[height * width];
    long tokens = 0;
    for (int b = 0; b < height; b++) {
      TokenizedSequence row = rows.get(b);
      for (int t = 0; t < row.length(); t++) {
        int at = b * width + t;
        ids[at] = row.id(t);
        attention[at] = 1;
        completion[at] = t >= row.responseStart();
        predicts[at] = t + 1 < row.length() && t + 1 >= row.responseStart();
      }
      tokens += row.length();
    }
    Shape shape = new Shape(height, width);
    return new PaddedBatch(
        owned(manager.create(ids, shape)),
        owned(manager.create(attention, shape)),
        owned(manager.create(completion, shape)),
        owned(manager.create(predicts, shape)),
        tokens);
  }
}
