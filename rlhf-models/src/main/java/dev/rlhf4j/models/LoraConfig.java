package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The settings of a LoRA adapter (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language
 * Models"): each targeted linear layer {@code y = x Wᵀ + b} becomes {@code y = x Wᵀ + b +
 * (alpha/r) · dropout(x) Aᵀ Bᵀ} with {@code A [r, in]} drawn Kaiming-uniform (a = √5, as PEFT
 * does: uniform in ±1/√in) and {@code B [out, r]} zero, so a fresh adapter changes nothing. The
 * base weights are frozen; only A and B train.
 *
 * <p>Layers are named as Hugging Face and PEFT name them: {@code q_proj}, {@code k_proj}, {@code
 * v_proj}, {@code o_proj}, {@code gate_proj}, {@code up_proj}, {@code down_proj} (Llama, Mistral,
 * Qwen2) and {@code c_attn}, {@code c_proj}, {@code c_fc} (GPT-2, whose Conv1D weights are stored
 * {@code [in, out]}: PEFT's {@code fan_in_fan_out = true}). A name matches every layer whose last
 * component it is ({@code c_proj} matches both GPT-2 projections), as PEFT's {@code
 * target_modules} list does.
 *
 * @param rank r, the inner dimension of A and B: 1 to {@value #MAX_RANK} (and at most the
 *     smaller side of each targeted weight, checked when the adapter is added)
 * @param alpha the numerator of the scale alpha/r; PEFT's {@code lora_alpha} (default 8)
 * @param dropout the dropout rate on the layer input of the update, in [0, 1), applied only in
 *     training mode; PEFT's {@code lora_dropout} (default 0)
 * @param targetModules the layer names to adapt, at least one, each from {@link #KNOWN_MODULES}
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targetModules) {

  /** The largest rank accepted (an adapter file asking for more is refused). */
  public static final int MAX_RANK = 4096;

  /** Every layer name an adapter can target. */
  public static final Set<String> KNOWN_MODULES =
      Set.of(
          "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "c_attn",
          "c_proj", "c_fc");

  /** The Llama-family attention and MLP projections: "all linear layers" but the LM head. */
  public static final List<String> LLAMA_ALL_LINEAR =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  /** GPT-2's attention and MLP projections. */
  public static final List<String> GPT2_ALL_LINEAR = List.of("c_attn", "c_proj", "c_fc");

  /**
   * Checks the settings and copies the module list (duplicates removed, order kept).
   *
   * @throws IllegalArgumentException naming the setting, the value and the allowed range
   */
  public LoraConfig {
    checkArgument(
        rank >= 1 && rank <= MAX_RANK, "rank must be in [1, %s] but was %s", MAX_RANK, rank);
    checkArgument(
        Double.isFinite(alpha) && alpha > 0, "alpha must be finite and > 0 but was %s", alpha);
    checkArgument(
        dropout >= 0 && dropout < 1, "dropout must be in [0, 1) but was %s", dropout);
    checkNotNull(targetModules, "targetModules");
    checkArgument(!targetModules.isEmpty(), "targetModules must name at least one layer");
    for (String module : targetModules) {
      checkArgument(
          module != null && KNOWN_MODULES.contains(module),
          "targetModules: unknown layer '%s'; known layers are %s",
          module,
          new java.util.TreeSet<>(KNOWN_MODULES));
    }
    targetModules = List.copyOf(new LinkedHashSet<>(targetModules));
  }

  /**
   * Rank {@code rank}, alpha {@code alpha}, no dropout, on {@code targetModules}.
   *
   * @throws IllegalArgumentException as the canonical constructor
   */
  public static LoraConfig of(int rank, double alpha, String... targetModules) {
    return new LoraConfig(rank, alpha, 0, List.of(targetModules));
  }

  /** The scale alpha/r applied to the update. */
  public double scale() {
    return alpha / rank;
  }

  /**
   * The number of scalars the adapter holds on a model of {@code model}'s shape, {@code r · (in +
   * out)} per targeted layer: what trains (and carries AdamW state) when the base is frozen. Known
   * before any allocation, for memory estimates; equals {@link
   * TransformerModel#numTrainableParameters()} of a causal LM after {@link
   * TransformerModel#addLora}.
   *
   * @throws IllegalArgumentException if the config targets no layer of the model
   */
  public long parameterCount(dev.rlhf4j.models.config.ModelConfig model) {
    long total = 0;
    for (long[] inOut : adaptedLayers(model)) {
      total += (long) rank * (inOut[0] + inOut[1]);
    }
    return total;
  }

  /**
   * The bytes per token that autograd keeps for the adapter's updates in one training step, over
   * every targeted layer of a model of {@code model}'s shape, with activations of {@code
   * valueBytes} each: per targeted layer the rank-sized intermediate before and after the scale
   * ({@code 2r} values) and, when {@code dropout > 0}, the dropped copy of the layer's input
   * ({@code in} values) and its mask (one byte per input value). Known before any allocation, for
   * {@link dev.rlhf4j.models.memory.MemoryEstimator}.
   *
   * @throws IllegalArgumentException if {@code valueBytes} is not in [1, 8] or the config targets
   *     no layer of the model
   */
  public long trainingActivationBytesPerToken(
      dev.rlhf4j.models.config.ModelConfig model, int valueBytes) {
    checkNotNull(model, "model");
    checkArgument(valueBytes >= 1 && valueBytes <= 8,
        "valueBytes must be in [1, 8] but was %s", valueBytes);
    List<long[]> adapted = adaptedLayers(model);
    long layers = adapted.size();
    long inputs = adapted.stream().mapToLong(inOut -> inOut[0]).sum();
    long bytes = layers * 2L * rank * valueBytes;
    if (dropout > 0) {
      bytes += inputs * (valueBytes + 1L);
    }
    return bytes;
  }

  /**
   * {@code [in, out]} of every layer of a model of {@code model}'s shape this config adapts.
   *
   * @throws IllegalArgumentException if it adapts none
   */
  private List<long[]> adaptedLayers(dev.rlhf4j.models.config.ModelConfig model) {
    checkNotNull(model, "model");
    boolean gpt2 = model.family() == dev.rlhf4j.models.config.ModelFamily.GPT2;
    List<long[]> layers = new java.util.ArrayList<>();
    for (dev.rlhf4j.models.internal.ParameterSpec spec
        : dev.rlhf4j.models.internal.Backbone.specs(model)) {
      String name = spec.name();
      if (!name.endsWith(".weight") || spec.shape().dimension() != 2) {
        continue;
      }
      String module = name.substring(0, name.length() - ".weight".length());
      if (targets(module) && TransformerModel.isAdaptableModule(module)) {
        // nn.Linear holds [out, in], GPT-2's Conv1D [in, out]
        long in = spec.shape().get(gpt2 ? 0 : 1);
        long out = spec.shape().get(gpt2 ? 1 : 0);
        layers.add(new long[] {in, out});
      }
    }
    checkArgument(!layers.isEmpty(), "targetModules %s match no linear layer of %s",
        targetModules, model.architecture().hfName());
    return layers;
  }

  /** A copy with dropout {@code rate}. */
  public LoraConfig withDropout(double rate) {
    return new LoraConfig(rank, alpha, rate, targetModules);
  }

  /** Whether {@code module}, a full name like {@code model.layers.0.mlp.up_proj}, is targeted. */
  public boolean targets(String module) {
    int dot = module.lastIndexOf('.');
    return targetModules.contains(dot < 0 ? module : module.substring(dot + 1));
  }
}
