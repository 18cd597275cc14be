package dev.rlhf4j.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintTest {
  @TempDir Path tmp;

  private Path model(String name) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir.resolve("shards"));
    Files.writeString(dir.resolve("config.json"), "{\"hidden_size\":8}");
    Files.write(dir.resolve("shards/model-1.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    return dir;
  }

  @Test
  void ofPath_namesEveryFileRelativelyWithItsSha256AndSize() throws IOException {
    Fingerprint f = Fingerprint.ofPath(model("m"));

    assertThat(f.parts()).containsOnlyKeys("config.json", "shards/model-1.safetensors");
    // sha256 of the bytes 1..8
    assertThat(f.parts().get("shards/model-1.safetensors"))
        .isEqualTo(
            "sha256:66840dda154e8a113c31dd0ad32f7f3a366a80e8136979d8f5a101d3d29d6f72, 8 bytes");
    assertThat(f.digest()).startsWith("sha256:").hasSize(7 + 64);
  }

  @Test
  void ofPath_sameFilesElsewhere_isEqual() throws IOException {
    assertThat(Fingerprint.ofPath(model("a"))).isEqualTo(Fingerprint.ofPath(model("b")));
    assertThat(Fingerprint.ofPath(model("a")).digest())
        .isEqualTo(Fingerprint.ofPath(model("b")).digest());
  }

  @Test
  void ofPath_aFileReplacedBySameSizeBytes_differsAndIsNamed() throws IOException {
    Path dir = model("m");
    Fingerprint before = Fingerprint.ofPath(dir);
    Files.write(dir.resolve("shards/model-1.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 9});

    Fingerprint after = Fingerprint.ofPath(dir);

    assertThat(after).isNotEqualTo(before);
    assertThat(after.digest()).isNotEqualTo(before.digest());
    assertThat(after.differencesFrom(before))
        .singleElement()
        .asString()
        .startsWith("shards/model-1.safetensors: recorded sha256:66840dda")
        .contains(", 8 bytes, now sha256:")
        .endsWith(", 8 bytes");
  }

  @Test
  void ofPath_addedOrRenamedFiles_areListedAsAbsentOnOneSide() throws IOException {
    Path dir = model("m");
    Fingerprint before = Fingerprint.ofPath(dir);
    Files.move(dir.resolve("config.json"), dir.resolve("config2.json"));

    assertThat(Fingerprint.ofPath(dir).differencesFrom(before))
        .containsExactly(
            "config.json: recorded " + before.parts().get("config.json") + ", now (absent)",
            "config2.json: recorded (absent), now " + before.parts().get("config.json"));
  }

  @Test
  void ofPath_skipsHiddenFilesAndFolders() throws IOException {
    Path dir = model("m");
    Fingerprint before = Fingerprint.ofPath(dir);
    Files.createDirectories(dir.resolve(".cache/huggingface"));
    Files.writeString(dir.resolve(".cache/huggingface/download.lock"), "x");
    Files.writeString(dir.resolve(".DS_Store"), "x");

    assertThat(Fingerprint.ofPath(dir)).isEqualTo(before);
  }

  @Test
  void ofPath_ofAFile_hasOnePartNamedByTheFile() throws IOException {
    Path dir = model("m");
    assertThat(Fingerprint.ofPath(dir.resolve("config.json")).parts())
        .containsOnlyKeys("config.json");
  }

  @Test
  void ofPath_refusesAMissingPathAndAnEmptyDirectory() throws IOException {
    assertThatThrownBy(() -> Fingerprint.ofPath(tmp.resolve("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot fingerprint " + tmp.resolve("nope") + ": no such file or directory");
    Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> Fingerprint.ofPath(tmp.resolve("empty")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot fingerprint " + tmp.resolve("empty") + ": it holds no file");
  }

  @Test
  void with_addsSettingsAndPrefixedParts() throws IOException {
    Fingerprint files = Fingerprint.ofPath(model("m"));
    Fingerprint wrapper =
        new Fingerprint(new TreeMap<>(Map.of("setting:lambda", "0.01"))).with("model/", files);

    assertThat(wrapper.parts())
        .containsOnlyKeys(
            "setting:lambda", "model/config.json", "model/shards/model-1.safetensors");
    assertThat(files.with("setting:maxLength", "2048").differencesFrom(
            files.with("setting:maxLength", "1024")))
        .containsExactly("setting:maxLength: recorded 1024, now 2048");
    assertThatThrownBy(() -> files.with("config.json", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the fingerprint already has a part config.json");
  }

  @Test
  void constructor_refusesNoPartsAndBlankNames() {
    assertThatThrownBy(() -> new Fingerprint(new TreeMap<>()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a fingerprint needs at least one part");
    assertThatThrownBy(() -> new Fingerprint(new TreeMap<>(Map.of(" ", "x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a part name must not be blank");
  }
}
