package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.models.config.ModelConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** LoRA adapters and freezing on tiny models. */
class LoraTest {
  private static final double STEP = 1e-6;

  @Test
  void freshAdapter_leavesLogitsUnchanged_llamaAndGpt2() {
    for (ModelConfig config : List.of(TinyConfigs.qwen2Tied(), TinyConfigs.gpt2())) {
      List<String> targets =
          config.family() == dev.rlhf4j.models.config.ModelFamily.GPT2
              ? LoraConfig.GPT2_ALL_LINEAR
              : LoraConfig.LLAMA_ALL_LINEAR;
      try (CausalLm lm = CausalLm.randomInit(config, 3);
          NDManager manager = NDManager.newBaseManager()) {
        long[][] mask = {Batches.mask(6, 0, 0), Batches.mask(6, 2, 0)};
        NDArray ids = manager.create(Batches.ids(1, config.vocabSize(), mask));
        NDArray m = manager.create(mask);
        float[] before = lm.forward(ids, m).logits().toFloatArray();
        lm.addLora(new LoraConfig(4, 8, 0, targets), 11);
        assertThat(lm.loraParameters()).isNotEmpty();
        float[] after = lm.forward(ids, m).logits().toFloatArray();
        assertThat(after).as(config.architecture().hfName()).containsExactly(before);
      }
    }
  }

