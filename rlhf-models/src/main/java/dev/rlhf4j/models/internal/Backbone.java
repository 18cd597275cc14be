package dev.rlhf4j.models.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.ModelFamily;
import java.util.List;
import java.util.Map;

/**
 * A transformer backbone bound to its parameter arrays: token ids in, final-normalised hidden
 * states out. Heads (LM head, classification score) sit on top in the public model classes.
 *
 * <p>{@link #forward} is safe to call from several threads at once with distinct scopes and
 * caches; it only reads the parameters.
 */
public sealed interface Backbone permits LlamaBackbone, Gpt2Backbone {

  /** The parameters of the backbone of {@code config}, in Hugging Face order. */
  static List<ParameterSpec> specs(ModelConfig config) {
    return config.family() == ModelFamily.GPT2
        ? Gpt2Backbone.specs(config)
        : LlamaBackbone.specs(config);
  }

  /** The name of the token-embedding table (the LM head when embeddings are tied). */
  static String embeddingName(ModelConfig config) {
    return config.family() == ModelFamily.GPT2
        ? "transformer.wte.weight"
        : "model.embed_tokens.weight";
  }

  /**
   * Binds the backbone of {@code config} to {@code parameters} (by Hugging Face name); constant
   * tables (rotary frequencies) go to {@code constants}.
   */
  static Backbone bind(
      ModelConfig config, Map<String, NDArray> parameters, NDManager constants,
      DataType dataType) {
    return bind(config, parameters, constants, dataType, new LoraLinears());
  }

  /**
   * As {@link #bind(ModelConfig, Map, NDManager, DataType)}, adding the low-rank updates held by
   * {@code lora} to the linear layers it names.
   */
  static Backbone bind(
      ModelConfig config, Map<String, NDArray> parameters, NDManager constants,
      DataType dataType, LoraLinears lora) {
    return config.family() == ModelFamily.GPT2
        ? new Gpt2Backbone(config, parameters, lora)
        : new LlamaBackbone(config, parameters, constants, dataType, lora);
  }

  /**
   * Runs the backbone.
   *
   * @param ids {@code [B, T]} int64, in {@code scope}
   * @param positions {@code [B, T]} int64 position ids, in {@code scope}
   * @param bias the {@link AttentionBias} {@code [B, 1, T, past + T]}, in {@code scope}
   * @param cache the KV cache to append to, or null
   * @param scope where the activations go
   * @return the final hidden states {@code [B, T, hidden]}, in {@code scope}
   */
  NDArray forward(NDArray ids, NDArray positions, NDArray bias, KvBuffers cache, NDManager scope);
}
