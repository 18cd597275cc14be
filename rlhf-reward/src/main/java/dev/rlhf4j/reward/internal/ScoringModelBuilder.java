package dev.rlhf4j.reward.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.Truncation;

/**
 * The settings the DJL scoring models ({@code DjlRewardModel} and {@code LmPreferenceModel})
 * share: batch size, input length, truncation and the options to load a directory with. Each
 * model's public builder extends this class and documents its defaults. Each setter checks its
 * own range. Not thread-safe.
 *
 * @param <B> the model's builder, returned by every setter
 */
public abstract class ScoringModelBuilder<B extends ScoringModelBuilder<B>> {
  private int maxBatchSize;
  private int maxLength;
  private boolean maxLengthSet;
  private Truncation truncation = Truncation.KEEP_END;
  private ModelOptions modelOptions;
  private boolean trainable;

  /**
   * The settings a model keeps once built.
   *
   * @param maxBatchSize sequences per forward pass, at most
   * @param maxLength tokens per input, at most
   * @param truncation what happens to longer inputs
   */
  public record Settings(int maxBatchSize, int maxLength, Truncation truncation) {}

  /**
   * @param defaultMaxBatchSize the model's default sequences per forward pass
   * @param defaultMaxLength the model's default tokens per input
   */
  protected ScoringModelBuilder(int defaultMaxBatchSize, int defaultMaxLength) {
    this.maxBatchSize = defaultMaxBatchSize;
    this.maxLength = defaultMaxLength;
  }

  /** This builder, as the model's builder type. */
  protected abstract B self();

  /**
   * Sequences per forward pass (the default is the model's {@code DEFAULT_MAX_BATCH_SIZE}); a
   * preference comparison takes two.
   *
   * @throws IllegalArgumentException if not positive
   */
  public B maxBatchSize(int value) {
    checkArgument(value > 0, "maxBatchSize must be > 0 but was %s", value);
    this.maxBatchSize = value;
    return self();
  }

  /**
   * Tokens per input (the default is the model's {@code DEFAULT_MAX_LENGTH}, or its {@code
   * max_position_embeddings} if that is smaller); longer inputs are handled by the {@link
   * #truncation truncation} rule. A value above the model's {@code max_position_embeddings}
   * is refused when the model is built.
   *
   * @throws IllegalArgumentException if not positive
   */
  public B maxLength(int value) {
    checkArgument(value > 0, "maxLength must be > 0 but was %s", value);
    this.maxLength = value;
    this.maxLengthSet = true;
    return self();
  }

  /**
   * What happens to inputs longer than the maximum length (default {@link Truncation#KEEP_END}).
   *
   * @throws IllegalArgumentException if null
   */
  public B truncation(Truncation value) {
    checkArgument(value != null, "truncation must not be null");
    this.truncation = value;
    return self();
  }

  /**
   * Device and element type for loading a model directory (default {@link
   * ModelOptions#defaults()}); models built from objects in memory keep their options.
   *
   * @throws IllegalArgumentException if null
   */
  public B modelOptions(ModelOptions value) {
    checkArgument(value != null, "modelOptions must not be null");
    this.modelOptions = value;
    return self();
  }

  /**
   * Whether a model loaded from a directory keeps gradient arrays, so that its trainer can go on
   * training it (default false: loaded frozen, its weights only, as scoring needs). Models built
   * from objects in memory keep those objects' state; a reward model initialised from a causal LM
   * is always trainable, since its head is new.
   */
  public B trainable(boolean value) {
    this.trainable = value;
    return self();
  }

  /** Whether to load a directory with gradient arrays (see {@link #trainable(boolean)}). */
  protected boolean trainable() {
    return trainable;
  }

  /**
   * The settings the built model keeps, for a model of {@code config}: an unset maximum length
   * is capped at the model's context.
   *
   * @throws IllegalArgumentException if the maximum length set exceeds the model's {@code
   *     max_position_embeddings}
   */
  protected Settings settings(ModelConfig config) {
    int length = maxLength;
    if (maxLengthSet) {
      config.checkLength("maxLength", maxLength);
    } else {
      length = Math.min(maxLength, config.maxPositionEmbeddings());
    }
    return new Settings(maxBatchSize, length, truncation);
  }

  /** The options to load a directory with. */
  protected ModelOptions modelOptions() {
    return modelOptions == null ? ModelOptions.defaults() : modelOptions;
  }

  /**
   * Checks that {@code tokenizer} has a chat template.
   *
   * @param use how the model uses the template, e.g. "the reward model renders its inputs with it"
   * @throws IllegalArgumentException if it has none, saying how to choose one
   */
  protected static void requireChatTemplate(HfTokenizer tokenizer, String use) {
    checkArgument(
        tokenizer.hasChatTemplate(),
        "the tokenizer of %s has no chat template; %s: load the tokenizer with"
            + " HfTokenizer.builder(dir).fallbackChatFormat(...)",
        tokenizer.directory(),
        use);
  }
}
