package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.TransformerModel;
import java.util.Optional;

/** What the trainers do with a config's LoRA setting before training starts. */
public final class PolicyAdapter {
  private PolicyAdapter() {}

  /**
   * Checks {@code lora} against the adapter {@code policy} already has: none yet is fine (it is
   * added by {@link #attach}), the same settings are fine (that adapter trains on), other
   * settings are the caller's mistake.
   *
   * @throws IllegalArgumentException if the policy's adapter has other settings than {@code lora}
   */
  public static void check(TransformerModel policy, Optional<LoraConfig> lora) {
    if (lora.isPresent() && policy.loraConfig().isPresent()) {
      checkArgument(
          policy.loraConfig().get().equals(lora.get()),
          "the policy already has a LoRA adapter %s but the config asks for %s; train it with"
              + " the same lora settings, or leave lora unset to train the policy's adapter as it"
              + " is",
          policy.loraConfig().get(),
          lora.get());
    }
  }

  /** Adds the adapter {@code lora} asks for if the policy has none, A drawn from {@code seed}. */
  public static void attach(TransformerModel policy, Optional<LoraConfig> lora, long seed) {
    check(policy, lora);
    if (lora.isPresent() && policy.loraConfig().isEmpty()) {
      policy.addLora(lora.get(), seed);
    }
  }

  /** The number of scalars that will train: the adapter, once attached, or what is not frozen. */
  public static long trainableCount(TransformerModel policy, Optional<LoraConfig> lora) {
    if (policy.loraConfig().isEmpty() && lora.isPresent()) {
      return lora.get().parameterCount(policy.config());
    }
    return policy.numTrainableParameters();
  }

  /**
   * The adapter's part of a training run's fingerprint: empty without one, so checkpoints of full
   * fine-tuning keep the fingerprint they had before adapters existed.
   */
  public static String fingerprint(TransformerModel policy) {
    return policy.loraConfig().map(c -> "|lora=" + c).orElse("");
  }
}
