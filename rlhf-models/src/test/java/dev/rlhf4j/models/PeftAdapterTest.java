package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.models.checkpoint.CheckpointException;
import dev.rlhf4j.models.checkpoint.SafetensorsFile;
import dev.rlhf4j.models.checkpoint.SafetensorsWriter;
import dev.rlhf4j.models.checkpoint.StorageType;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.ModelFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEFT adapter directories: PEFT's exact layout in, the same layout out, merge_and_unload. */
class PeftAdapterTest {
  private static final double TOLERANCE = 1e-5;

  @TempDir Path dir;

  /**
   * adapter_config.json as peft 0.13 writes it for a CAUSAL_LM LoRA (every key it emits), with
   * r 4, alpha 8 on q_proj and v_proj.
   */
  private static String peftConfigJson(boolean fanInFanOut, String targets) {
    return """
        {
          "alpha_pattern": {},
          "auto_mapping": null,
          "base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M",
          "bias": "none",
          "fan_in_fan_out": %s,
          "inference_mode": true,
          "init_lora_weights": true,
          "layer_replication": null,
          "layers_pattern": null,
          "layers_to_transform": null,
          "loftq_config": {},
          "lora_alpha": 8,
          "lora_dropout": 0.05,
          "megatron_config": null,
          "megatron_core": "megatron.core",
          "modules_to_save": null,
          "peft_type": "LORA",
          "r": 4,
          "rank_pattern": {},
          "revision": null,
          "target_modules": [%s],
          "task_type": "CAUSAL_LM",
          "use_dora": false,
          "use_rslora": false
        }
        """.formatted(fanInFanOut, targets);
  }

  /**
   * Writes a PEFT-layout adapter for {@code base} on {@code modules} with random A and B (B not
   * zero, so the adapter changes the logits); returns the tensors by PEFT name as host floats.
   */
  private static Map<String, float[]> writePeftFixture(
      Path directory, CausalLm base, List<String> modules, NDManager manager) throws IOException {
    boolean gpt2 = base.config().family() == ModelFamily.GPT2;
    String targets = String.join(", ", modules.stream().map(m -> "\"" + m + "\"").toList());
    Files.createDirectories(directory);
    Files.writeString(directory.resolve("adapter_config.json"), peftConfigJson(gpt2, targets));
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    Map<String, float[]> host = new LinkedHashMap<>();
    long seed = 100;
    for (Map.Entry<String, NDArray> e : base.parameters().entrySet()) {
      String name = e.getKey();
      String module = name.replaceAll("\\.weight$", "");
      String last = module.substring(module.lastIndexOf('.') + 1);
      if (!name.endsWith(".weight") || !modules.contains(last) || module.startsWith("lm_head")) {
        continue;
      }
      Shape w = e.getValue().getShape();
      long in = gpt2 ? w.get(0) : w.get(1);
      long out = gpt2 ? w.get(1) : w.get(0);
      manager.getEngine().setRandomSeed((int) seed++);
      NDArray a = manager.randomUniform(-0.3f, 0.3f, new Shape(4, in));
      NDArray b = manager.randomNormal(0, 0.2f, new Shape(out, 4), DataType.FLOAT32);
      tensors.put("base_model.model." + module + ".lora_A.weight", a);
      tensors.put("base_model.model." + module + ".lora_B.weight", b);
      host.put(module + ".lora_A.weight", a.toFloatArray());
      host.put(module + ".lora_B.weight", b.toFloatArray());
    }
    SafetensorsWriter.builder().build()
        .writeFile(directory.resolve("adapter_model.safetensors"), tensors);
    return host;
  }

