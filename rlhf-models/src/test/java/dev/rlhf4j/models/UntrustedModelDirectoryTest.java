package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.models.checkpoint.CheckpointException;
import dev.rlhf4j.models.checkpoint.SafetensorsWriter;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.ModelConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model directory from a hub is untrusted: config.json's sizes are checked against the
 * checkpoint before anything is planned or allocated, and damaged weights are refused.
 */
class UntrustedModelDirectoryTest {
  @TempDir Path dir;

  @Test
  void hugeLayerCount_withATwoLayerCheckpoint_failsBeforeAllocating() throws IOException {
    save(TinyConfigs.llama(), Map.of());
    editConfig("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 1000000");
    assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining(dir.resolve("config.json").toAbsolutePath()
            + ": num_hidden_layers must be in [1, 1024] but was 1000000");
  }

  @Test
  void layerCountWithinBounds_butNotTheCheckpoints_namesBothCounts() throws IOException {
    save(TinyConfigs.llama(), Map.of());
    editConfig("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 900");
    assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("config.json declares num_hidden_layers = 900 but the checkpoint"
            + " holds 2 layers (indices 0..1)");
  }

  @Test
  void hugeVocabulary_failsOnTheBound() throws IOException {
    save(TinyConfigs.llama(), Map.of());
    editConfig("\"vocab_size\" : 61", "\"vocab_size\" : 2000000000");
    assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("vocab_size must be in [1, 16777216] but was 2000000000");
  }

  @Test
  void specialTokenIdsOutsideTheVocabulary_nameTheFileAndField() throws IOException {
    save(TinyConfigs.llama(), Map.of());
    String config = Files.readString(dir.resolve("config.json"));
    for (String field : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
      String edited = config.replaceAll("\"" + field + "\" : [0-9]+", "\"" + field + "\" : 61");
      assertThat(edited).isNotEqualTo(config);
      Files.writeString(dir.resolve("config.json"), edited);
      assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
          .as(field)
          .isInstanceOf(ModelConfigException.class)
          .hasMessageContaining(dir.resolve("config.json").toAbsolutePath() + ": " + field
              + " must be a token id in [0, vocab_size = 61) but was 61");
    }
  }

  @Test
  void missingConfigJson_isAConfigErrorNamingTheFile() throws IOException {
    save(TinyConfigs.llama(), Map.of());
    Files.delete(dir.resolve("config.json"));
    assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
        .isInstanceOf(ModelConfigException.class)
        .hasMessage(dir.resolve("config.json").toAbsolutePath() + ": no such file; a Hugging Face"
            + " model directory needs its config.json (download it with the weights)");
  }

  @Test
  void nanOrInfiniteWeights_areRefusedNamingTheTensor() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      save(TinyConfigs.llama(), Map.of("model.layers.1.mlp.up_proj.weight", bad));
      assertThatThrownBy(() -> CausalLm.load(dir, ModelOptions.cpu()))
          .as("%s", bad)
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("tensor 'model.layers.1.mlp.up_proj.weight' holds "
              + (Float.isNaN(bad) ? "1 NaN and 0 infinite" : "0 NaN and 1 infinite")
              + " values of 1536")
          .hasMessageContaining("ModelOptions.withoutWeightScan()");
      // the documented opt-out loads it
      try (CausalLm lm = CausalLm.load(dir, ModelOptions.cpu().withoutWeightScan())) {
        assertThat(lm.config().numLayers()).isEqualTo(2);
      }
    }
  }

  /** Saves a random model with one element of each named tensor set to the given value. */
  private void save(ModelConfig config, Map<String, Float> poison) {
    try (CausalLm lm = CausalLm.randomInit(config, 4, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>(lm.stateDict(manager));
      poison.forEach((name, value) -> {
        NDArray t = tensors.get(name);
        float[] data = t.toFloatArray();
        data[7] = value;
        tensors.put(name, manager.create(data, t.getShape()));
      });
      SafetensorsWriter.builder().build().write(dir, tensors);
      config.write(dir.resolve("config.json"));
    }
  }

  private void editConfig(String from, String to) throws IOException {
    Path file = dir.resolve("config.json");
    String text = Files.readString(file);
    assertThat(text).contains(from);
    Files.writeString(file, text.replace(from, to));
  }
}
