package dev.rlhf4j.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the quickstart in CI mode in-process and checks the report it writes. */
class QuickstartTest {
  private static final List<String> ROWS =
      List.of("sft", "offline-dpo", "iterative-dpo-1", "iterative-dpo-2", "iterative-dpo-3",
          "iterative-dpo-lp-3");
  private static final List<String> ROW_FIELDS =
      List.of("name", "goldReward", "goldWinRateVsSft", "goldLcWinRateVsSft", "proxyReward",
          "meanLength");

  @TempDir Path tmp;

  @Test
  void fastRun_writesReportJsonMarkdownAndPlot_withTrainedIterations() throws IOException {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    QuickstartReport report;
    try (PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8)) {
      report = Quickstart.run(QuickstartOptions.parse("--fast", "--out", tmp.toString()), out);
    }

    JsonNode json = new ObjectMapper().readTree(tmp.resolve("report.json").toFile());
    assertThat(fieldNames(json)).containsExactly(
        "task", "seed", "seconds", "rewardModel", "rows", "diagnostics", "goldDiagnostics");
    assertThat(json.get("goldDiagnostics")).hasSize(6);
    assertThat(report.gold())
        .allSatisfy(g -> {
          assertThat(g.pairAgreement()).isBetween(0.0, 1.0);
          assertThat(g.onPolicyAccuracy()).isBetween(0.0, 1.0);
        });
    assertThat(json.get("seed").asLong()).isEqualTo(42);
    assertThat(json.get("seconds").asDouble()).isPositive();
    assertThat(fieldNames(json.get("rewardModel")))
        .containsExactly("heldOutAccuracy", "lengthRewardPearson");
    assertThat(json.get("rewardModel").get("heldOutAccuracy").asDouble()).isBetween(0.0, 1.0);
    assertThat(json.get("rewardModel").get("lengthRewardPearson").asDouble())
        .isBetween(-1.0, 1.0);
    List<String> names = new ArrayList<>();
    for (JsonNode row : json.get("rows")) {
      assertThat(fieldNames(row)).containsExactlyElementsOf(ROW_FIELDS);
      names.add(row.get("name").asText());
      assertThat(row.get("goldReward").asDouble()).isBetween(-1.0, 1.0);
      assertThat(row.get("goldWinRateVsSft").asDouble()).isBetween(0.0, 1.0);
      assertThat(row.get("goldLcWinRateVsSft").asDouble()).isBetween(0.0, 1.0);
      assertThat(row.get("meanLength").asDouble()).isNotNegative();
    }
    assertThat(names).containsExactlyElementsOf(ROWS);
    assertThat(json.get("rows").get(0).get("goldWinRateVsSft").asDouble()).isEqualTo(0.5);
    // SFT against itself: every comparison appears in both directions, so θ = 0
    assertThat(json.get("rows").get(0).get("goldLcWinRateVsSft").asDouble())
        .isCloseTo(0.5, org.assertj.core.api.Assertions.within(1e-6));
    assertThat(report.rows()).extracting(QuickstartReport.Row::name).isEqualTo(ROWS);
    // The CI configuration is too small for the paper's ordering to hold on every CPU: seed 42
    // gave iterations 0.499 / 0.518 / 0.515 against SFT 0.500 on one machine, and iteration 1
    // 0.496, iteration 3 0.456 on an AVX-512 machine (the same code: floats differ in their last
    // bits and the run amplifies them). The ordering is measured by `bin/bench --paper` over
    // seeds and tasks (issue 18), not asserted here. What holds everywhere: the loop trains (the
    // iterations are not SFT) and no iteration collapses.
    double sft = winRate(json, "sft");
    for (String row : List.of("iterative-dpo-1", "iterative-dpo-2", "iterative-dpo-3")) {
      assertThat(winRate(json, row)).as(row).isNotEqualTo(sft).isGreaterThan(0.35);
    }

