package dev.rlhf4j.examples.custom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.run.RunLayout;
import dev.rlhf4j.iterative.run.RunLayout.IterationFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the custom-exploration example end to end and checks the gate in the run's files. */
class CustomExplorationExampleTest {
  private static final double MIN_MARGIN = 0.75;

  @TempDir Path tmp;

  @Test
  void run_skipsNarrowMarginsAndKeepsOnlyPairsAboveTheThreshold() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    CustomExplorationExample.Result result;
    try (PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8)) {
      result = CustomExplorationExample.run(
          new String[] {"--out", tmp.toString(), "--iterations", "2",
              "--prompts-per-iteration", "24", "--n", "4",
              "--min-margin", Double.toString(MIN_MARGIN)}, out);
    }

    assertThat(result.loop().iterations()).hasSize(2);
    assertThat(result.promptsSampled()).isEqualTo(48);
    assertThat(result.pairsKept()).isPositive();
    assertThat(result.promptsSkipped()).isPositive();

    RunLayout layout = new RunLayout(tmp.resolve("run"));
    int keptInFiles = 0;
    for (IterationResult it : result.loop().iterations()) {
      IterationFiles files = layout.iteration(it.iteration());
      List<AnnotatedSample> scored = Jsonl.readAll(files.annotated(), JsonlFormats.annotatedSamples());
      List<PreferencePair> pairs = Jsonl.readAll(files.pairs(), JsonlFormats.preferencePairs("t"));
      assertThat(scored).hasSize(24).allSatisfy(s -> assertThat(s.size()).isEqualTo(4));
      long wide = scored.stream()
          .filter(s -> s.reward(s.argMax()) - s.reward(s.argMin()) >= MIN_MARGIN)
          .count();
      assertThat(pairs).hasSize((int) wide);
      assertThat(pairs).allSatisfy(p ->
          assertThat(p.margin().orElseThrow()).isGreaterThanOrEqualTo(MIN_MARGIN));
      assertThat(it.metric("explore/pairs")).isEqualTo(pairs.size());
      assertThat(it.checkpoint().resolve("model.safetensors")).isRegularFile();
      keptInFiles += pairs.size();
    }
    assertThat(keptInFiles).isEqualTo(result.pairsKept());
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("iteration", "kept", "skipped", "final policy: ");
  }

  @Test
  void launch_badArgumentsPrintTheOptionAndUsageAndReturn2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = CustomExplorationExample.launch(
          new String[] {"--n", "1"}, System.out, errStream);
    }
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--n must be an integer >= 2 but was '1'")
        .contains(CustomExplorationExample.USAGE);
    assertThatThrownBy(() -> CustomExplorationExample.run(
            new String[] {"--min-margin", "0"}, System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--min-margin must be a number > 0.0 but was '0'");
  }
}
