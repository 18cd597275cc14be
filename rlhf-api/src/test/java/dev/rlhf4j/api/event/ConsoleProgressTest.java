package dev.rlhf4j.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.api.event.IterationSummary;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageFinished;
import dev.rlhf4j.api.event.StageProgress;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.event.StepMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final AtomicLong nanos = new AtomicLong();
  private final ConsoleProgress progress =
      new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), nanos::get);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void notATerminal_printsPlainLinesOncePerTenth() {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    ConsoleProgress lines =
        new ConsoleProgress(new PrintStream(plain, true, StandardCharsets.UTF_8), nanos::get, false);
    lines.onStageStarted(new StageStarted(0, Stage.SFT, 1000));
    for (int step = 1; step <= 1000; step++) {
      lines.onStep(new StepMetrics(0, Stage.SFT, step, 1000, Map.of("loss", 1.0)));
    }
    String text = plain.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\r");
    assertThat(text.lines().filter(l -> l.contains("%  ")).count()).isEqualTo(11); // 0%..100%
    assertThat(text).startsWith("sft        started (1000 units)");
    assertThat(text).doesNotContain("baseline");
  }

  @Test
  void console_isOfferedByProgressListener() {
    assertThat(ProgressListener.console(new PrintStream(bytes, true, StandardCharsets.UTF_8)))
        .isInstanceOf(ConsoleProgress.class);
  }

  @Test
  void progress_drawsABarWithTheEstimatedTimeLeft() {
    progress.onStageStarted(new StageStarted(1, Stage.GENERATE, 200));
    nanos.set(Duration.ofSeconds(10).toNanos());
    progress.onProgress(new StageProgress(1, Stage.GENERATE, 50, 200));

    assertThat(output())
        .contains("iter 1   generate   started (200 units)")
        .contains("[" + "#".repeat(7) + "-".repeat(23) + "]  25%  50/200  ETA 0:00:30");
  }

  @Test
  void progress_samePercentage_isNotRedrawn() {
    progress.onStageStarted(new StageStarted(1, Stage.GENERATE, 1000));
    nanos.set(1_000_000_000L);
    progress.onProgress(new StageProgress(1, Stage.GENERATE, 501, 1000));
    progress.onProgress(new StageProgress(1, Stage.GENERATE, 502, 1000));

    assertThat(output()).containsOnlyOnce(" 50%");
  }

  @Test
  void steps_drawTheTrainingBarWithLoss() {
    progress.onStageStarted(new StageStarted(2, Stage.TRAIN, 0));
    nanos.set(Duration.ofMinutes(2).toNanos());
    progress.onStep(new StepMetrics(2, Stage.TRAIN, 40, 50, Map.of("loss", 0.5)));

    assertThat(output()).contains(" 80%  40/50  loss=0.5000  ETA 0:00:30");
  }

  @Test
  void finishedStageAndIteration_endWithALineOfTheirOwn() {
    progress.onStageStarted(new StageStarted(1, Stage.SELECT, 10));
    progress.onProgress(new StageProgress(1, Stage.SELECT, 10, 10));
    progress.onStageFinished(
        new StageFinished(1, Stage.SELECT, Duration.ofSeconds(75), Map.of("pairs", 9.0)));
    progress.onIterationFinished(
        new IterationSummary(1, Map.of("eval/win_rate", 0.625), Path.of("iter-1/checkpoint")));

    assertThat(output())
        .contains("ETA 0:00:00\n")
        .contains("iter 1   select     done in 0:01:15 pairs=9\n")
        .contains("iteration 1: eval/win_rate=0.6250  checkpoint iter-1" );
  }

  @Test
  void baselineStages_areLabelledBaseline() {
    progress.onStageStarted(new StageStarted(0, Stage.EVALUATE, 4));

    assertThat(output()).startsWith("baseline evaluate   started");
  }
}
