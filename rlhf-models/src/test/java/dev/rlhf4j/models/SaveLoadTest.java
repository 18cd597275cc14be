package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.models.TinyConfigs.Named;
import dev.rlhf4j.models.checkpoint.Checkpoint;
import dev.rlhf4j.models.checkpoint.CheckpointException;
import dev.rlhf4j.models.checkpoint.SafetensorsWriter;
import dev.rlhf4j.models.checkpoint.StorageType;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** save(dir) then load(dir): same config, same tensors, same logits. */
class SaveLoadTest {
  @TempDir Path dir;

  static Stream<Named> configs() {
    return TinyConfigs.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void saveThenLoad_givesIdenticalLogits(Named named) {
    long[][] mask = {Batches.mask(6, 0, 0), Batches.mask(6, 2, 0)};
    long[][] ids = Batches.ids(2, named.config().vocabSize(), mask);
    try (CausalLm lm = CausalLm.randomInit(named.config(), 4, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      lm.save(dir);
      try (CausalLm loaded = CausalLm.load(dir, ModelOptions.cpu())) {
        assertThat(loaded.config()).isEqualTo(named.config());
        assertThat(loaded.origin()).contains(dir);
        NDArray a = lm.forward(manager.create(ids), manager.create(mask)).logits();
        NDArray b = loaded.forward(manager.create(ids), manager.create(mask)).logits();
        assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
      }
    }
  }

  @Test
  void loadFrozen_givesTheSameLogitsWithoutGradients() {
    long[][] mask = {Batches.mask(5, 1, 0)};
    long[][] ids = Batches.ids(1, TinyConfigs.qwen2Tied().vocabSize(), mask);
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.qwen2Tied(), 6, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      lm.save(dir);
      try (CausalLm frozen = CausalLm.loadFrozen(dir, ModelOptions.cpu())) {
        assertThat(frozen.isTrainable()).isFalse();
        assertThat(frozen.parameters().values()).noneMatch(p -> p.hasGradient());
        NDArray a = lm.forward(manager.create(ids), manager.create(mask)).logits();
        NDArray b = frozen.forward(manager.create(ids), manager.create(mask)).logits();
        assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
      }
    }
  }

  @Test
  void save_writesHuggingFaceNamesAndOmitsTiedHead() throws IOException {
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.gpt2(), 4, ModelOptions.cpu())) {
      lm.save(dir);
    }
    assertThat(dir.resolve("model.safetensors")).exists();
    try (Checkpoint checkpoint = Checkpoint.open(dir)) {
      assertThat(checkpoint.names())
          .contains("transformer.h.0.attn.c_attn.weight", "transformer.wpe.weight")
          .doesNotContain("lm_head.weight");
      assertThat(checkpoint.info("transformer.h.1.mlp.c_fc.weight").shape())
          .containsExactly(32L, 128L);
    }
    String json = Files.readString(dir.resolve("config.json"));
    assertThat(json)
        .contains("\"GPT2LMHeadModel\"", "\"n_embd\" : 32", "\"torch_dtype\" : \"float32\"");
  }

  @Test
  void saveBf16_thenLoad_isCloseAndSaysBfloat16() throws IOException {
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.llama(), 4, ModelOptions.cpu())) {
      lm.save(dir, StorageType.BF16);
      try (CausalLm loaded = CausalLm.load(dir, ModelOptions.cpu())) {
        float[] original = lm.parameters().get("model.norm.weight").toFloatArray();
        float[] rounded =
            loaded.parameters().get("model.layers.0.self_attn.q_proj.weight").toFloatArray();
        assertThat(original).containsOnly(1f);
        float[] exact =
            lm.parameters().get("model.layers.0.self_attn.q_proj.weight").toFloatArray();
        for (int i = 0; i < exact.length; i++) {
          assertThat(rounded[i]).isCloseTo(exact[i], org.assertj.core.data.Offset.offset(
              Math.abs(exact[i]) / 128 + 1e-30f));
        }
      }
    }
    assertThat(Files.readString(dir.resolve("config.json"))).contains("\"bfloat16\"");
  }

  @Test
  void load_copiesTokenizerFilesOnSave(@TempDir Path second) throws IOException {
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.qwen2Tied(), 4, ModelOptions.cpu())) {
      lm.save(dir);
    }
    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {}}");
    Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
    try (CausalLm loaded = CausalLm.load(dir, ModelOptions.cpu());
        CausalLm frozen = loaded.copyFrozen()) {
      frozen.save(second);
    }
    assertThat(second.resolve("tokenizer.json")).hasContent("{\"model\": {}}");
    assertThat(second.resolve("tokenizer_config.json")).exists();
    assertThat(second.resolve("model.safetensors")).exists();
  }

  @Test
  void load_misShapedTensor_failsNamingTensorAndShapes() {
    writeTampered(
        TinyConfigs.llama(),
        (tensors, manager) ->
            tensors.put(
                "model.layers.1.mlp.up_proj.weight",
                manager.zeros(new ai.djl.ndarray.types.Shape(47, 32))));
    assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("'model.layers.1.mlp.up_proj.weight'")
        .hasMessageContaining("expected (48, 32) but found (47, 32)");
  }

  @Test
  void load_missingTensor_failsNamingTensor() {
    writeTampered(TinyConfigs.llama(), (tensors, manager) -> tensors.remove("model.norm.weight"));
    assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("missing tensor 'model.norm.weight' (expected shape (32))");
  }

  @Test
  void load_gpt2WithoutTransformerPrefix_isAccepted() {
    writeTampered(
        TinyConfigs.gpt2(),
        (tensors, manager) -> {
          Map<String, NDArray> renamed = new LinkedHashMap<>();
          tensors.forEach((k, v) -> renamed.put(k.substring("transformer.".length()), v));
          renamed.put("h.0.attn.bias", manager.ones(new ai.djl.ndarray.types.Shape(1, 1, 4, 4)));
          tensors.clear();
          tensors.putAll(renamed);
        });
    try (CausalLm loaded = CausalLm.load(dir, ModelOptions.cpu())) {
      assertThat(loaded.parameters()).containsKey("transformer.h.0.attn.c_attn.weight");
    }
  }

  @Test
  void load_classifierConfigIntoCausalLm_failsPointingToSequenceClassifier() {
    ModelConfig config =
        TinyConfigs.llama().withArchitecture(Architecture.LLAMA_SEQUENCE_CLASSIFICATION);
    try (SequenceClassifier rm = SequenceClassifier.randomInit(config, 1, ModelOptions.cpu())) {
      rm.save(dir);
    }
    assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use SequenceClassifier");
    try (SequenceClassifier loaded = SequenceClassifier.load(dir, ModelOptions.cpu())) {
      assertThat(loaded.parameters().get("score.weight").getShape().getShape())
          .containsExactly(2, 32);
    }
  }

  @Test
  void save_givesTheWeightsTheSameFileModeAsConfigJson() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.llama(), 4, ModelOptions.cpu())) {
      lm.save(dir);
    }
    // createTempFile made the weights 0600 while config.json got the umask's mode (0644)
    assertThat(Files.getPosixFilePermissions(dir.resolve("model.safetensors")))
        .isEqualTo(Files.getPosixFilePermissions(dir.resolve("config.json")));
  }

  /** Saves a random model of {@code config} with its tensors edited by {@code edit}. */
  private void writeTampered(
      ModelConfig config,
      java.util.function.BiConsumer<Map<String, NDArray>, NDManager> edit) {
    try (CausalLm lm = CausalLm.randomInit(config, 4, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>(lm.stateDict(manager));
      edit.accept(tensors, manager);
      SafetensorsWriter.builder().build().write(dir, tensors);
      config.write(dir.resolve("config.json"));
    }
  }
}
