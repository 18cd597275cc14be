package dev.rlhf4j.reward.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Rlhf4jException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model.onnx from a hub is untrusted: its external data must stay inside its directory. Each
 * hostile model here loads and scores with the data outside the directory when the check is
 * missing (ONNX Runtime follows any location).
 */
class OnnxExternalDataTest {
  @TempDir Path root;

  private static final List<long[]> IDS = List.of(new long[] {1, 2}, new long[] {3});

  @Test
  void dataInsideTheDirectory_loadsAndScores() {
    Path dir = HandWrittenModels.sumPlusExternalBias(root.resolve("m"), "weights/bias.bin");
    try (OnnxRewardModel model = OnnxRewardModel.builder(dir).build()) {
      assertThat(model.scoreIds(IDS)).containsExactly(3.5, 3.5);
    }
  }

  @Test
  void parentDirectoryLocation_isRefusedBeforeOnnxRuntimeOpensIt() {
    Path dir = HandWrittenModels.sumPlusExternalBias(root.resolve("a/m"), "../outside.bin");
    assertThat(root.resolve("a/outside.bin")).exists();
    assertThatThrownBy(() -> OnnxRewardModel.builder(dir).build())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("tensor 'bias' has external-data location '../outside.bin', which"
            + " climbs out with '..'")
        .hasMessageContaining("must be a relative file inside the model's directory");
  }

  @Test
  void absoluteLocation_isRefused_withoutSayingAnythingAboutTheFile() throws IOException {
    Path outside = root.resolve("elsewhere/secret.bin");
    Files.createDirectories(outside.getParent());
    Path dir = HandWrittenModels.sumPlusExternalBias(root.resolve("m"), outside.toString());
    long size = Files.size(outside);
    assertThatThrownBy(() -> OnnxRewardModel.builder(dir).build())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("location '" + outside + "', an absolute path")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("size", "" + size + " bytes"));
  }

  @Test
  void linkLeadingOutOfTheDirectory_isRefused() throws IOException {
    Path dir = HandWrittenModels.sumPlusExternalBias(root.resolve("m"), "bias.bin");
    Path outside = root.resolve("outside.bin");
    Files.move(dir.resolve("bias.bin"), outside);
    Files.createSymbolicLink(dir.resolve("bias.bin"), outside);
    assertThatThrownBy(() -> OnnxRewardModel.builder(dir).build())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("location 'bias.bin', which is a link leading outside the"
            + " directory");
    // a directory link inside the path is followed as well
    Path sub = HandWrittenModels.sumPlusExternalBias(root.resolve("n"), "sub/bias.bin");
    Path away = root.resolve("away");
    Files.move(sub.resolve("sub"), away);
    Files.createSymbolicLink(sub.resolve("sub"), away);
    assertThatThrownBy(() -> OnnxRewardModel.builder(sub).build())
        .hasMessageContaining("which is a link leading outside the directory");
  }

  @Test
  void hubCacheLayout_linksIntoBlobs_areAccepted() throws IOException {
    Path repo = root.resolve("models--org--rm");
    Path snapshot = HandWrittenModels.sumPlusExternalBias(
        repo.resolve("snapshots/0123abc"), "model.onnx.data");
    Path blob = repo.resolve("blobs/5f1e");
    Files.createDirectories(blob.getParent());
    Files.move(snapshot.resolve("model.onnx.data"), blob);
    Files.createSymbolicLink(snapshot.resolve("model.onnx.data"), Path.of("../../blobs/5f1e"));
    try (OnnxRewardModel model = OnnxRewardModel.builder(snapshot).build()) {
      assertThat(model.scoreIds(IDS)).containsExactly(3.5, 3.5);
    }
  }

  @Test
  void notAnOnnxFile_namesTheFile() throws IOException {
    Path dir = Files.createDirectories(root.resolve("junk"));
    // tag 0x0a (field 1, length-delimited) then a length far past the end of the file
    Files.write(dir.resolve("model.onnx"), new byte[] {0x3a, (byte) 0xff, 0x7f, 1, 2});
    assertThatThrownBy(() -> OnnxRewardModel.builder(dir).build())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("cannot read " + dir.resolve("model.onnx").toAbsolutePath()
            + " as an ONNX model");
  }
}
