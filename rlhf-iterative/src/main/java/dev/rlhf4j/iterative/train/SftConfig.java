package dev.rlhf4j.iterative.train;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.training.Optimization;
import dev.rlhf4j.training.OptimizationBuilder;

/**
 * The settings of one supervised fine-tuning run ({@link SftTrainer}): the {@link Optimization}
 * and the input length. Build with {@link #builder()}, whose optimisation setters ({@code
 * learningRate}, {@code epochs}, {@code globalBatchSize}, ...) are {@link OptimizationBuilder}'s;
 * {@link #toBuilder()} starts from an existing config. Immutable and thread-safe.
 *
 * <p>The defaults ({@link #DEFAULT_OPTIMIZATION}) follow the paper's SFT recipe (§3.1: one epoch,
 * cosine schedule, warm-up ratio 0.03, global batch 32) and TRL's {@code SFTConfig} otherwise
 * (learning rate 2e-5), with the Hugging Face Trainer's micro-batch 8, clipping at 1.0, no weight
 * decay and seed 42.
 *
 * @param optimization how the loop optimises
 * @param maxLength the most tokens of an example; longer ones keep their first {@code maxLength}
 *     tokens; default 1024 (TRL's {@code max_length})
 */
public record SftConfig(Optimization optimization, int maxLength) {
  /** The SFT defaults: the paper's §3.1 recipe with TRL's learning rate (see the class). */
  public static final Optimization DEFAULT_OPTIMIZATION =
      Optimization.defaults().toBuilder().learningRate(2e-5).epochs(1).globalBatchSize(32).build();

  /**
   * @throws IllegalArgumentException if optimization is null or {@code maxLength < 2}
   */
  public SftConfig {
    checkArgument(optimization != null, "optimization must not be null");
    checkArgument(maxLength >= 2, "maxLength must be >= 2 but was %s", maxLength);
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder(DEFAULT_OPTIMIZATION);
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder(optimization).maxLength(maxLength);
  }

  /**
   * Builds an {@link SftConfig}. Each setter checks its own value; {@link #build()} checks the
   * combinations. Not thread-safe.
   */
  public static final class Builder extends OptimizationBuilder<Builder> {
    private int maxLength = 1024;

    private Builder(Optimization defaults) {
      super(defaults);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The most tokens of an example.
     *
     * @throws IllegalArgumentException if it is &lt; 2
     */
    public Builder maxLength(int maxLength) {
      checkArgument(maxLength >= 2, "maxLength must be >= 2 but was %s", maxLength);
      this.maxLength = maxLength;
      return this;
    }

    /**
     * Builds the config.
     *
     * @throws IllegalArgumentException if {@code globalBatchSize} is not a multiple of {@code
     *     microBatchSize} (the message gives both and the nearest valid values)
     */
    public SftConfig build() {
      return new SftConfig(optimization(), maxLength);
    }
  }
}
