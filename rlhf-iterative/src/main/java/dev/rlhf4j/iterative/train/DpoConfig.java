package dev.rlhf4j.iterative.train;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.losses.PreferenceLoss;
import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.training.Optimization;
import dev.rlhf4j.training.OptimizationBuilder;
import java.util.Optional;

/**
 * The settings of one DPO run ({@link DpoTrainer}), TRL's {@code DPOConfig} in Java, and of every
 * DPO stage of the online loop ({@code IterativeDpo.builder().dpo(config)}). The defaults are the
 * paper's (§3.3: "RLHF Workflow", Dong et al. 2024) where it gives one, else TRL's or the Hugging
 * Face Trainer's; each accessor names its source. {@link #paperDefaults()} is the whole default
 * config.
 *
 * <p>The optimisation ({@link #optimization()}: learning rate, schedule, epochs, batches, clipping,
 * weight decay, seed, checkpoints) is an {@link Optimization}, set through the builder's inherited
 * {@link OptimizationBuilder} setters. Defaults ({@link #DEFAULT_OPTIMIZATION}): learning rate
 * 5e-7, cosine schedule with warm-up ratio 0.03, 2 epochs and global batch 128 (paper §3.3),
 * micro-batch 8, clipping at 1.0, no weight decay, seed 42 (the Hugging Face Trainer's).
 *
 * <p>Build with {@link #builder()}; {@link #toBuilder()} starts from an existing config. Immutable
 * and thread-safe.
 *
 * @param loss the preference loss, with its β and, if {@link #rpoAlpha()} is set, the RPO term;
 *     default {@code PreferenceLoss.sigmoid(0.1)}: DPO with the paper's β = 0.1 (TRL's default β)
 * @param optimization how the loop optimises (see above)
 * @param maxLength the most tokens of prompt plus response; default 1024 (TRL's {@code
 *     max_length})
 * @param maxPromptLength the most prompt tokens kept when a pair is too long; default 512 (TRL's
 *     {@code max_prompt_length})
 * @param truncationRule which end of a long prompt is kept; default {@link PromptTruncation#KEEP_END}
 *     (TRL's {@code truncation_mode})
 * @param referenceScoring where reference log-probabilities come from; default {@link
 *     ReferenceLogProbs#PRECOMPUTED} (TRL's default is live; see {@link ReferenceLogProbs})
 * @param referenceSync TR-DPO's reference synchronisation, or empty (the default: a fixed
 *     reference); needs {@link ReferenceLogProbs#LIVE}
 * @param ldAlpha LD-DPO's weight α of the response tokens past the length the chosen and rejected
 *     responses share (Liu et al. 2024; TRL's {@code ld_alpha}), applied to the policy's and the
 *     reference's log-probabilities alike ({@code
 *     dev.rlhf4j.losses.SequenceLogProbs#lengthDesensitizedSums}); in [0, 1], default 1 (off:
 *     plain DPO). The paper uses α between 0.2 and 0.6 depending on the model.
 * @param lora train a LoRA adapter instead of every weight (Hu et al. 2021; TRL's {@code
 *     peft_config}), or empty (the default: full fine-tuning). With an adapter the base weights are
 *     frozen (no gradients, no AdamW state), the reference is the base with the adapter switched
 *     off (no second model in memory, TRL's behaviour with PEFT and no reference model), and
 *     checkpoints are PEFT adapter directories; see {@link DpoTrainer}. Cannot be combined with
 *     {@link #referenceSync()}.
 */
