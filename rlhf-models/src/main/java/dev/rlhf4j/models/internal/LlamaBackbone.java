package dev.rlhf4j.models.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.internal.ParameterSpec.Init;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Llama-family decoder (Llama, Mistral, Qwen2): pre-RMSNorm blocks of rotary grouped-query
 * self-attention and a SwiGLU MLP ({@code down(silu(gate(x)) · up(x))}), a final RMSNorm.
 */
final class LlamaBackbone implements Backbone {
  private final ModelConfig config;
  private final NDArray embedding;
  private final NDArray finalNorm;
  private final Layer[] layers;
  private final Rotary rotary;
  private final double scale;

  private final LoraLinears lora;

  private record Layer(
      String attn, String mlp,
      NDArray inputNorm, NDArray q, NDArray qBias, NDArray k, NDArray kBias, NDArray v,
      NDArray vBias, NDArray o, NDArray oBias, NDArray postNorm, NDArray gate, NDArray gateBias,
      NDArray up, NDArray upBias, NDArray down, NDArray downBias) {}

  LlamaBackbone(
      ModelConfig config, Map<String, NDArray> p, NDManager constants, DataType dataType,
      LoraLinears lora) {
    this.config = config;
    this.lora = lora;
    this.embedding = p.get("model.embed_tokens.weight");
    this.finalNorm = p.get("model.norm.weight");
    this.layers = new Layer[config.numLayers()];
    for (int i = 0; i < layers.length; i++) {
      String a = "model.layers." + i + ".self_attn.";
      String m = "model.layers." + i + ".mlp.";
      String l = "model.layers." + i + ".";
      layers[i] =
          new Layer(
              a, m, p.get(l + "input_layernorm.weight"),
              p.get(a + "q_proj.weight"), p.get(a + "q_proj.bias"),
              p.get(a + "k_proj.weight"), p.get(a + "k_proj.bias"),
              p.get(a + "v_proj.weight"), p.get(a + "v_proj.bias"),
              p.get(a + "o_proj.weight"), p.get(a + "o_proj.bias"),
              p.get(l + "post_attention_layernorm.weight"),
              p.get(m + "gate_proj.weight"), p.get(m + "gate_proj.bias"),
              p.get(m + "up_proj.weight"), p.get(m + "up_proj.bias"),
              p.get(m + "down_proj.weight"), p.get(m + "down_proj.bias"));
    }
    this.rotary = new Rotary(config, constants, dataType);
    this.scale = 1.0 / Math.sqrt(config.headDim());
  }

  static List<ParameterSpec> specs(ModelConfig c) {
    long e = c.hiddenSize();
    long qOut = (long) c.numHeads() * c.headDim();
    long kvOut = (long) c.numKvHeads() * c.headDim();
    long inner = c.intermediateSize();
    List<ParameterSpec> specs = new ArrayList<>();
    specs.add(ParameterSpec.of("model.embed_tokens.weight", Init.NORMAL, c.vocabSize(), e));
    for (int i = 0; i < c.numLayers(); i++) {
      String a = "model.layers." + i + ".self_attn.";
      linear(specs, a + "q_proj", qOut, e, c.qkvBias());
      linear(specs, a + "k_proj", kvOut, e, c.qkvBias());
      linear(specs, a + "v_proj", kvOut, e, c.qkvBias());
      linear(specs, a + "o_proj", e, qOut, c.outputBias());
      String m = "model.layers." + i + ".mlp.";
      linear(specs, m + "gate_proj", inner, e, c.mlpProjectionBias());
      linear(specs, m + "up_proj", inner, e, c.mlpProjectionBias());
      linear(specs, m + "down_proj", e, inner, c.mlpProjectionBias());
      String l = "model.layers." + i + ".";
      specs.add(ParameterSpec.of(l + "input_layernorm.weight", Init.ONES, e));
      specs.add(ParameterSpec.of(l + "post_attention_layernorm.weight", Init.ONES, e));
    }
    specs.add(ParameterSpec.of("model.norm.weight", Init.ONES, e));
    return specs;
  }

  private static void linear(List<ParameterSpec> specs, String name, long out, long in,
      boolean bias) {
    specs.add(ParameterSpec.of(name + ".weight", Init.NORMAL, out, in));
    if (bias) {
      specs.add(ParameterSpec.of(name + ".bias", Init.ZEROS, out));
    }
  }

  @Override
  public NDArray forward(
      NDArray ids, NDArray positions, NDArray bias, KvBuffers cache, NDManager scope) {
    NDArray[] tables = rotary.tables(positions);
    double eps = config.normEps();
    int heads = config.numHeads();
    int kvHeads = config.numKvHeads();
    int dim = config.headDim();
    NDArray h = Ops.embedding(ids, embedding);
    for (int i = 0; i < layers.length; i++) {
      // each layer's activations live in their own scope, closed when the layer is done: only
      // the residual stream (and what autograd saved, when recording) outlives a layer, so a
      // forward pass holds one layer's intermediates at a time instead of all of them
      try (NDManager layerScope = scope.newSubManager()) {
        h.attach(layerScope);
        NDArray out = layer(i, h, tables, bias, cache, layerScope, eps, heads, kvHeads, dim);
        out.attach(scope);
        h = out;
      }
    }
    return Ops.rmsNorm(h, finalNorm, eps);
  }

  private NDArray layer(
      int i, NDArray h, NDArray[] tables, NDArray bias, KvBuffers cache, NDManager layerScope,
      double eps, int heads, int kvHeads, int dim) {
    Layer w = layers[i];
    NDArray x = Ops.rmsNorm(h, w.inputNorm, eps);
    NDArray q =
        Rotary.apply(Ops.splitHeads(lin(x, w.q, w.qBias, w.attn + "q_proj"), heads, dim), tables);
    NDArray k =
        Rotary.apply(
            Ops.splitHeads(lin(x, w.k, w.kBias, w.attn + "k_proj"), kvHeads, dim), tables);
    NDArray v = Ops.splitHeads(lin(x, w.v, w.vBias, w.attn + "v_proj"), kvHeads, dim);
    if (cache != null) {
      NDArray[] all = cache.update(i, k, v, layerScope);
      k = all[0];
      v = all[1];
    }
    NDArray attended = Ops.attention(q, k, v, bias, scale);
    NDArray mid = h.add(lin(attended, w.o, w.oBias, w.attn + "o_proj"));
    x = Ops.rmsNorm(mid, w.postNorm, eps);
    NDArray gated =
        Ops.silu(lin(x, w.gate, w.gateBias, w.mlp + "gate_proj"))
            .mul(lin(x, w.up, w.upBias, w.mlp + "up_proj"));
    return mid.add(lin(gated, w.down, w.downBias, w.mlp + "down_proj"));
  }

  private NDArray lin(NDArray x, NDArray weight, NDArray bias, String module) {
    return lora.plus(Ops.linear(x, weight, bias), module, x);
  }
}
