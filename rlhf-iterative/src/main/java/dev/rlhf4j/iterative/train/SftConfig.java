package dev.rlhf4j.iterative.train;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.training.Optimization;
import dev.rlhf4j.training.OptimizationBuilder;
import java.util.Optional;

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
 * @param lora train a LoRA adapter instead of every weight (Hu et al. 2021), or empty (the
 *     default: full fine-tuning). The base weights are frozen (no gradients, no AdamW state) and
 *     checkpoints are PEFT adapter directories; see {@link SftTrainer}.
 */
public record SftConfig(Optimization optimization, int maxLength, Optional<LoraConfig> lora) {
  /** The SFT defaults: the paper's §3.1 recipe with TRL's learning rate (see the class). */
  public static final Optimization DEFAULT_OPTIMIZATION =
      Optimization.defaults().toBuilder().learningRate(2e-5).epochs(1).globalBatchSize(32).build();

  /**
   * @throws IllegalArgumentException if optimization or lora is null or {@code maxLength < 2}
   */
  public SftConfig {
    checkArgument(optimization != null, "optimization must not be null");
    checkArgument(maxLength >= 2, "maxLength must be >= 2 but was %s", maxLength);
    checkArgument(lora != null, "lora must not be null (use Optional.empty())");
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder(DEFAULT_OPTIMIZATION);
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder(optimization).maxLength(maxLength);
    lora.ifPresent(b::lora);
    return b;
  }

  /**
   * Builds an {@link SftConfig}. Each setter checks its own value; {@link #build()} checks the
   * combinations. Not thread-safe.
   */
  public static final class Builder extends OptimizationBuilder<Builder> {
    private int maxLength = 1024;
    private LoraConfig lora;

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
     * Trains a LoRA adapter with these settings instead of every weight (see {@link
     * SftConfig#lora()}): {@link SftTrainer} adds it to a policy that has none, drawing A from the
     * optimisation's seed, and trains the one a policy already has (it must have these settings).
     *
     * @throws IllegalArgumentException if it is null
     */
    public Builder lora(LoraConfig lora) {
      checkArgument(lora != null, "lora must not be null");
      this.lora = lora;
      return this;
    }

    /** Back to full fine-tuning (no adapter), the default. */
    public Builder noLora() {
      this.lora = null;
      return this;
    }

    /**
     * Builds the config.
     *
     * @throws IllegalArgumentException if {@code globalBatchSize} is not a multiple of {@code
     *     microBatchSize} (the message gives both and the nearest valid values)
     */
    public SftConfig build() {
      return new SftConfig(optimization(), maxLength, Optional.ofNullable(lora));
    }
  }
}