  @Test
  void addLora_shapesScaleAndInit_matchPeft() {
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.qwen2Tied(), 3)) {
      lm.addLora(LoraConfig.of(4, 16, "q_proj", "down_proj"), 5);
      ModelConfig c = lm.config();
      Map<String, NDArray> p = lm.loraParameters();
      assertThat(p).hasSize(4 * c.numLayers());
      NDArray a = p.get("model.layers.0.self_attn.q_proj.lora_A.weight");
      NDArray b = p.get("model.layers.1.mlp.down_proj.lora_B.weight");
      assertThat(a.getShape().getShape()).containsExactly(4, c.hiddenSize());
      assertThat(b.getShape().getShape()).containsExactly(c.hiddenSize(), 4);
      double bound = 1 / Math.sqrt(c.hiddenSize());
      float[] av = a.toFloatArray();
      double maxAbs = 0;
      for (float v : av) {
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
      assertThat(maxAbs).isLessThanOrEqualTo(bound).isGreaterThan(bound * 0.5);
      assertThat(lm.parameters().get("model.layers.0.mlp.down_proj.weight").getShape().get(1))
          .isEqualTo(p.get("model.layers.0.mlp.down_proj.lora_A.weight").getShape().get(1));
      assertThat(lm.trainableParameters()).isEqualTo(p);
      assertThat(lm.numTrainableParameters())
          .isEqualTo(c.numLayers() * (4L * c.hiddenSize() * 2 + 4L * (c.intermediateSize()
              + c.hiddenSize())));
      assertThat(lm.isTrainable()).isTrue();
      assertThat(LoraConfig.of(4, 16, "q_proj", "down_proj").parameterCount(c))
          .isEqualTo(lm.numTrainableParameters());
    }
    try (CausalLm gpt2 = CausalLm.randomInit(TinyConfigs.gpt2(), 3)) {
      LoraConfig all = new LoraConfig(3, 6, 0, LoraConfig.GPT2_ALL_LINEAR);
      gpt2.addLora(all, 1);
      assertThat(all.parameterCount(gpt2.config())).isEqualTo(gpt2.numTrainableParameters())
          .isPositive();
    }
  }

  @Test
  void loraGradients_matchFiniteDifferences_llamaAndGpt2() {
    for (ModelConfig config : List.of(TinyConfigs.qwen2Tied(), TinyConfigs.gpt2())) {
      boolean gpt2 = config.family() == dev.rlhf4j.models.config.ModelFamily.GPT2;
      try (CausalLm lm =
              CausalLm.randomInit(config, 9, ModelOptions.cpu().withDataType(DataType.FLOAT64));
          NDManager manager = NDManager.newBaseManager()) {
        lm.addLora(
            new LoraConfig(3, 6, 0, gpt2 ? LoraConfig.GPT2_ALL_LINEAR : LoraConfig.LLAMA_ALL_LINEAR),
            2);
        // B = 0 makes dLoss/dA vanish: give B values so both factors are checked
        for (Map.Entry<String, NDArray> e : lm.loraParameters().entrySet()) {
          if (e.getKey().endsWith("lora_B.weight")) {
            e.getValue().set(new NDIndex("..."),
                manager.randomNormal(0, 0.05f, e.getValue().getShape(), DataType.FLOAT64));
          }
        }
        long[][] mask = {Batches.mask(6, 0, 0), Batches.mask(6, 2, 0)};
        NDArray ids = manager.create(Batches.ids(4, config.vocabSize(), mask));
        NDArray m = manager.create(mask);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          collector.backward(loss(lm, ids, m));
        }
        for (NDArray base : lm.parameters().values()) {
          assertThat(base.hasGradient()).as("frozen base %s", base.getName()).isFalse();
        }
        String l0 = gpt2 ? "transformer.h.0." : "model.layers.0.";
        String l1 = gpt2 ? "transformer.h.1." : "model.layers.1.";
        List<String> names =
            gpt2
                ? List.of(l0 + "attn.c_attn.lora_A.weight", l1 + "attn.c_proj.lora_B.weight",
                    l0 + "mlp.c_fc.lora_A.weight", l1 + "mlp.c_proj.lora_B.weight")
                : List.of(l0 + "self_attn.q_proj.lora_A.weight", l1 + "self_attn.v_proj.lora_B.weight",
                    l0 + "mlp.gate_proj.lora_B.weight", l1 + "mlp.down_proj.lora_A.weight");
        for (String name : names) {
          NDArray parameter = lm.loraParameters().get(name);
          assertThat(parameter).as(name).isNotNull();
          long[] index = {1, 2};
          NDIndex at = new NDIndex(index);
          double analytic = parameter.getGradient().getDouble(index);
          double original = parameter.getDouble(index);
          parameter.set(at, original + STEP);
          double plus = loss(lm, ids, m).getDouble();
          parameter.set(at, original - STEP);
          double minus = loss(lm, ids, m).getDouble();
          parameter.set(at, original);
          double numeric = (plus - minus) / (2 * STEP);
          assertThat(Math.abs(numeric)).as("%s gradient is not trivially zero", name)
              .isGreaterThan(1e-8);
          assertThat(analytic)
              .as("d loss / d %s", name)
              .isCloseTo(numeric, Offset.offset(1e-6 * (1 + Math.abs(numeric))));
        }
      }
    }
  }

  /**
   * The adapter's scale is an operand autograd keeps for the backward pass; built from a Java
   * number without an owning copy it would live in a direct buffer the garbage collector frees
   * (see {@link OwnedArrays}), and the gradients would then read whatever reused that memory:
   * two identical LoRA DPO runs diverged after a few steps that way.
   */
  @Test
  void loraGradients_doNotChange_whenTheGarbageCollectorRunsBeforeBackward() throws Exception {
    ModelConfig config = TinyConfigs.llama();
    try (CausalLm lm = CausalLm.randomInit(config, 9);
        NDManager manager = NDManager.newBaseManager()) {
      lm.addLora(new LoraConfig(3, 6, 0, LoraConfig.LLAMA_ALL_LINEAR), 2);
      for (Map.Entry<String, NDArray> e : lm.loraParameters().entrySet()) {
        if (e.getKey().endsWith("lora_B.weight")) {
          e.getValue().set(new NDIndex("..."),
              manager.randomNormal(0, 0.05f, e.getValue().getShape(), DataType.FLOAT32));
        }
      }
      long[][] mask = {Batches.mask(6, 0, 0), Batches.mask(6, 2, 0)};
      NDArray ids = manager.create(Batches.ids(4, config.vocabSize(), mask));
      NDArray m = manager.create(mask);
      Map<String, float[]> expected = new java.util.HashMap<>();
      try (NDManager scope = manager.newSubManager()) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          collector.backward(loss(lm, ids, m));
        }
      }
      lm.loraParameters().forEach((n, p) -> expected.put(n, p.getGradient().toFloatArray()));
      for (int round = 0; round < 5; round++) {
        lm.loraParameters().values().forEach(p -> p.getGradient().subi(p.getGradient()));
        try (NDManager scope = manager.newSubManager();
            GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray loss = loss(lm, ids, m);
          for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
          }
          for (int i = 0; i < 2_000; i++) {
            scope.create(1000.0f + i).close(); // reuse what the collector freed
          }
          collector.backward(loss);
        }
        for (Map.Entry<String, NDArray> e : lm.loraParameters().entrySet()) {
          float[] got = e.getValue().getGradient().toFloatArray();
          float[] want = expected.get(e.getKey());
          for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).as("round %s: d loss / d %s[%s]", round, e.getKey(), i)
                .isCloseTo(want[i], Offset.offset(1e-6f * (1 + Math.abs(want[i]))));
          }
        }
      }
    }
  }

  @Test
  void trainingSteps_leaveBaseBitIdentical_andMoveTheAdapter() {
    ModelConfig config = TinyConfigs.llama();
    try (CausalLm lm = CausalLm.randomInit(config, 4);
        NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> before = lm.stateDict(manager);
      lm.addLora(new LoraConfig(4, 8, 0.1, LoraConfig.LLAMA_ALL_LINEAR), 1);
      lm.setAdapterTraining(true);
      long[][] mask = {Batches.mask(6, 0, 0), Batches.mask(6, 1, 0)};
      NDArray ids = manager.create(Batches.ids(5, config.vocabSize(), mask));
      NDArray m = manager.create(mask);
      float[] logitsBefore = lm.forward(ids, m).logits().toFloatArray();
      for (int step = 0; step < 3; step++) {
        try (NDManager scope = manager.newSubManager()) {
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(loss(lm, ids.duplicate(), m));
          }
          for (NDArray p : lm.trainableParameters().values()) {
            NDArray update = p.getGradient().mul(0.5);
            update.attach(scope);
            p.subi(update);
          }
        }
      }
      lm.setAdapterTraining(false);
      for (Map.Entry<String, NDArray> e : before.entrySet()) {
        assertThat(lm.parameters().get(e.getKey()).toFloatArray())
            .as(e.getKey()).containsExactly(e.getValue().toFloatArray());
        assertThat(lm.parameters().get(e.getKey()).hasGradient()).isFalse();
      }
      float[] trained = lm.forward(ids, m).logits().toFloatArray();
      assertThat(maxAbsDiff(trained, logitsBefore)).as("the adapter trained").isGreaterThan(1e-3);
      try (TransformerModel.AdapterOff off = lm.disableAdapter()) {
        assertThat(lm.forward(ids, m).logits().toFloatArray()).containsExactly(logitsBefore);
      }
      assertThat(lm.forward(ids, m).logits().toFloatArray()).containsExactly(trained);
    }
  }

  @Test
  void freeze_byPattern_allocatesNoGradientAndDropsFromTrainable() {
    ModelConfig config = TinyConfigs.llama();
    try (CausalLm lm = CausalLm.randomInit(config, 4);
        NDManager manager = NDManager.newBaseManager()) {
      List<String> frozen =
          lm.freeze(Pattern.compile("model\\.embed_tokens\\..*|model\\.layers\\.0\\..*"));
      assertThat(frozen).contains("model.embed_tokens.weight",
          "model.layers.0.self_attn.q_proj.weight").noneMatch(n -> n.startsWith("model.layers.1"));
      assertThat(lm.trainableParameters().keySet()).doesNotContainAnyElementsOf(frozen)
          .contains("model.layers.1.mlp.up_proj.weight");
      long[][] mask = {Batches.mask(5, 0, 0)};
      NDArray ids = manager.create(Batches.ids(2, config.vocabSize(), mask));
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(loss(lm, ids, manager.create(mask)));
      }
      for (String name : frozen) {
        assertThat(lm.parameters().get(name).hasGradient()).as(name).isFalse();
      }
      assertThat(lm.parameters().get("model.layers.1.mlp.up_proj.weight").getGradient()
          .abs().sum().getFloat()).isGreaterThan(0f);
      assertThatThrownBy(() -> lm.freeze(Pattern.compile("nothing\\..*")))
          .hasMessageContaining("matches no parameter");
    }
  }

  @Test
  void config_rejectsBadSettings_withTheValue() {
    assertThatThrownBy(() -> LoraConfig.of(0, 8, "q_proj")).hasMessageContaining("rank must be in [1, 4096] but was 0");
    assertThatThrownBy(() -> LoraConfig.of(4, -1, "q_proj")).hasMessageContaining("alpha");
    assertThatThrownBy(() -> LoraConfig.of(4, 8, "q_proj").withDropout(1))
        .hasMessageContaining("dropout must be in [0, 1) but was 1.0");
    assertThatThrownBy(() -> LoraConfig.of(4, 8, "qproj")).hasMessageContaining("unknown layer 'qproj'");
    assertThatThrownBy(() -> LoraConfig.of(4, 8)).hasMessageContaining("at least one");
    try (CausalLm gpt2 = CausalLm.randomInit(TinyConfigs.gpt2(), 1)) {
      assertThatThrownBy(() -> gpt2.addLora(LoraConfig.of(4, 8, "q_proj"), 1))
          .hasMessageContaining("match no linear layer").hasMessageContaining("c_attn");
      assertThatThrownBy(() -> gpt2.addLora(LoraConfig.of(4000, 8, "c_fc"), 1))
          .hasMessageContaining("exceeds the smaller side");
      gpt2.addLora(LoraConfig.of(2, 4, "c_proj"), 1);
      assertThatThrownBy(() -> gpt2.save(java.nio.file.Path.of("target", "never-written")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("save would drop")
          .hasMessageContaining("PeftAdapter.save(model, dir)");
      assertThat(java.nio.file.Path.of("target", "never-written")).doesNotExist();
      assertThat(gpt2.loraParameters()).containsKey("transformer.h.0.attn.c_proj.lora_A.weight")
          .containsKey("transformer.h.0.mlp.c_proj.lora_B.weight");
      assertThatThrownBy(() -> gpt2.addLora(LoraConfig.of(2, 4, "c_fc"), 1))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has");
    }
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  /** Mean next-token cross-entropy over real-token pairs (as in GradientCheckTest). */
  private static NDArray loss(CausalLm lm, NDArray ids, NDArray mask) {
    NDArray logProbs = lm.forward(ids, mask).logits().logSoftmax(-1);
    long t = ids.getShape().get(1);
    NDArray predicted = logProbs.get(new NDIndex(":, :{}", t - 1));
    NDArray targets = ids.get(new NDIndex(":, 1:"));
    NDArray picked = predicted.gather(targets.expandDims(-1), -1).squeeze(-1);
    NDArray weights =
        mask.get(new NDIndex(":, 1:"))
            .mul(mask.get(new NDIndex(":, :{}", t - 1)))
            .toType(logProbs.getDataType(), false);
    return picked.mul(weights).sum().neg().div(weights.sum());
  }
}
