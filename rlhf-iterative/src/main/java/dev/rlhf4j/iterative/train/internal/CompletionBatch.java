package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.models.PaddedBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt-plus-response sequences right-padded to the longest one ({@link PaddedBatch}, pad id 0),
 * with the masks a causal LM and {@code SequenceLogProbs.forCausalLm} take. Padding slots are off
 * in every mask, so they change neither the real tokens' logits (the attention mask hides them and
 * a right pad comes after every real token) nor any log-probability.
 *
 * @param padded the {@code [B, T]} int64 token ids and attention mask
 * @param completionMask {@code [B, T]} boolean, true for response tokens
 * @param predictsCompletion {@code [B, T]} boolean, true at slot {@code t} when token {@code t +
 *     1} is a response token: the slots whose logits the completion log-probabilities read
 * @param tokens the number of real (non-padding) tokens
 */
public record CompletionBatch(
    PaddedBatch padded, NDArray completionMask, NDArray predictsCompletion, long tokens) {

  /** The id padded slots hold. */
  static final long PAD_ID = 0;

  /** {@code [B, T]} int64 token ids. */
  public NDArray ids() {
    return padded.ids();
  }

  /** {@code [B, T]} int64, 1 for real tokens. */
  public NDArray attentionMask() {
    return padded.attentionMask();
  }

  /**
   * Creates the arrays in {@code manager} (and on its device).
   *
   * @throws IllegalArgumentException if {@code rows} is empty
   */
  public static CompletionBatch of(NDManager manager, List<TokenizedSequence> rows) {
    checkArgument(!rows.isEmpty(), "a batch needs at least one sequence");
    List<long[]> ids = new ArrayList<>(rows.size());
    int width = 0;
    long tokens = 0;
    for (TokenizedSequence row : rows) {
      ids.add(row.ids());
      width = Math.max(width, row.length());
      tokens += row.length();
    }
    int height = rows.size();
    boolean[] completion = new boolean[height * width];
    boolean[] predicts = new boolean[height * width];
    for (int b = 0; b < height; b++) {
      TokenizedSequence row = rows.get(b);
      for (int t = 0; t < row.length(); t++) {
        int at = b * width + t;
        completion[at] = t >= row.responseStart();
        predicts[at] = t + 1 < row.length() && t + 1 >= row.responseStart();
      }
    }
    Shape shape = new Shape(height, width);
    return new CompletionBatch(
        PaddedBatch.of(ids, PAD_ID, PaddedBatch.Side.RIGHT, manager),
        owned(manager.create(completion, shape)),
        owned(manager.create(predicts, shape)),
        tokens);
  }
}
