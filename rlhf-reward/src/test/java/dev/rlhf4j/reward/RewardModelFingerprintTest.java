package dev.rlhf4j.reward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content fingerprints the loop records for the built-in reward models: the same files in
 * another place fingerprint the same (a moved run still resumes), and a weight file changed at the
 * same size does not (a swapped model is caught).
 */
class RewardModelFingerprintTest {
  @TempDir Path dir;

  private Path savedDjlModel() {
    Path saved = dir.resolve("rm");
    try (HfTokenizer tok =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(32, 2), 4, ModelOptions.cpu());
        DjlRewardModel rm = DjlRewardModel.of(model, tok).build()) {
      rm.save(saved);
    }
    return saved;
  }

  private static Fingerprint djlFingerprint(Path directory) {
    try (DjlRewardModel rm =
        RewardModels.djl(directory).modelOptions(ModelOptions.cpu()).build()) {
      return rm.fingerprint().orElseThrow();
    }
  }

  @Test
  void djlRewardModel_sameFilesElsewhere_fingerprintTheSame() {
    Path saved = savedDjlModel();
    Path moved = dir.resolve("elsewhere").resolve("rm");
    FileFixtures.copyTree(saved, moved);

    Fingerprint original = djlFingerprint(saved);
    Fingerprint copy = djlFingerprint(moved);

    assertThat(copy.differencesFrom(original)).isEmpty();
    assertThat(copy.digest()).isEqualTo(original.digest());
    assertThat(original.parts()).containsKey("model.safetensors");
  }

  @Test
  void djlRewardModel_weightsChangedAtTheSameSize_areNamed() throws IOException {
    Path saved = savedDjlModel();
    Fingerprint before = djlFingerprint(saved);
    Path weights = saved.resolve("model.safetensors");
    long size = Files.size(weights);

    FileFixtures.flipAByte(weights, 3);

    assertThat(Files.size(weights)).isEqualTo(size);
    List<String> changed = djlFingerprint(saved).differencesFrom(before);
    assertThat(changed).hasSize(1);
    assertThat(changed.get(0)).startsWith("model.safetensors: recorded sha256:");
  }

  @Test
  void djlRewardModel_scoringSettingsArePartOfTheFingerprint() {
    Path saved = savedDjlModel();
    Fingerprint defaults = djlFingerprint(saved);
    Fingerprint shorter;
    try (DjlRewardModel rm =
        RewardModels.djl(saved).modelOptions(ModelOptions.cpu()).maxLength(16).build()) {
      shorter = rm.fingerprint().orElseThrow();
    }
    assertThat(shorter.differencesFrom(defaults))
        .singleElement()
        .asString()
        .startsWith("setting:maxLength:");
  }
}
