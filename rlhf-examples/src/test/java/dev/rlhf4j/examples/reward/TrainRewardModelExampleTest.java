package dev.rlhf4j.examples.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.DataFormatException;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.examples.synthetic.SyntheticTask;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.eval.PairAccuracy;
import dev.rlhf4j.reward.eval.PairAccuracyResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains a reward model with the example on the synthetic task's offline preferences. */
class TrainRewardModelExampleTest {
  private static final int TRAIN_PAIRS = 256;
  private static final int EVAL_PAIRS = 64;

  @TempDir Path tmp;
  private Path base;
  private Path train;
  private Path eval;
  private List<PreferencePair> evalPairs;

  @BeforeEach
  void writeBaseModelAndPairs() {
    SyntheticTask task = SyntheticTask.defaults();
    base = task.writeTokenizer(tmp.resolve("base"));
    try (CausalLm lm = CausalLm.randomInit(task.modelConfig(32, 2), 3)) {
      lm.save(base);
    }
    List<PreferencePair> pairs = task.offlinePreferences(TRAIN_PAIRS + EVAL_PAIRS);
    train = tmp.resolve("train.jsonl");
    eval = tmp.resolve("eval.jsonl");
    evalPairs = pairs.subList(TRAIN_PAIRS, pairs.size());
    Jsonl.write(train, JsonlFormats.preferencePairs("offline"), pairs.subList(0, TRAIN_PAIRS));
    Jsonl.write(eval, JsonlFormats.preferencePairs("offline"), evalPairs);
  }

  @Test
  void run_savesAModelThatReloadsWithTheReportedScores() {
    Path out = tmp.resolve("rm");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    TrainRewardModelExample.Result result;
    try (PrintStream stream = new PrintStream(console, true, StandardCharsets.UTF_8)) {
      result = TrainRewardModelExample.run(
          new String[] {"--train", train.toString(), "--eval", eval.toString(),
              "--base", base.toString(), "--out", out.toString(),
              "--epochs", "2", "--lr", "2e-3", "--batch", "32", "--max-length", "32"},
          stream);
    }

    assertThat(result.training().trainLoss()).hasSize(2);
    assertThat(result.training().heldOutAccuracy()).hasSize(2);
    assertThat(result.training().heldOutAccuracyBefore()).isPresent();
    assertThat(result.heldOut().pairs()).isEqualTo(EVAL_PAIRS);
    assertThat(result.heldOut().accuracy()).isBetween(0.0, 1.0);
    assertThat(result.heldOut().meanMargin()).isFinite();
    assertThat(result.heldOut().accuracy())
        .isEqualTo(result.training().finalHeldOutAccuracy().orElseThrow());
    assertThat(result.lengthBias().responses()).isPositive();
    assertThat(result.savedTo()).isEqualTo(out);

    try (DjlRewardModel reloaded = DjlRewardModel.fromDirectory(out).maxLength(32).build()) {
      PairAccuracyResult again = PairAccuracy.create().evaluate(reloaded, evalPairs);
      assertThat(again.wins()).isEqualTo(result.heldOut().wins());
      assertThat(again.ties()).isEqualTo(result.heldOut().ties());
      assertThat(again.meanMargin()).isCloseTo(result.heldOut().meanMargin(), within(1e-5));
    }
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("held-out acc", "held-out accuracy", "length bias", "reward model saved to");
  }

  @Test
  void run_malformedTrainingLineNamesFileAndLine() throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(train, StandardCharsets.UTF_8));
    lines.set(2, "{\"chosen\": \"not a conversation\", \"rejected\": []}");
    Path bad = tmp.resolve("bad-train.jsonl");
    Files.write(bad, lines, StandardCharsets.UTF_8);
    String[] args = {"--train", bad.toString(), "--eval", eval.toString(),
        "--base", base.toString(), "--out", tmp.resolve("never").toString()};

    assertThatThrownBy(() -> TrainRewardModelExample.run(args, System.out))
        .isInstanceOf(DataFormatException.class)
        .hasMessageStartingWith("bad-train.jsonl:3: ");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      assertThat(TrainRewardModelExample.launch(args, System.out, stream)).isEqualTo(1);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("bad-train.jsonl:3: ");
    assertThat(tmp.resolve("never")).doesNotExist();
  }

  @Test
  void launch_missingOrBadArgumentsNameTheOptionAndReturn2() {
    assertThat(errorOf("--eval", eval.toString(), "--base", base.toString(), "--out", "x"))
        .contains("--train is required").contains(TrainRewardModelExample.USAGE);
    assertThat(errorOf("--train", tmp.resolve("missing.jsonl").toString(), "--eval",
        eval.toString(), "--base", base.toString(), "--out", "x"))
        .contains("--train must name an existing file but ")
        .contains("missing.jsonl is not one");
    assertThat(errorOf("--train", train.toString(), "--eval", eval.toString(), "--base",
        base.toString(), "--out", "x", "--lr", "fast"))
        .contains("--lr must be a number > 0.0 but was 'fast'");
    assertThat(errorOf("--train", train.toString(), "--eval", eval.toString(), "--base",
        tmp.toString(), "--out", "x"))
        .contains("--base " + tmp + " must be a Hugging Face model directory with config.json");
    assertThat(errorOf("--train", train.toString(), "--epochs"))
        .contains("--epochs needs a value");
    assertThat(errorOf("--learning-rate", "1")).contains("unknown option --learning-rate");
  }

  private static String errorOf(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      assertThat(TrainRewardModelExample.launch(args, System.out, stream)).isEqualTo(2);
    }
    return err.toString(StandardCharsets.UTF_8);
  }
}
