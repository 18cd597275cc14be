package dev.rlhf4j.training.optim;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Locale;

/**
 * Splits parameters into the two groups of {@link AdamW}: those with decoupled weight decay and
 * those without. Decided once per parameter, from its Hugging Face tensor name (for example {@code
 * model.layers.0.input_layernorm.weight}) and its shape.
 *
 * <p>Implementations must be pure functions of their arguments and safe to call from any thread.
 */
@FunctionalInterface
public interface ParameterGroups {

  /** The name fragments {@link #defaults()} exempts from weight decay, matched case-insensitively. */
  List<String> DEFAULT_NO_DECAY_FRAGMENTS = List.of("embed", "wte", "wpe", "norm", "bias");

  /**
   * Whether the parameter is in the no-decay group.
   *
   * @param name the parameter's tensor name, as in a Hugging Face checkpoint
   * @param shape the parameter's shape
   * @return {@code true} to exempt the parameter from weight decay
   */
  boolean noDecay(String name, Shape shape);

  /**
   * The usual split for transformers: no decay on every tensor of rank ≤ 1 (norm weights, biases)
   * and on every tensor whose name contains {@code embed}, {@code wte}, {@code wpe}, {@code norm}
   * or {@code bias} (embeddings, GPT-2 token and position tables); decay on everything else
   * (attention and MLP matrices, an untied {@code lm_head}). The Hugging Face Trainer also exempts
   * norms and biases but decays embeddings.
   *
   * @return the default rule
   */
  static ParameterGroups defaults() {
    return (name, shape) -> {
      checkArgument(name != null, "name must not be null");
      checkArgument(shape != null, "shape must not be null");
      if (shape.dimension() <= 1) {
        return true;
      }
      String lower = name.toLowerCase(Locale.ROOT);
      return DEFAULT_NO_DECAY_FRAGMENTS.stream().anyMatch(lower::contains);
    };
  }

  /**
   * Weight decay on every parameter (PyTorch's {@code AdamW(model.parameters())}).
   *
   * @return a rule that puts no parameter in the no-decay group
   */
  static ParameterGroups decayAll() {
    return (name, shape) -> false;
  }

  /**
   * A rule that exempts a parameter when this rule or {@code other} does.
   *
   * @param other the second rule
   * @return the union of the two no-decay groups
   * @throws IllegalArgumentException if {@code other} is null
   */
  default ParameterGroups or(ParameterGroups other) {
    checkArgument(other != null, "other must not be null");
    return (name, shape) -> noDecay(name, shape) || other.noDecay(name, shape);
  }
}
