package dev.rlhf4j.reward.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.reward.FileFixtures;
import dev.rlhf4j.reward.onnx.internal.ElementType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content fingerprint of {@link OnnxRewardModel} that the loop records: a copy of the model
 * directory fingerprints the same, and a model file changed at the same size is named.
 */
class OnnxRewardModelFingerprintTest {
  @TempDir Path dir;

  @Test
  void onnxRewardModel_weightsChangedAtTheSameSize_areNamed_andACopyIsTheSame()
      throws IOException {
    Path model = dir.resolve("onnx");
    Files.createDirectories(model);
    HandWrittenModels.sumOfIds(model, ElementType.FLOAT);
    Path copy = dir.resolve("copy").resolve("onnx");
    FileFixtures.copyTree(model, copy);

    Fingerprint original;
    try (OnnxRewardModel rm = OnnxRewardModel.builder(model).build()) {
      original = rm.fingerprint().orElseThrow();
    }
    try (OnnxRewardModel rm = OnnxRewardModel.builder(copy).build()) {
      assertThat(rm.fingerprint().orElseThrow().differencesFrom(original)).isEmpty();
    }

    Path onnx;
    try (Stream<Path> files = Files.list(model)) {
      onnx = files.filter(p -> p.toString().endsWith(".onnx")).findFirst().orElseThrow();
    }
    FileFixtures.flipAByte(onnx, 0);
    // the flipped byte may break the protobuf, so compare fingerprints without loading a session
    Fingerprint after = Fingerprint.ofPath(model);
    String name = model.relativize(onnx).toString();
    assertThat(after.differencesFrom(Fingerprint.ofPath(copy)))
        .singleElement()
        .asString()
        .startsWith(name + ": recorded sha256:");
    assertThat(original.parts()).containsKey(name);
  }
}