public record DpoConfig(
    PreferenceLoss loss,
    Optimization optimization,
    int maxLength,
    int maxPromptLength,
    PromptTruncation truncationRule,
    ReferenceLogProbs referenceScoring,
    Optional<ReferenceSync> referenceSync,
    double ldAlpha,
    Optional<LoraConfig> lora) {

  /** The DPO optimisation defaults (see the class). */
  public static final Optimization DEFAULT_OPTIMIZATION =
      Optimization.defaults().toBuilder()
          .learningRate(5e-7).epochs(2).globalBatchSize(128).build();

  /**
   * Validates every field and the combinations.
   *
   * @throws IllegalArgumentException if a field is null or out of its range (see {@link Builder}),
   *     {@code maxPromptLength >= maxLength}, or both {@code lora} and {@code referenceSync} are
   *     set
   */
  public DpoConfig {
    checkArgument(loss != null, "loss must not be null");
    checkArgument(optimization != null, "optimization must not be null");
    checkArgument(maxLength >= 2, "maxLength must be >= 2 but was %s", maxLength);
    checkArgument(
        maxPromptLength >= 1 && maxPromptLength < maxLength,
        "maxPromptLength must be in [1, maxLength = %s) so that every response keeps a token,"
            + " but was %s",
        maxLength,
        maxPromptLength);
    checkArgument(truncationRule != null, "truncationRule must not be null");
    checkArgument(referenceScoring != null, "referenceScoring must not be null");
    checkArgument(referenceSync != null, "referenceSync must not be null (use Optional.empty())");
    checkLdAlpha(ldAlpha);
    checkArgument(
        referenceSync.isEmpty() || referenceScoring == ReferenceLogProbs.LIVE,
        "referenceSync %s moves the reference during training, so its log-probabilities cannot be"
            + " precomputed; set referenceScoring(ReferenceLogProbs.LIVE)",
        referenceSync.orElse(null));
    checkArgument(lora != null, "lora must not be null (use Optional.empty())");
    checkArgument(
        lora.isEmpty() || referenceSync.isEmpty(),
        "referenceSync %s moves the reference towards the policy, but with lora %s the reference"
            + " is the frozen base itself; drop one of them",
        referenceSync.orElse(null),
        lora.orElse(null));
  }

  /** The paper's DPO settings (§3.3): {@code builder().build()}. */
  public static DpoConfig paperDefaults() {
    return builder().build();
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    if (loss instanceof PreferenceLoss.Rpo rpo) {
      b.loss = rpo.base();
      b.rpoAlpha = rpo.nllWeight();
    } else {
      b.loss = loss;
    }
    b.optimization(optimization);
    b.maxLength = maxLength;
    b.maxPromptLength = maxPromptLength;
    b.truncationRule = truncationRule;
    b.referenceScoring = referenceScoring;
    b.referenceSync = referenceSync.orElse(null);
    b.ldAlpha = ldAlpha;
    b.lora = lora.orElse(null);
    return b;
  }

  private static void checkLdAlpha(double ldAlpha) {
    checkArgument(
        ldAlpha >= 0 && ldAlpha <= 1, "ldAlpha must be in [0, 1] (1: off) but was %s", ldAlpha);
  }

  /** β, the KL-penalty strength of the loss (paper §3.3's KL coefficient). */
  public double beta() {
    return loss.beta();
  }

  /** The weight of the RPO negative log-likelihood term, 0 when the loss has none. */
  public double rpoAlpha() {
    return loss instanceof PreferenceLoss.Rpo rpo ? rpo.nllWeight() : 0;
  }

  /**
   * Builds a {@link DpoConfig}. Each setter checks its own value; {@link #build()} checks the
   * combinations. The optimisation setters are {@link OptimizationBuilder}'s. Not thread-safe.
   */
  public static final class Builder extends OptimizationBuilder<Builder> {
    private PreferenceLoss loss = PreferenceLoss.sigmoid(0.1);
    private double rpoAlpha;
    private int maxLength = 1024;
    private int maxPromptLength = 512;
    private PromptTruncation truncationRule = PromptTruncation.KEEP_END;
    private ReferenceLogProbs referenceScoring = ReferenceLogProbs.PRECOMPUTED;
    private ReferenceSync referenceSync;
    private double ldAlpha = 1;
    private LoraConfig lora;

    private Builder() {
      super(DEFAULT_OPTIMIZATION);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * DPO with this β: shorthand for {@code loss(PreferenceLoss.sigmoid(beta))}. Of {@code beta}
     * and {@link #loss}, the later call wins.
     *
     * @throws IllegalArgumentException if β is not finite and &gt; 0
     */
    public Builder beta(double beta) {
      this.loss = PreferenceLoss.sigmoid(beta);
      return this;
    }

    /**
     * The preference loss, any of {@link PreferenceLoss}'s variants, with its own β. Pass the
     * base loss and set {@link #rpoAlpha} for RPO, or pass an RPO loss directly.
     *
     * @throws IllegalArgumentException if {@code loss} is null
     */
    public Builder loss(PreferenceLoss loss) {
      checkArgument(loss != null, "loss must not be null");
      this.loss = loss;
      return this;
    }

    /**
     * The weight of an NLL term on the chosen responses (RPO, TRL's {@code rpo_alpha}); 0, the
     * default, for none.
     *
     * @throws IllegalArgumentException if the weight is negative or not finite
     */
    public Builder rpoAlpha(double rpoAlpha) {
      checkArgument(
          rpoAlpha >= 0 && Double.isFinite(rpoAlpha),
          "rpoAlpha must be finite and >= 0 but was %s",
          rpoAlpha);
      this.rpoAlpha = rpoAlpha;
      return this;
    }

    /**
     * The most tokens of prompt plus response; longer pairs are cut by the {@link PromptTruncation}.
     *
     * @throws IllegalArgumentException if it is &lt; 2
     */
    public Builder maxLength(int maxLength) {
      checkArgument(maxLength >= 2, "maxLength must be >= 2 but was %s", maxLength);
      this.maxLength = maxLength;
      return this;
    }

    /**
     * The most prompt tokens kept when a pair is too long; must be below {@code maxLength}
     * (checked in {@link #build()}).
     *
     * @throws IllegalArgumentException if it is &lt; 1
     */
    public Builder maxPromptLength(int maxPromptLength) {
      checkArgument(
          maxPromptLength >= 1, "maxPromptLength must be >= 1 but was %s", maxPromptLength);
      this.maxPromptLength = maxPromptLength;
      return this;
    }

    /**
     * Which end of a long prompt is kept.
     *
     * @throws IllegalArgumentException if it is null
     */
    public Builder truncationRule(PromptTruncation truncationRule) {
      checkArgument(truncationRule != null, "truncationRule must not be null");
      this.truncationRule = truncationRule;
      return this;
    }

    /**
     * Where reference log-probabilities come from.
     *
     * @throws IllegalArgumentException if it is null
     */
    public Builder referenceScoring(ReferenceLogProbs referenceScoring) {
      checkArgument(referenceScoring != null, "referenceScoring must not be null");
      this.referenceScoring = referenceScoring;
      return this;
    }

    /**
     * Synchronises the reference with the policy during training (TR-DPO, {@link
     * ReferenceSync}); needs {@code referenceScoring(ReferenceLogProbs.LIVE)}, checked in {@link
     * #build()}.
     *
     * @throws IllegalArgumentException if it is null
     */
    public Builder referenceSync(ReferenceSync referenceSync) {
      checkArgument(referenceSync != null, "referenceSync must not be null");
      this.referenceSync = referenceSync;
      return this;
    }

    /**
     * LD-DPO's weight of the tokens past the shared response length (see {@link
     * DpoConfig#ldAlpha()}); 1, the default, is plain DPO.
     *
     * @throws IllegalArgumentException if it is outside [0, 1]
     */
    public Builder ldAlpha(double ldAlpha) {
      checkLdAlpha(ldAlpha);
      this.ldAlpha = ldAlpha;
      return this;
    }

    /**
     * Trains a LoRA adapter with these settings instead of every weight (see {@link
     * DpoConfig#lora()}): {@link DpoTrainer} adds it to a policy that has none, drawing A from the
     * optimisation's seed, and trains the one a policy already has (it must have these settings).
     * For example {@code lora(new LoraConfig(16, 32, 0.05, LoraConfig.LLAMA_ALL_LINEAR))}.
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
     *     microBatchSize}, {@code maxPromptLength >= maxLength}, {@code rpoAlpha} is set on a
     *     loss that already has an NLL term (the message gives the numbers), or {@code lora} and
     *     {@code referenceSync} are both set
     */
    public DpoConfig build() {
      PreferenceLoss full = loss;
      if (rpoAlpha > 0) {
        checkArgument(
            !(loss instanceof PreferenceLoss.Rpo),
            "rpoAlpha %s was set but the loss already has an NLL term (weight %s); set one of"
                + " them",
            rpoAlpha,
            loss instanceof PreferenceLoss.Rpo r ? r.nllWeight() : 0);
        full = loss.withNll(rpoAlpha);
      }
      return new DpoConfig(
          full, optimization(), maxLength, maxPromptLength, truncationRule, referenceScoring,
          Optional.ofNullable(referenceSync), ldAlpha, Optional.ofNullable(lora));
    }
  }
}
