package dev.rlhf4j.examples.quickstart.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.examples.quickstart.QuickstartReport;
import dev.rlhf4j.examples.quickstart.QuickstartReport.RewardModelFigures;
import dev.rlhf4j.examples.quickstart.QuickstartReport.Row;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportFilesTest {
  private static Row row(String name, double win, double length) {
    return new Row(name, 0, win, win, 0, length);
  }

  private static QuickstartReport report(double offlineWin) {
    List<Row> rows = new ArrayList<>();
    rows.add(row("sft", 0.5, 40));
    rows.add(row("offline-dpo", offlineWin, 45));
    for (int t = 1; t <= 3; t++) {
      rows.add(row("iterative-dpo-" + t, 0.5 + 0.02 * t, 40 + t));
    }
    rows.add(row("iterative-dpo-lp-3", 0.55, 38));
    List<Row> lp = new ArrayList<>();
    for (int t = 1; t <= 3; t++) {
      lp.add(row("iterative-dpo-lp-" + t, 0.5 + 0.01 * t, 39));
    }
    return new QuickstartReport(42, 1, new RewardModelFigures(0.8, 0.1), rows, lp);
  }

  /** Rows of the win-rate panel holding a pixel of the reference line's green. */
  private static List<Integer> greenRows(BufferedImage image) {
    List<Integer> out = new ArrayList<>();
    for (int y = 30; y < image.getHeight() - 30; y++) {
      int greens = 0;
      for (int x = 60; x < 380; x++) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        // antialiasing blends the line into white, so match "clearly green", not the exact colour
        if (g > r + 40 && g > b + 40) {
          greens++;
        }
      }
      if (greens > 60) {
        out.add(y);
      }
    }
    return out;
  }

  @Test
  void plot_drawsOfflineDpoAsADashedReferenceLineAtItsLevel() {
    List<Integer> high = greenRows(ReportFiles.plot(report(0.9)));
    List<Integer> low = greenRows(ReportFiles.plot(report(0.3)));

    assertThat(high).isNotEmpty();
    assertThat(low).isNotEmpty();
    // a higher win rate is drawn higher up: 0.6 of the 240-pixel axis apart
    assertThat(low.get(0) - high.get(0)).isBetween(136, 152);
  }

  @Test
  void markdownAndJson_showThePerIterationDiagnostics_missingFiguresAsDashAndNull()
      throws Exception {
    QuickstartReport base = report(0.5);
    List<QuickstartReport.IterationDiagnostics> diagnostics =
        List.of(
            new QuickstartReport.IterationDiagnostics(
                "iterative-dpo", 1, 1.25, 1.0, 0.5, 0.125, 0.2, 0.75, 9.5, 6.25, 0.031, 0.004, 0.031, 0.004, 24),
            new QuickstartReport.IterationDiagnostics(
                "iterative-dpo", 2, 0.5, 0.4, 0.01, 0.25, 0.2, 0.5, 11, 7, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                48));
    QuickstartReport report =
        new QuickstartReport(base.seed(), base.seconds(), base.rewardModel(), base.rows(),
            base.lengthPenaltyCurve(), diagnostics, "sort");

    String md = ReportFiles.markdown(report);
    String json = ReportFiles.json(report);

    assertThat(md)
        .startsWith("# rlhf4j quickstart (task sort, seed 42)")
        .contains("near-ties below margin 0.200")
        .contains("| iterative-dpo | 1 | 1.250 | 1.000 | 0.500 | 0.125 | 0.750 | 9.500 | 6.250 |"
            + " 0.031 ± 0.004 | 0.031 ± 0.004 | 24 |")
        .contains("| iterative-dpo | 2 | 0.500 | 0.400 | 0.010 | 0.250 | 0.500 | 11.000 | 7.000 | - | - |"
            + " 48 |");
    com.fasterxml.jackson.databind.JsonNode node =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("diagnostics");
    assertThat(node).hasSize(2);
    assertThat(node.get(0).get("klFromSft").asDouble()).isEqualTo(0.031);
    assertThat(node.get(1).get("klFromSft").isNull()).isTrue();
    assertThat(ReportFiles.markdown(base)).doesNotContain("Per-iteration diagnostics");
  }
}