    String markdown = Files.readString(tmp.resolve("report.md"));
    for (String name : ROWS) {
      assertThat(markdown).contains("| " + name + " |");
    }
    BufferedImage png = ImageIO.read(tmp.resolve("report.png").toFile());
    assertThat(png.getWidth()).isGreaterThan(png.getHeight());

    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("== sft", "== reward model", "== offline dpo", "== iterative dpo",
            "== iterative dpo, length penalty");
    assertThat(report.diagnostics()).hasSize(6);
    assertThat(report.diagnostics())
        .extracting(QuickstartReport.IterationDiagnostics::run)
        .containsExactly("iterative-dpo", "iterative-dpo", "iterative-dpo", "iterative-dpo-lp",
            "iterative-dpo-lp", "iterative-dpo-lp");
    assertThat(report.diagnostics())
        .allSatisfy(d -> {
          assertThat(d.marginMin()).isNotNaN();
          assertThat(d.nearTieFraction()).isBetween(0.0, 1.0);
          assertThat(d.chosenTokens()).isPositive();
          assertThat(d.klFromSft()).isFinite();
          assertThat(d.klFromPrevious()).isFinite();
          assertThat(d.optimizerSteps()).isPositive();
        });
    assertThat(report.diagnostics().get(0).klFromPrevious())
        .isEqualTo(report.diagnostics().get(0).klFromSft());
    assertThat(markdown).contains("Per-iteration diagnostics", "| iterative-dpo-lp | 3 |");
    assertThat(printed).contains("Per-iteration diagnostics");
    assertThat(tmp.resolve("runs/iterative-dpo/iter-3/checkpoint/config.json")).isRegularFile();
    assertThat(tmp.resolve("runs/iterative-dpo-lp/iter-3/pairs.jsonl")).isRegularFile();
  }

  @Test
  void parse_readsEveryOptionAndRefusesUnknownOnes() {
    QuickstartOptions options =
        QuickstartOptions.parse("--seed", "7", "--out", "x/y", "--fast", "--length-penalty", "0.2");
    assertThat(options.seed()).isEqualTo(7);
    assertThat(options.out()).isEqualTo(Path.of("x/y"));
    assertThat(options.fast()).isTrue();
    assertThat(options.lengthPenalty()).isEqualTo(0.2);
    assertThat(QuickstartOptions.parse().seed()).isEqualTo(QuickstartOptions.DEFAULT_SEED);
    assertThatThrownBy(() -> QuickstartOptions.parse("--speed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option --speed");
    assertThatThrownBy(() -> QuickstartOptions.parse("--seed", "many"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--seed needs a number but got 'many'");
  }

  @Test
  void parse_taskAndSmoke() {
    QuickstartOptions sort = QuickstartOptions.parse("--task", "sort", "--smoke");
    assertThat(sort.task()).isEqualTo(QuickstartOptions.Task.SORT);
    assertThat(sort.smoke()).isTrue();
    assertThat(QuickstartOptions.parse().task()).isEqualTo(QuickstartOptions.Task.LIST);
    assertThat(new QuickstartOptions(1, Path.of("o"), true, 0.05).task())
        .isEqualTo(QuickstartOptions.Task.LIST);
    assertThatThrownBy(() -> QuickstartOptions.parse("--task", "chess"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--task must be list or sort but was 'chess'");
    assertThatThrownBy(() -> QuickstartOptions.parse("--fast", "--smoke"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--fast and --smoke exclude each other");
  }

  /** The second built-in task through the whole workflow, at the smallest size that runs it. */
  @Test
  void sortTask_smokeRun_runsEveryStageEndToEnd() throws IOException {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    QuickstartReport report;
    try (PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8)) {
      report =
          Quickstart.run(
              QuickstartOptions.parse("--task", "sort", "--smoke", "--out", tmp.toString()), out);
    }

    assertThat(report.task()).isEqualTo("sort");
    assertThat(report.rows()).extracting(QuickstartReport.Row::name).isEqualTo(ROWS);
    assertThat(report.row("sft").goldWinRateVsSft()).isEqualTo(0.5);
    assertThat(report.rows())
        .allSatisfy(r -> assertThat(r.goldReward()).isBetween(-1.0, 1.0));
    assertThat(report.diagnostics()).hasSize(6)
        .allSatisfy(d -> assertThat(d.klFromSft()).isFinite());
    assertThat(report.gold()).hasSize(6)
        .allSatisfy(g -> {
          assertThat(g.pairs()).isPositive();
          assertThat(g.onPolicyComparisons()).isPositive();
          assertThat(g.onPolicyAccuracy()).isBetween(0.0, 1.0);
          assertThat(g.pairGoldTieFraction()).isBetween(0.0, 1.0);
          assertThat(g.chosenGold()).isBetween(-1.0, 1.0);
        });
    assertThat(report.gold()).extracting(GoldDiagnostics::run)
        .containsExactly("iterative-dpo", "iterative-dpo", "iterative-dpo", "iterative-dpo-lp",
            "iterative-dpo-lp", "iterative-dpo-lp");
    assertThat(Files.readString(tmp.resolve("report.md")))
        .startsWith("# rlhf4j quickstart (task sort, seed 42)")
        .contains("judged by the gold reward", "| iterative-dpo-lp | 3 |");
    assertThat(new ObjectMapper().readTree(tmp.resolve("report.json").toFile())
        .get("goldDiagnostics")).hasSize(6);
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("SortingTask[seed=42");
    assertThat(tmp.resolve("runs/iterative-dpo/iter-3/pairs.jsonl")).isRegularFile();
    String sample =
        Files.readAllLines(tmp.resolve("runs/iterative-dpo/iter-1/generated.jsonl")).get(0);
    assertThat(sample).contains("sort ");
  }

  private static double winRate(JsonNode report, String row) {
    for (JsonNode r : report.get("rows")) {
      if (r.get("name").asText().equals(row)) {
        return r.get("goldWinRateVsSft").asDouble();
      }
    }
    throw new AssertionError("no row " + row);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
