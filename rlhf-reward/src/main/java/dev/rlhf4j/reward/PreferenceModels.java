package dev.rlhf4j.reward;

import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.preference.LmPreferenceModel;
import java.nio.file.Path;

/**
 * Where rlhf4j's own {@link dev.rlhf4j.api.feedback.PreferenceModel}s come from: pairwise
 * preference models (paper §2.3) that read {@code P(A ≻ B | x, A, B)} from a causal LM's logits
 * of the answer tokens "A" and "B".
 *
 * <ul>
 *   <li>{@link #lm(Path)}: loaded from a Hugging Face causal-LM directory; the model owns the LM
 *       and the tokenizer and closes both;
 *   <li>{@link #lm(CausalLm, HfTokenizer)}: over an LM and a tokenizer the caller already holds,
 *       both borrowed (e.g. the LM a {@link dev.rlhf4j.reward.preference.PreferenceTrainer}
 *       trains in place).
 * </ul>
 *
 * <p>Each factory returns the builder; whoever calls {@code build()} closes the model. The model
 * owns what it opens and borrows what it is given (see the {@linkplain dev.rlhf4j.reward package
 * documentation}). Bradley–Terry reward models come from {@link RewardModels}.
 */
public final class PreferenceModels {
  private PreferenceModels() {}

  /**
   * A preference model loaded from a Hugging Face causal-LM directory; see {@link
   * LmPreferenceModel#fromDirectory(Path)}.
   *
   * @throws IllegalArgumentException if directory is null
   */
  public static LmPreferenceModel.Builder lm(Path directory) {
    return LmPreferenceModel.fromDirectory(directory);
  }

  /**
   * A preference model over an LM and its tokenizer, both borrowed; see {@link
   * LmPreferenceModel#of(CausalLm, HfTokenizer)}.
   *
   * @throws IllegalArgumentException if lm or tokenizer is null
   */
  public static LmPreferenceModel.Builder lm(CausalLm lm, HfTokenizer tokenizer) {
    return LmPreferenceModel.of(lm, tokenizer);
  }
}
