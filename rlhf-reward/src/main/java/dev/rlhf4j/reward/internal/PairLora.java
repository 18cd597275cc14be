package dev.rlhf4j.reward.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.TransformerModel;
import java.util.Optional;

/** What the preference-pair trainers do with their LoRA setting before training starts. */
public final class PairLora {
  private PairLora() {}

  /**
   * Adds the adapter {@code lora} asks for when {@code model} has none (A drawn from {@code seed},
   * B zero: the model's outputs do not change); a model with an adapter of the same settings
   * trains that one on, as does a model with an adapter and no setting.
   *
   * @throws IllegalArgumentException if the model's adapter has other settings than {@code lora}
   */
  public static void attach(TransformerModel model, Optional<LoraConfig> lora, long seed) {
    if (lora.isEmpty()) {
      return;
    }
    if (model.loraConfig().isPresent()) {
      checkArgument(
          model.loraConfig().get().equals(lora.get()),
          "the model already has a LoRA adapter %s but the trainer asks for %s; train it with"
              + " the same lora settings, or leave lora unset to train the model's adapter as it"
              + " is",
          model.loraConfig().get(),
          lora.get());
      return;
    }
    model.addLora(lora.get(), seed);
  }

  /**
   * The adapter's part of a training run's fingerprint: empty without one, so checkpoints of full
   * fine-tuning keep the fingerprint they had before adapters existed.
   */
  public static String fingerprint(TransformerModel model) {
    return model.loraConfig().map(c -> "|lora=" + c).orElse("");
  }
}
