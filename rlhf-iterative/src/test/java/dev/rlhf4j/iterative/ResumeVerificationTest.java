package dev.rlhf4j.iterative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.iterative.run.RunLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming trusts only what it checked: the models by content (a file swapped at the same path and
 * size is refused, a moved run directory resumes), and every hand-off file already written
 * (a damaged one is named, relative to the run directory, before any work is redone).
 */
class ResumeVerificationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /** A reward model backed by a file: the reward is the length times the file's first byte. */
  static final class FileRewardModel implements RewardModel {
    private final Path directory;
    private final int factor;

    FileRewardModel(Path directory) {
      this.directory = directory;
      try {
        this.factor = Files.readAllBytes(directory.resolve("weights.bin"))[0];
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Path write(Path directory, byte first) {
      try {
        Files.createDirectories(directory);
        Files.write(directory.resolve("weights.bin"), new byte[] {first, 0, 0, 0});
        return directory;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public double[] score(List<ScoreRequest> batch) {
      return batch.stream().mapToDouble(r -> factor * r.response().length()).toArray();
    }

    @Override
    public Optional<Fingerprint> fingerprint() {
      return Optional.of(Fingerprint.ofPath(directory));
    }
  }

  /** The fixture's loop with a file-backed reward model in {@code rm}, π0 in {@code pi0}. */
  private static IterativeLoop.Builder loop(Fixture f, Path pi0, Path rm, Path run) {
    return f.loop("unused").policy(pi0).rewardModel(new FileRewardModel(rm))
        .runDirectory(run);
  }

  private static Map<String, String> runJson(Path run) throws IOException {
    return JSON.readValue(
        new RunLayout(run).runJson().toFile(),
        new TypeReference<LinkedHashMap<String, String>>() {});
  }

  @Test
  void runJson_recordsTheModelsByContentAndWhereTheyWereForInformation() throws IOException {
    Fixture f = new Fixture(tmp);
    Path rm = FileRewardModel.write(tmp.resolve("rm"), (byte) 1);
    loop(f, f.initialPolicy, rm, tmp.resolve("run")).iterations(1).build().run();

    Map<String, String> recorded = runJson(tmp.resolve("run"));
    assertThat(recorded)
        .containsEntry("format", "rlhf4j-run/2")
        .containsKeys("initial_policy/policy.json", "initial_policy/config.json")
        .containsEntry("reward_model", FileRewardModel.class.getName())
        .containsEntry(
            "reward_model/weights.bin", Fingerprint.ofPath(rm).parts().get("weights.bin"))
        .containsEntry("info/initial_policy", f.initialPolicy.toString())
        .doesNotContainKey("initial_policy");
    assertThat(recorded.get("initial_policy/config.json")).matches("sha256:[0-9a-f]{64}, 21 bytes");
  }

  @Test
  void runJson_ofAModelWithoutFingerprint_marksItUnverified() throws IOException {
    Fixture f = new Fixture(tmp);
    f.loop("run").iterations(1).build().run();

    assertThat(runJson(tmp.resolve("run")))
        .containsEntry("reward_model", LengthRewardModel.class.getName())
        .containsEntry(
            "reward_model/unverified", "it has no fingerprint(): a changed model is not detected");
  }

  @Test
  void resume_afterTheInitialPolicysFileWasReplacedBySameSizeBytes_isRefusedNamingIt()
      throws IOException {
    Fixture f = new Fixture(tmp);
    Path rm = FileRewardModel.write(tmp.resolve("rm"), (byte) 1);
    f.backend.failOnceInTraining(2, 3);
    assertThatThrownBy(() -> loop(f, f.initialPolicy, rm, tmp.resolve("run")).build().run())
        .hasMessageContaining("injected");
    Path config = f.initialPolicy.resolve("config.json");
    String before = Files.readString(config);
    Files.writeString(config, before.replace("fake", "faKe"));
    assertThat(Files.size(config)).isEqualTo(before.length());

    assertThatThrownBy(() -> loop(f, f.initialPolicy, rm, tmp.resolve("run")).build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("cannot be resumed with these:\n  initial_policy/config.json:"
            + " recorded sha256:")
        .hasMessageContaining(", 21 bytes, now sha256:")
        .hasMessageContaining("the model given now is not the one the run started with")
        .hasMessageNotContaining("policy.json:");
    assertThat(f.backend.requests).as("nothing retrained").hasSize(2);
  }

  @Test
  void resume_afterTheRewardModelsWeightsWereReplacedBySameSizeBytes_isRefusedNamingThem() {
    Fixture f = new Fixture(tmp);
    Path rm = FileRewardModel.write(tmp.resolve("rm"), (byte) 1);
    f.backend.failOnceInTraining(2, 3);
    assertThatThrownBy(() -> loop(f, f.initialPolicy, rm, tmp.resolve("run")).build().run())
        .hasMessageContaining("injected");
    FileRewardModel.write(rm, (byte) 2); // another model, same path, same size

    assertThatThrownBy(() -> loop(f, f.initialPolicy, rm, tmp.resolve("run")).build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("reward_model/weights.bin: recorded sha256:")
        .hasMessageContaining(", 4 bytes, now sha256:")
        .hasMessageNotContaining("\n  initial_policy/");
  }

  @Test
  void resume_ofARunDirectoryMovedWithItsModels_reproducesTheUninterruptedRun()
      throws IOException {
    Fixture a = new Fixture(tmp.resolve("a"));
    Path rmA = FileRewardModel.write(tmp.resolve("a/rm"), (byte) 1);
    LoopResult expected = loop(a, a.initialPolicy, rmA, tmp.resolve("a/run")).build().run();

    Fixture b = new Fixture(tmp.resolve("b"));
    Path rmB = FileRewardModel.write(tmp.resolve("b/run/models/rm"), (byte) 1);
    b.backend.failOnceInTraining(2, 3);
    assertThatThrownBy(() -> loop(b, b.initialPolicy, rmB, tmp.resolve("b/run")).build().run())
        .hasMessageContaining("injected");
    int trainedBefore = b.backend.requests.size();
    Files.move(tmp.resolve("b"), tmp.resolve("moved"), StandardCopyOption.ATOMIC_MOVE);

    Path run = tmp.resolve("moved/run");
    LoopResult resumed =
        loop(b, tmp.resolve("moved/pi0"), run.resolve("models/rm"), run).build().run();

    assertThat(b.backend.requests.subList(trainedBefore, b.backend.requests.size()))
        .as("training resumed at the crashed iteration")
        .extracting(TrainRequest::iteration)
        .containsExactly(2, 3);
    for (int t = 1; t <= Fixture.ITERATIONS; t++) {
      assertThat(resumed.iterations().get(t - 1).metrics())
          .isEqualTo(expected.iterations().get(t - 1).metrics());
      for (String file : List.of("generated.jsonl", "annotated.jsonl", "pairs.jsonl",
          "metrics.json", "checkpoint/policy.json")) {
        assertThat(Files.readAllBytes(resumed.iterations().get(t - 1).directory().resolve(file)))
            .as("iteration %s %s", t, file)
            .isEqualTo(
                Files.readAllBytes(expected.iterations().get(t - 1).directory().resolve(file)));
      }
    }
  }

  @Test
  void runJson_locatesAModelInsideTheRunDirectoryRelatively() throws IOException {
    Fixture f = new Fixture(tmp);
    Path pi0 = FakeBackend.writeInitialPolicy(tmp.resolve("run/models/pi0"));
    f.loop("run").policy(pi0).iterations(1).build().run();

    assertThat(runJson(tmp.resolve("run"))).containsEntry("info/initial_policy", "models/pi0");
  }

  /** Rewrites run.json as rlhf4j 0.x did: format 1, π0 by path, models by description. */
  private static void downgradeToFormat1(Path run, Path pi0) throws IOException {
    Map<String, String> recorded = runJson(run);
    Map<String, String> old = new LinkedHashMap<>();
    recorded.forEach(
        (k, v) -> {
          if (k.equals("format")) {
            old.put(k, "rlhf4j-run/1");
            old.put("initial_policy", pi0.toAbsolutePath().normalize().toString());
          } else if (!k.startsWith("info/") && !k.startsWith("initial_policy/")
              && !k.startsWith("reward_model") && !k.startsWith("preference_model")) {
            old.put(k, v);
          }
        });
    old.put("reward_model", LengthRewardModel.class.getName());
    old.put("preference_model", "none");
    JSON.writeValue(new RunLayout(run).runJson().toFile(), old);
  }

  @Test
  void resume_ofAFormat1RunJson_isRefusedUntilTheOfferedFileIsAccepted() throws IOException {
    Fixture f = new Fixture(tmp);
    f.backend.failOnceInTraining(2, 3);
    assertThatThrownBy(() -> f.loop("run").build().run()).hasMessageContaining("injected");
    Path run = tmp.resolve("run");
    downgradeToFormat1(run, f.initialPolicy);

    assertThatThrownBy(() -> f.loop("run").build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining(
            "run.json was written by an earlier rlhf4j (format rlhf4j-run/1), which recorded the"
                + " initial policy by path (" + f.initialPolicy.toAbsolutePath().normalize())
        .hasMessageContaining(
            "replace run.json with " + run.resolve("run.json.new") + " (written just now");
    assertThat(f.backend.requests).as("nothing retrained").hasSize(2);

    Files.move(run.resolve("run.json.new"), run.resolve("run.json"),
        StandardCopyOption.REPLACE_EXISTING);
    LoopResult resumed = f.loop("run").build().run();
    assertThat(resumed.iterations()).hasSize(Fixture.ITERATIONS);
  }

  @Test
  void resume_ofAFormat1RunJsonWithOtherSettings_listsThem() throws IOException {
    Fixture f = new Fixture(tmp);
    f.loop("run").iterations(1).build().run();
    downgradeToFormat1(tmp.resolve("run"), f.initialPolicy);

    assertThatThrownBy(() -> f.loop("run").iterations(1).seed(8).build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("format rlhf4j-run/1")
        .hasMessageContaining("seed: recorded 7, now 8");
    assertThat(tmp.resolve("run/run.json.new")).doesNotExist();
  }

  // ---- hand-off files ----

  /** Runs to a crash in iteration 3's training: iterations 1 and 2 complete. */
  private Fixture crashedInIteration3() {
    Fixture f = new Fixture(tmp);
    f.backend.failOnceInTraining(3, 1);
    assertThatThrownBy(() -> f.loop("run").build().run()).hasMessageContaining("injected");
    f.backend.liveSampleCalls.clear();
    return f;
  }

  private void assertNothingRedone(Fixture f, int trained) {
    assertThat(f.backend.liveSampleCalls).as("nothing sampled").isEmpty();
    assertThat(f.backend.requests).as("nothing trained").hasSize(trained);
  }

  @Test
  void resume_withIteration1PairsCutMidLine_namesTheFileAndLineBeforeAnyWork()
      throws IOException {
    Fixture f = crashedInIteration3();
    int trained = f.backend.requests.size();
    Path pairs = tmp.resolve("run/iter-1/pairs.jsonl");
    List<String> lines = Files.readAllLines(pairs);
    String cut = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n"
        + lines.get(lines.size() - 1).substring(0, 20);
    Files.writeString(pairs, cut);

    assertThatThrownBy(() -> f.loop("run").build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageStartingWith("iter-1/pairs.jsonl:" + lines.size() + ": ")
        .hasMessageEndingWith(
            "; delete iter-1/ and the iterations built from it (iter-2/, iter-3/) to redo them");
    assertNothingRedone(f, trained);
  }

  @Test
  void resume_withIteration1PairsCutAtALineEnd_comparesWithTheRecordedCount()
      throws IOException {
    Fixture f = crashedInIteration3();
    int trained = f.backend.requests.size();
    Path pairs = tmp.resolve("run/iter-1/pairs.jsonl");
    List<String> lines = Files.readAllLines(pairs);
    Files.write(pairs, lines.subList(0, lines.size() - 1));

    assertThatThrownBy(() -> f.loop("run").build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessage(
            "iter-1/pairs.jsonl holds " + (lines.size() - 1) + " pairs but the exploration wrote "
                + lines.size() + " (see iter-1/selection.json): it was cut short or edited;"
                + " delete iter-1/ and the iterations built from it (iter-2/, iter-3/) to redo"
                + " them");
    assertNothingRedone(f, trained);
  }

  @Test
  void resume_withACorruptedLineInTheLastCompleteIteration_namesItAndTheFix() throws IOException {
    Fixture f = crashedInIteration3();
    int trained = f.backend.requests.size();
    Path generated = tmp.resolve("run/iter-2/generated.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(generated));
    lines.set(1, lines.get(1).replace("\"responses\"", "\"responses\":7,\"x\""));
    Files.write(generated, lines);

    assertThatThrownBy(() -> f.loop("run").build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageStartingWith("iter-2/generated.jsonl:2: ")
        .hasMessageEndingWith("; delete iter-2/ and the iterations built from it (iter-3/) to"
            + " redo them");
    assertNothingRedone(f, trained);
  }

  @Test
  void resume_withATruncatedSummary_namesItsLine() throws IOException {
    Fixture f = crashedInIteration3();
    Path selection = tmp.resolve("run/iter-2/selection.json");
    String text = Files.readString(selection);
    Files.writeString(selection, text.substring(0, text.length() / 2));

    assertThatThrownBy(() -> f.loop("run").build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageMatching("(?s)iter-2/selection\\.json:\\d+: .*; delete iter-2/ and the"
            + " iterations built from it \\(iter-3/\\) to redo them");
  }

  @Test
  void resume_withTheBaselineResponsesCut_namesTheBaseline() throws IOException {
    Fixture f = crashedInIteration3();
    Path eval = tmp.resolve("run/baseline/eval.jsonl");
    List<String> lines = Files.readAllLines(eval);
    Files.write(eval, lines.subList(0, lines.size() - 1));

    assertThatThrownBy(() -> f.loop("run").build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessage(
            "baseline/eval.jsonl holds " + (lines.size() - 1) + " responses but there are "
                + lines.size() + " evaluation prompts; delete baseline/ to redo it");
  }

  @Test
  void resume_afterDeletingWhatTheMessageNamed_reproducesTheUninterruptedRun()
      throws IOException {
    LoopResult expected = new Fixture(tmp.resolve("a")).loop("run").build().run();
    Fixture f = new Fixture(tmp.resolve("b"));
    f.backend.failOnceInTraining(3, 1);
    assertThatThrownBy(() -> f.loop("run").build().run()).hasMessageContaining("injected");
    Path run = tmp.resolve("b/run");
    Files.writeString(run.resolve("iter-1/pairs.jsonl"), "{\"chosen\":");
    assertThatThrownBy(() -> f.loop("run").build().run())
        .hasMessageContaining("delete iter-1/ and the iterations built from it");
    for (String dir : List.of("iter-1", "iter-2", "iter-3")) {
      Fixture.tree(run.resolve(dir)).stream()
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(p -> run.resolve(dir).resolve(p).toFile().delete());
    }

    LoopResult resumed = f.loop("run").build().run();

    for (int t = 1; t <= Fixture.ITERATIONS; t++) {
      assertThat(resumed.iterations().get(t - 1).metrics())
          .isEqualTo(expected.iterations().get(t - 1).metrics());
      assertThat(Files.readAllBytes(resumed.iterations().get(t - 1).directory()
              .resolve("pairs.jsonl")))
          .isEqualTo(Files.readAllBytes(expected.iterations().get(t - 1).directory()
              .resolve("pairs.jsonl")));
    }
  }
}
