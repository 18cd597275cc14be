package dev.rlhf4j.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.training.optim.internal.OptimizerStateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptimizerStateTest {
  private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();
  private static final int TOTAL = 12;
  private static final int SAVE_AT = 5;

  static {
    SHAPES.put("model.layers.0.self_attn.q_proj.weight", new Shape(4, 4));
    SHAPES.put("model.layers.0.input_layernorm.weight", new Shape(4));
    SHAPES.put("lm_head.weight", new Shape(7, 4));
  }

  @TempDir Path dir;
  private NDManager manager;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  private static AdamW.Builder settings() {
    return AdamW.builder(LearningRateSchedule.warmupCosine(1e-2, TOTAL, 0.1))
        .betas(0.9, 0.95)
        .weightDecay(0.1);
  }

  /** The gradients of step {@code s}, the same in every run. */
  private static Map<String, float[]> gradientsAt(Map<String, NDArray> params, int s) {
    return TestParameters.randomGradients(params, new Random(1000 + s));
  }

  private static void run(AdamW adamW, Map<String, NDArray> params, int from, int to) {
    for (int s = from; s < to; s++) {
      TestParameters.backward(params, gradientsAt(params, s));
      adamW.step(params);
    }
  }

  @Test
  void saveThenLoad_resumesBitForBit() {
    Map<String, NDArray> uninterrupted = TestParameters.normal(manager, SHAPES, 41);
    try (AdamW adamW = settings().build()) {
      run(adamW, uninterrupted, 0, TOTAL);
    }

    Map<String, NDArray> first = TestParameters.normal(manager, SHAPES, 41);
    Map<String, float[]> savedParameters;
    try (AdamW adamW = settings().build()) {
      run(adamW, first, 0, SAVE_AT);
      adamW.saveState(dir);
      savedParameters = TestParameters.values(first);
    }

    Map<String, NDArray> resumed = TestParameters.normal(manager, SHAPES, 99);
    resumed.forEach((name, p) -> p.set(savedParameters.get(name)));
    try (AdamW adamW = settings().build()) {
      adamW.loadState(dir);
      assertThat(adamW.stepCount()).isEqualTo(SAVE_AT);
      assertThat(adamW.learningRate()).isEqualTo(adamW.schedule().at(SAVE_AT));
      run(adamW, resumed, SAVE_AT, TOTAL);
      assertThat(adamW.stepCount()).isEqualTo(TOTAL);
    }

    for (String name : SHAPES.keySet()) {
      float[] expected = uninterrupted.get(name).toFloatArray();
      float[] actual = resumed.get(name).toFloatArray();
      for (int i = 0; i < expected.length; i++) {
        assertThat(Float.floatToRawIntBits(actual[i]))
            .as("%s[%s]", name, i)
            .isEqualTo(Float.floatToRawIntBits(expected[i]));
      }
    }
  }

  @Test
  void loadState_withoutTheMoments_wouldNotResumeExactly() {
    Map<String, NDArray> uninterrupted = TestParameters.normal(manager, SHAPES, 42);
    try (AdamW adamW = settings().build()) {
      run(adamW, uninterrupted, 0, TOTAL);
    }
    Map<String, NDArray> restarted = TestParameters.normal(manager, SHAPES, 42);
    try (AdamW adamW = settings().build()) {
      run(adamW, restarted, 0, SAVE_AT);
    }
    try (AdamW adamW = settings().build()) {
      run(adamW, restarted, SAVE_AT, TOTAL);
    }
    String name = "lm_head.weight";
    assertThat(restarted.get(name).toFloatArray())
        .isNotEqualTo(uninterrupted.get(name).toFloatArray());
  }

  private List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private Path dataFile() throws IOException {
    List<String> data = files().stream().filter(f -> f.endsWith(".bin")).toList();
    assertThat(data).hasSize(1);
    return dir.resolve(data.get(0));
  }

  @Test
  void saveState_twice_keepsOneDataFileAndTheIndexOfTheLatest() throws IOException {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 43);
    Files.writeString(dir.resolve(".optimizer-123.bin.tmp"), "left by a crashed write");
    try (AdamW adamW = settings().build()) {
      run(adamW, params, 0, 2);
      adamW.saveState(dir);
      run(adamW, params, 2, 3);
      adamW.saveState(dir);
    }
    assertThat(files()).hasSize(2).contains(OptimizerStateFiles.INDEX_FILE);
    assertThat(dataFile().getFileName().toString())
        .matches("optimizer-0000000003-[0-9a-f]{8}\\.bin");
    try (AdamW adamW = settings().build()) {
      adamW.loadState(dir);
      assertThat(adamW.stepCount()).isEqualTo(3);
      assertThat(adamW.decays("lm_head.weight")).isTrue();
      assertThat(adamW.decays("model.layers.0.input_layernorm.weight")).isFalse();
    }
  }

  @Test
  void loadState_damagedData_isRejected() throws IOException {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 44);
    try (AdamW adamW = settings().build()) {
      run(adamW, params, 0, 2);
      adamW.saveState(dir);
    }
    Path data = dataFile();
    byte[] bytes = Files.readAllBytes(data);
    bytes[17] ^= 1;
    Files.write(data, bytes);
    try (AdamW adamW = settings().build()) {
      assertThatThrownBy(() -> adamW.loadState(dir))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageContaining("CRC-32")
          .hasMessageContaining("the state is damaged");
    }
    Files.write(data, new byte[] {1, 2, 3});
    try (AdamW adamW = settings().build()) {
      assertThatThrownBy(() -> adamW.loadState(dir))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageContaining("has 3 bytes but its index says");
    }
  }

  @Test
  void loadState_missingOrForeignIndex_isRejected() throws IOException {
    try (AdamW adamW = settings().build()) {
      assertThatThrownBy(() -> adamW.loadState(dir))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageContaining("no optimizer state in")
          .hasMessageContaining("optimizer.json is missing");
    }
    Files.writeString(
        dir.resolve(OptimizerStateFiles.INDEX_FILE),
        "{\"format\":\"something-else\",\"version\":7}",
        StandardCharsets.UTF_8);
    try (AdamW adamW = settings().build()) {
      assertThatThrownBy(() -> adamW.loadState(dir))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageContaining("holds format something-else version 7");
    }
  }

  @Test
  void stateLifecycle_isChecked() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 45);
    try (AdamW adamW = settings().build()) {
      assertThatThrownBy(() -> adamW.saveState(dir))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("there is no state to save before the first step");
      run(adamW, params, 0, 1);
      adamW.saveState(dir);
      assertThatThrownBy(() -> adamW.loadState(dir))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("loadState must be called on a fresh AdamW, but this one has taken 1 steps");
    }
  }

  @Test
  void loadState_thenStepWithOtherParameters_isRejected() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 46);
    try (AdamW adamW = settings().build()) {
      run(adamW, params, 0, 1);
      adamW.saveState(dir);
    }
    Map<String, NDArray> other =
        TestParameters.normal(manager, Map.of("other.weight", new Shape(2, 2)), 47);
    try (AdamW adamW = settings().build()) {
      adamW.loadState(dir);
      TestParameters.backward(other, TestParameters.randomGradients(other, new Random(48)));
      assertThatThrownBy(() -> adamW.step(other))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown [other.weight]");
    }
    AdamW.zeroGradients(List.copyOf(other.values()));
  }
}
