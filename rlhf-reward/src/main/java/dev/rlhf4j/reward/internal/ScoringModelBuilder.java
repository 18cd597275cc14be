package dev.rlhf4j.reward.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.models.ModelOptions;
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
  private Truncation truncation = Truncation.KEEP_END;
  private ModelOptions modelOptions;

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
  public B optMaxBatchSize(int value) {
    checkArgument(value > 0, "maxBatchSize must be > 0 but was %s", value);
    this.maxBatchSize = value;
    return self();
  }

  /**
   * Tokens per input (the default is the model's {@code DEFAULT_MAX_LENGTH}); longer inputs are
   * handled by the {@link #optTruncation truncation} rule.
   *
   * @throws IllegalArgumentException if not positive
   */
  public B optMaxLength(int value) {
    checkArgument(value > 0, "maxLength must be > 0 but was %s", value);
    this.maxLength = value;
    return self();
  }

  /**
   * What happens to inputs longer than the maximum length (default {@link Truncation#KEEP_END}).
   *
   * @throws IllegalArgumentException if null
   */
  public B optTruncation(Truncation value) {
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
  public B optModelOptions(ModelOptions value) {
    checkArgument(value != null, "modelOptions must not be null");
    this.modelOptions = value;
    return self();
  }

  /** The settings the built model keeps. */
  protected Settings settings() {
    return new Settings(maxBatchSize, maxLength, truncation);
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