  @Test
  void peftLayoutFixture_loadsAndMatchesHandMergedWeights_llamaAndGpt2() throws IOException {
    for (ModelConfig config : List.of(TinyConfigs.llama(), TinyConfigs.gpt2())) {
      boolean gpt2 = config.family() == ModelFamily.GPT2;
      List<String> modules = gpt2 ? List.of("c_attn", "c_proj") : List.of("q_proj", "v_proj");
      Path adapterDir = dir.resolve(config.architecture().hfName());
      try (NDManager manager = NDManager.newBaseManager();
          CausalLm lm = CausalLm.randomInit(config, 21)) {
        Map<String, float[]> fixture = writePeftFixture(adapterDir, lm, modules, manager);
        Map<String, NDArray> state = lm.stateDict(manager);
        LoraConfig loaded = PeftAdapter.load(lm, adapterDir);
        assertThat(loaded).isEqualTo(new LoraConfig(4, 8, 0.05, modules));
        // merge by hand, independently of the library: W[out,in] += 2 · B A (GPT-2: transposed)
        Map<String, NDArray> merged = new LinkedHashMap<>(state);
        for (String name : state.keySet()) {
          String module = name.replaceAll("\\.weight$", "");
          float[] a = fixture.get(module + ".lora_A.weight");
          if (a == null) {
            continue;
          }
          float[] b = fixture.get(module + ".lora_B.weight");
          float[] w = state.get(name).toFloatArray();
          long[] shape = state.get(name).getShape().getShape();
          int in = (int) (a.length / 4);
          int out = (int) (b.length / 4);
          for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
              double sum = 0;
              for (int k = 0; k < 4; k++) {
                sum += (double) b[o * 4 + k] * a[k * in + i];
              }
              int at = gpt2 ? i * out + o : o * in + i;
              w[at] += (float) (2.0 * sum);
            }
          }
          merged.put(name, manager.create(w, new Shape(shape)));
        }
        long[][] mask = {Batches.mask(7, 0, 0), Batches.mask(7, 3, 0)};
        NDArray ids = manager.create(Batches.ids(8, config.vocabSize(), mask));
        NDArray m = manager.create(mask);
        double[] withAdapter = toDoubles(lm.forward(ids, m).logits());
        try (CausalLm byHand = CausalLm.fromStateDict(config, merged, ModelOptions.cpu())) {
          double[] expected = toDoubles(byHand.forward(ids, m).logits());
          assertThat(maxAbsDiff(withAdapter, expected)).as("adapter moved logits")
              .isLessThan(TOLERANCE);
          try (CausalLm base = CausalLm.fromStateDict(config, state, ModelOptions.cpu())) {
            assertThat(maxAbsDiff(toDoubles(base.forward(ids, m).logits()), expected))
                .as("the fixture changes the logits").isGreaterThan(1e-2);
          }
        }
        // merge_and_unload: a plain HF directory with the same logits
        Path mergedDir = dir.resolve(config.architecture().hfName() + "-merged");
        PeftAdapter.saveMerged(lm, mergedDir, StorageType.F32);
        assertThat(mergedDir.resolve("adapter_config.json")).doesNotExist();
        try (CausalLm reloaded = CausalLm.loadFrozen(mergedDir)) {
          assertThat(reloaded.loraConfig()).isEmpty();
          assertThat(maxAbsDiff(toDoubles(reloaded.forward(ids, m).logits()), withAdapter))
              .isLessThan(TOLERANCE);
        }
        // merged in memory, as the loop's sampler does: no adapter attached, the same logits
        try (CausalLm frozen = CausalLm.fromStateDict(config, state, ModelOptions.cpu())) {
          assertThat(PeftAdapter.loadMerged(frozen, adapterDir)).isEqualTo(loaded);
          assertThat(frozen.loraConfig()).isEmpty();
          assertThat(maxAbsDiff(toDoubles(frozen.forward(ids, m).logits()), withAdapter))
              .isLessThan(TOLERANCE);
        }
      }
    }
  }

  @Test
  void save_writesPeftNamesAndConfig_andLoadsBackExactly() throws IOException {
    ModelConfig config = TinyConfigs.qwen2Tied();
    try (NDManager manager = NDManager.newBaseManager();
        CausalLm lm = CausalLm.randomInit(config, 5);
        CausalLm other = CausalLm.randomInit(config, 5)) {
      lm.addLora(new LoraConfig(2, 4, 0.1, List.of("q_proj", "down_proj")), 3);
      for (Map.Entry<String, NDArray> e : lm.loraParameters().entrySet()) {
        e.getValue().addi(0.01f);
      }
      PeftAdapter.save(lm, dir);
      String json = Files.readString(dir.resolve("adapter_config.json"));
      assertThat(json).contains("\"peft_type\" : \"LORA\"", "\"r\" : 2", "\"lora_alpha\" : 4.0",
          "\"lora_dropout\" : 0.1", "\"bias\" : \"none\"", "\"task_type\" : \"CAUSAL_LM\"",
          "\"fan_in_fan_out\" : false", "\"base_model_name_or_path\" : null");
      try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("adapter_model.safetensors"))) {
        assertThat(file.names()).contains(
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
            "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight")
            .hasSize(4 * config.numLayers());
        assertThat(file.info("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight")
            .djlShape()).isEqualTo(new Shape(2, config.intermediateSize()));
      }
      PeftAdapter.load(other, dir);
      long[][] mask = {Batches.mask(5, 0, 0)};
      NDArray ids = manager.create(Batches.ids(3, config.vocabSize(), mask));
      NDArray m = manager.create(mask);
      assertThat(other.forward(ids, m).logits().toFloatArray())
          .containsExactly(lm.forward(ids, m).logits().toFloatArray());
    }
  }

  @Test
  void adapterDirectory_loadsOnItsBase_attachedOrMerged_orSaysWhatToDo() throws IOException {
    ModelConfig config = TinyConfigs.llama();
    Path adapterDir = dir.resolve("adapter");
    Path baseDir = dir.resolve("base");
    try (NDManager manager = NDManager.newBaseManager();
        CausalLm lm = CausalLm.randomInit(config, 5)) {
      lm.save(baseDir);
      writePeftFixture(adapterDir, lm, List.of("q_proj", "v_proj"), manager);
      Path cfg = adapterDir.resolve("adapter_config.json");
      String hub = Files.readString(cfg);
      assertThatThrownBy(() -> CausalLm.load(adapterDir))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("'HuggingFaceTB/SmolLM2-135M', which is not a local directory");
      Files.writeString(cfg, hub.replace("\"HuggingFaceTB/SmolLM2-135M\"", "null"));
      assertThatThrownBy(() -> CausalLm.loadFrozen(adapterDir))
          .isInstanceOf(CheckpointException.class).hasMessageContaining("names no base model");
      Files.writeString(cfg, hub.replace("HuggingFaceTB/SmolLM2-135M", baseDir.toString()));
      assertThat(PeftAdapter.baseModel(adapterDir)).contains(baseDir);
      assertThat(PeftAdapter.baseModel(baseDir)).isEmpty();

      long[][] mask = {Batches.mask(6, 0, 0), Batches.mask(6, 2, 0)};
      NDArray ids = manager.create(Batches.ids(8, config.vocabSize(), mask));
      NDArray m = manager.create(mask);
      PeftAdapter.load(lm, adapterDir);
      double[] expected = toDoubles(lm.forward(ids, m).logits());
      try (CausalLm attached = CausalLm.load(adapterDir);
          CausalLm merged = CausalLm.loadFrozen(adapterDir)) {
        assertThat(attached.loraConfig()).isPresent();
        assertThat(attached.origin()).contains(baseDir);
        assertThat(merged.loraConfig()).isEmpty();
        assertThat(merged.isTrainable()).isFalse();
        assertThat(maxAbsDiff(toDoubles(attached.forward(ids, m).logits()), expected)).isZero();
        assertThat(maxAbsDiff(toDoubles(merged.forward(ids, m).logits()), expected))
            .isLessThan(TOLERANCE);
      }
    }
  }

  @Test
  void load_refusesUntrustedFiles_namingFileAndTensor() throws IOException {
    ModelConfig config = TinyConfigs.llama();
    try (NDManager manager = NDManager.newBaseManager();
        CausalLm lm = CausalLm.randomInit(config, 5)) {
      writePeftFixture(dir, lm, List.of("q_proj", "v_proj"), manager);
      Path cfg = dir.resolve("adapter_config.json");
      String good = Files.readString(cfg);

      Files.writeString(cfg, good.replace("\"r\": 4", "\"r\": 8"));
      assertThatThrownBy(() -> PeftAdapter.load(lm, dir))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("adapter_model.safetensors")
          .hasMessageContaining("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
          .hasMessageContaining("(r = 8)");
      Files.writeString(cfg, good.replace("\"r\": 4", "\"r\": 100000"));
      assertThatThrownBy(() -> PeftAdapter.readConfig(dir))
          .isInstanceOf(CheckpointException.class).hasMessageContaining("adapter_config.json")
          .hasMessageContaining("rank must be in [1, 4096] but was 100000");
      Files.writeString(cfg, good.replace("\"LORA\"", "\"IA3\""));
      assertThatThrownBy(() -> PeftAdapter.readConfig(dir)).hasMessageContaining("peft_type");
      Files.writeString(cfg, good.replace("\"use_dora\": false", "\"use_dora\": true"));
      assertThatThrownBy(() -> PeftAdapter.readConfig(dir)).hasMessageContaining("use_dora");
      Files.writeString(cfg, good.replace("\"fan_in_fan_out\": false", "\"fan_in_fan_out\": true"));
      assertThatThrownBy(() -> PeftAdapter.load(lm, dir)).hasMessageContaining("fan_in_fan_out");
      Files.writeString(cfg, good.replace("\"q_proj\", \"v_proj\"", "\"q_proj\""));
      assertThatThrownBy(() -> PeftAdapter.load(lm, dir))
          .hasMessageContaining("holds tensors the model has no place for")
          .hasMessageContaining("v_proj.lora_A.weight");
      assertThat(lm.loraConfig()).as("nothing attached after a refusal").isEmpty();
      Files.writeString(cfg, good);
      PeftAdapter.load(lm, dir);
      assertThat(lm.loraConfig()).isPresent();
    }
  }

  private static double[] toDoubles(NDArray array) {
    float[] f = array.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static double maxAbsDiff(double[] a, double[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
