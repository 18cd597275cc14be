package dev.rlhf4j.reward;

import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.onnx.OnnxRewardModel;
import java.nio.file.Path;

/**
 * Where rlhf4j's own {@link dev.rlhf4j.api.feedback.RewardModel}s come from, one factory per
 * backend:
 *
 * <ul>
 *   <li>{@link #djl(Path)}, {@link #djlFromCausalLm(Path, long)} and {@link
 *       #djlFromCausalLm(CausalLm, HfTokenizer, long)}: a {@link DjlRewardModel} that scores
 *       and trains with DJL's PyTorch engine;
 *   <li>{@link #onnx(Path)}: an {@link OnnxRewardModel} for fast frozen scoring with ONNX
 *       Runtime of a model in the Optimum layout (e.g. one written by {@link
 *       dev.rlhf4j.reward.onnx.OnnxExport}).
 * </ul>
 *
 * <p>Each factory returns the backend's builder; whoever calls {@code build()} closes the model.
 * The model owns what it opens or creates and borrows what it is given (see the {@linkplain
 * dev.rlhf4j.reward package documentation}). Pairwise preference models come from {@link
 * PreferenceModels}.
 */
public final class RewardModels {
  private RewardModels() {}

  /**
   * A DJL reward model loaded from a Hugging Face {@code *ForSequenceClassification} directory;
   * see {@link DjlRewardModel#fromDirectory(Path)}.
   *
   * @throws IllegalArgumentException if directory is null
   */
  public static DjlRewardModel.Builder djl(Path directory) {
    return DjlRewardModel.fromDirectory(directory);
  }

  /**
   * A DJL reward model initialised from the causal LM in a Hugging Face directory (typically the
   * SFT policy, paper §2.2) with a new scalar head drawn from {@code seed}; the LM is loaded,
   * copied and closed by {@code build()}, and the model owns what it loaded. See {@link
   * DjlRewardModel#fromCausalLm(Path, long)}; train it with {@link
   * dev.rlhf4j.reward.train.RewardTrainer#builder(DjlRewardModel)}.
   *
   * @throws IllegalArgumentException if directory is null
   */
  public static DjlRewardModel.Builder djlFromCausalLm(Path directory, long seed) {
    return DjlRewardModel.fromCausalLm(directory, seed);
  }

  /**
   * A DJL reward model initialised from a causal LM with a new scalar head; see {@link
   * DjlRewardModel#fromCausalLm(CausalLm, HfTokenizer, long)}.
   *
   * @throws IllegalArgumentException if lm or tokenizer is null
   */
  public static DjlRewardModel.Builder djlFromCausalLm(
      CausalLm lm, HfTokenizer tokenizer, long seed) {
    return DjlRewardModel.fromCausalLm(lm, tokenizer, seed);
  }

  /**
   * An ONNX Runtime reward model loaded from a directory holding {@code model.onnx} (or that
   * file); see {@link OnnxRewardModel#builder(Path)}. Give it a tokenizer to score text.
   *
   * @throws NullPointerException if path is null
   */
  public static OnnxRewardModel.Builder onnx(Path path) {
    return OnnxRewardModel.builder(path);
  }
}
