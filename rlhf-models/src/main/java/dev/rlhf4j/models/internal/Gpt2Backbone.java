package dev.rlhf4j.models.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.internal.ParameterSpec.Init;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The GPT-2 decoder: learned token and position embeddings, pre-LayerNorm blocks of multi-head
 * self-attention and a tanh-GELU MLP, a final LayerNorm. Its Conv1D weights are stored {@code
 * [in, out]}, as in the Hugging Face checkpoints.
 */
final class Gpt2Backbone implements Backbone {
  private final ModelConfig config;
  private final NDArray tokens;
  private final NDArray positionsTable;
  private final NDArray finalNormWeight;
  private final NDArray finalNormBias;
  private final Layer[] layers;
  private final double scale;

  private final LoraLinears lora;

  private record Layer(
      String attn, String mlp,
      NDArray ln1Weight, NDArray ln1Bias, NDArray qkv, NDArray qkvBias, NDArray proj,
      NDArray projBias, NDArray ln2Weight, NDArray ln2Bias, NDArray fc, NDArray fcBias,
      NDArray out, NDArray outBias) {}

  Gpt2Backbone(ModelConfig config, Map<String, NDArray> p, LoraLinears lora) {
    this.config = config;
    this.lora = lora;
    this.tokens = p.get("transformer.wte.weight");
    this.positionsTable = p.get("transformer.wpe.weight");
    this.finalNormWeight = p.get("transformer.ln_f.weight");
    this.finalNormBias = p.get("transformer.ln_f.bias");
    this.layers = new Layer[config.numLayers()];
    for (int i = 0; i < layers.length; i++) {
      String l = "transformer.h." + i + ".";
      layers[i] =
          new Layer(
              l + "attn.", l + "mlp.", p.get(l + "ln_1.weight"), p.get(l + "ln_1.bias"),
              p.get(l + "attn.c_attn.weight"), p.get(l + "attn.c_attn.bias"),
              p.get(l + "attn.c_proj.weight"), p.get(l + "attn.c_proj.bias"),
              p.get(l + "ln_2.weight"), p.get(l + "ln_2.bias"),
              p.get(l + "mlp.c_fc.weight"), p.get(l + "mlp.c_fc.bias"),
              p.get(l + "mlp.c_proj.weight"), p.get(l + "mlp.c_proj.bias"));
    }
    this.scale = 1.0 / Math.sqrt(config.headDim());
  }

  static List<ParameterSpec> specs(ModelConfig c) {
    long e = c.hiddenSize();
    long inner = c.intermediateSize();
    List<ParameterSpec> specs = new ArrayList<>();
    specs.add(ParameterSpec.of("transformer.wte.weight", Init.NORMAL, c.vocabSize(), e));
    specs.add(
        ParameterSpec.of("transformer.wpe.weight", Init.NORMAL, c.maxPositionEmbeddings(), e));
    for (int i = 0; i < c.numLayers(); i++) {
      String l = "transformer.h." + i + ".";
      specs.add(ParameterSpec.of(l + "ln_1.weight", Init.ONES, e));
      specs.add(ParameterSpec.of(l + "ln_1.bias", Init.ZEROS, e));
      specs.add(ParameterSpec.of(l + "attn.c_attn.weight", Init.NORMAL, e, 3 * e));
      specs.add(ParameterSpec.of(l + "attn.c_attn.bias", Init.ZEROS, 3 * e));
      specs.add(ParameterSpec.of(l + "attn.c_proj.weight", Init.NORMAL_RESIDUAL, e, e));
      specs.add(ParameterSpec.of(l + "attn.c_proj.bias", Init.ZEROS, e));
      specs.add(ParameterSpec.of(l + "ln_2.weight", Init.ONES, e));
      specs.add(ParameterSpec.of(l + "ln_2.bias", Init.ZEROS, e));
      specs.add(ParameterSpec.of(l + "mlp.c_fc.weight", Init.NORMAL, e, inner));
      specs.add(ParameterSpec.of(l + "mlp.c_fc.bias", Init.ZEROS, inner));
      specs.add(ParameterSpec.of(l + "mlp.c_proj.weight", Init.NORMAL_RESIDUAL, inner, e));
      specs.add(ParameterSpec.of(l + "mlp.c_proj.bias", Init.ZEROS, e));
    }
    specs.add(ParameterSpec.of("transformer.ln_f.weight", Init.ONES, e));
    specs.add(ParameterSpec.of("transformer.ln_f.bias", Init.ZEROS, e));
    return specs;
  }

  @Override
  public NDArray forward(
      NDArray ids, NDArray positions, NDArray bias, KvBuffers cache, NDManager scope) {
    double eps = config.normEps();
    int heads = config.numHeads();
    int dim = config.headDim();
    long e = config.hiddenSize();
    NDArray h = Ops.embedding(ids, tokens).add(Ops.embedding(positions, positionsTable));
    for (int i = 0; i < layers.length; i++) {
      // each layer's activations live in their own scope (see LlamaBackbone)
      try (NDManager layerScope = scope.newSubManager()) {
        h.attach(layerScope);
        NDArray out = layer(i, h, bias, cache, layerScope, eps, heads, dim, e);
        out.attach(scope);
        h = out;
      }
    }
    return Ops.layerNorm(h, finalNormWeight, finalNormBias, eps);
  }

  private NDArray layer(
      int i, NDArray h, NDArray bias, KvBuffers cache, NDManager layerScope, double eps,
      int heads, int dim, long e) {
    Layer w = layers[i];
    NDArray x = Ops.layerNorm(h, w.ln1Weight, w.ln1Bias, eps);
    NDArray qkv = conv(x, w.qkv, w.qkvBias, w.attn + "c_attn");
    NDArray q = Ops.splitHeads(qkv.get(new NDIndex("..., :{}", e)), heads, dim);
    NDArray k = Ops.splitHeads(qkv.get(new NDIndex("..., {}:{}", e, 2 * e)), heads, dim);
    NDArray v = Ops.splitHeads(qkv.get(new NDIndex("..., {}:", 2 * e)), heads, dim);
    if (cache != null) {
      NDArray[] all = cache.update(i, k, v, layerScope);
      k = all[0];
      v = all[1];
    }
    NDArray attended = Ops.attention(q, k, v, bias, scale);
    NDArray mid = h.add(conv(attended, w.proj, w.projBias, w.attn + "c_proj"));
    x = Ops.layerNorm(mid, w.ln2Weight, w.ln2Bias, eps);
    NDArray inner = Ops.geluTanh(conv(x, w.fc, w.fcBias, w.mlp + "c_fc"));
    return mid.add(conv(inner, w.out, w.outBias, w.mlp + "c_proj"));
  }

  private NDArray conv(NDArray x, NDArray weight, NDArray bias, String module) {
    return lora.plus(Ops.conv1d(x, weight, bias), module, x);
  }
}
