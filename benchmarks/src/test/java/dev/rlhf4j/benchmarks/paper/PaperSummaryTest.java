package dev.rlhf4j.benchmarks.paper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.examples.quickstart.QuickstartReport;
import dev.rlhf4j.examples.quickstart.QuickstartReport.RewardModelFigures;
import dev.rlhf4j.examples.quickstart.QuickstartReport.Row;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aggregation over seeds and the files, on made-up quickstart reports. */
class PaperSummaryTest {

  private static QuickstartReport report(long seed, double sftGold, double iterWin, double len) {
    return new QuickstartReport(
        seed,
        10 * seed,
        new RewardModelFigures(0.7 + seed / 100.0, 0.1),
        List.of(
            new Row("sft", sftGold, 0.5, 0.5, 0.0, 30.0),
            new Row("iterative-dpo-1", sftGold + 0.1, iterWin, iterWin - 0.05, 1.0, len)),
        List.of());
  }

  /** A report with the rows the orderings compare, of task {@code task}. */
  private static QuickstartReport ordered(String task, long seed, double offline, double iter3) {
    return new QuickstartReport(
        seed,
        1,
        new RewardModelFigures(0.8, 0.1),
        List.of(
            new Row("sft", 0.1, 0.5, 0.5, 0.0, 10.0),
            new Row("offline-dpo", 0.2, offline, offline, 0.1, 11.0),
            new Row("iterative-dpo-3", 0.3, iter3, iter3, 0.2, 12.0)),
        List.of(),
        List.of(),
        task);
  }

  private static List<QuickstartReport> threeSeeds() {
    return List.of(report(1, 0.2, 0.6, 40), report(2, 0.3, 0.7, 44), report(3, 0.4, 0.8, 48));
  }

  @Test
  void stat_meanAndSampleStandardDeviation() {
    Stat s = Stat.of(List.of(2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0));

    assertThat(s.mean()).isCloseTo(5.0, within(1e-12));
    // population sd is 2; the sample sd divides by n - 1 = 7: sqrt(32 / 7)
    assertThat(s.sd()).isCloseTo(Math.sqrt(32.0 / 7), within(1e-12));
  }

  @Test
  void stat_singleValueHasZeroSd() {
    assertThat(Stat.of(List.of(3.5))).isEqualTo(new Stat(3.5, 0, List.of(3.5)));
  }

  @Property
  void stat_isShiftInvariantInSd(
      @ForAll @Size(min = 2, max = 10) List<@DoubleRange(min = -100, max = 100) Double> values,
      @ForAll @DoubleRange(min = -50, max = 50) double shift) {
    Stat s = Stat.of(values);
    Stat shifted = Stat.of(values.stream().map(v -> v + shift).toList());

    assertThat(shifted.mean()).isCloseTo(s.mean() + shift, within(1e-9));
    assertThat(shifted.sd()).isCloseTo(s.sd(), within(1e-9));
  }

  @Test
  void of_aggregatesEachRowOverSeeds() {
    PaperSummary summary = PaperSummary.of(threeSeeds());

    assertThat(summary.seeds()).containsExactly(1L, 2L, 3L);
    assertThat(summary.rows()).extracting(PaperSummary.RowSummary::name)
        .containsExactly("sft", "iterative-dpo-1");
    PaperSummary.RowSummary iter = summary.rows().get(1);
    assertThat(iter.goldWinRateVsSft().mean()).isCloseTo(0.7, within(1e-12));
    assertThat(iter.goldWinRateVsSft().sd()).isCloseTo(0.1, within(1e-12));
    assertThat(iter.goldLcWinRateVsSft().mean()).isCloseTo(0.65, within(1e-12));
    assertThat(iter.meanLength().mean()).isCloseTo(44, within(1e-12));
    assertThat(iter.meanLength().sd()).isCloseTo(4, within(1e-12));
    assertThat(summary.rows().get(0).goldReward().values()).containsExactly(0.2, 0.3, 0.4);
    assertThat(summary.rewardModelAccuracy().mean()).isCloseTo(0.72, within(1e-12));
  }

  @Test
  void of_rejectsReportsWithDifferentRows() {
    QuickstartReport other =
        new QuickstartReport(9, 1, new RewardModelFigures(0.5, 0), List.of(
            new Row("sft", 0, 0.5, 0.5, 0, 1)), List.of());

    assertThatThrownBy(() -> PaperSummary.of(List.of(report(1, 0.2, 0.6, 40), other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed 9");
  }

  @Test
  void markdown_hasOneTableLinePerRowWithMeanPlusMinusSd() {
    String md = PaperFiles.markdown(List.of(PaperSummary.of(threeSeeds())));

    assertThat(md)
        .contains("| Row | Gold reward | Gold win rate vs SFT | Gold LC win rate vs SFT |"
            + " Mean length (chars) |")
        .contains("| sft | 0.300 ± 0.100 | 0.500 ± 0.000 | 0.500 ± 0.000 | 30.0 ± 0.0 |")
        .contains(
            "| iterative-dpo-1 | 0.400 ± 0.100 | 0.700 ± 0.100 | 0.650 ± 0.100 | 44.0 ± 4.0 |")
        .contains("held-out accuracy (gold labels) 0.720 ± 0.010");
  }

  @Test
  void write_producesJsonMarkdownAndPng(@TempDir Path dir) throws Exception {
    PaperFiles.write(dir, List.of(PaperSummary.of(threeSeeds())));

    JsonNode json =
        new ObjectMapper().readTree(dir.resolve("paper.json").toFile()).path("tasks").path("list");
    JsonNode win = json.path("rows").path("iterative-dpo-1").path("goldWinRateVsSft");
    assertThat(win.path("mean").asDouble()).isCloseTo(0.7, within(1e-12));
    assertThat(win.path("sd").asDouble()).isCloseTo(0.1, within(1e-12));
    assertThat(win.path("values")).hasSize(3);
    assertThat(json.path("rewardModel").path("heldOutAccuracy").path("mean").asDouble())
        .isCloseTo(0.72, within(1e-12));
    assertThat(Files.readString(dir.resolve("paper.md"))).startsWith("# rlhf4j");
    BufferedImage png = ImageIO.read(dir.resolve("paper.png").toFile());
    assertThat(png.getWidth()).isGreaterThan(png.getHeight());
  }

  @Test
  void of_countsPerSeedWhereEachOrderingHolds() {
    PaperSummary summary =
        PaperSummary.of(
            List.of(ordered("sort", 1, 0.6, 0.7), ordered("sort", 2, 0.45, 0.4),
                ordered("sort", 3, 0.55, 0.55)));

    assertThat(summary.task()).isEqualTo("sort");
    assertThat(summary.orderings()).extracting(PaperSummary.Ordering::claim)
        .containsExactly("iterative-dpo-3 > offline-dpo", "offline-dpo > sft");
    PaperSummary.Ordering iterOverOffline = summary.orderings().get(0);
    // a tie (seed 3) does not count as a win
    assertThat(iterOverOffline.holds()).containsExactly(true, false, false);
    assertThat(iterOverOffline.count()).isEqualTo(1);
    assertThat(iterOverOffline.margins().get(1)).isCloseTo(-0.05, within(1e-12));
    PaperSummary.Ordering offlineOverSft = summary.orderings().get(1);
    assertThat(offlineOverSft.holds()).containsExactly(true, false, true);
    assertThat(offlineOverSft.count()).isEqualTo(2);
  }

  @Test
  void of_withoutTheComparedRowsHasNoOrderings() {
    assertThat(PaperSummary.of(threeSeeds()).orderings()).isEmpty();
  }

  @Test
  void of_rejectsReportsOfDifferentTasks() {
    assertThatThrownBy(
            () -> PaperSummary.of(List.of(ordered("list", 1, 0.6, 0.7), ordered("sort", 2, 0.6,
                0.7))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed 2 is of task sort");
  }

  @Test
  void markdownAndJson_haveOneSectionPerTaskWithTheCounts(@TempDir Path dir) throws Exception {
    PaperSummary list =
        PaperSummary.of(List.of(ordered("list", 1, 0.6, 0.7), ordered("list", 2, 0.6, 0.65)));
    PaperSummary sort =
        PaperSummary.of(List.of(ordered("sort", 1, 0.6, 0.5), ordered("sort", 2, 0.4, 0.65)));

    PaperFiles.write(dir, List.of(list, sort));

    String md = Files.readString(dir.resolve("paper.md"));
    assertThat(md).contains("## Task list").contains("## Task sort")
        .contains("| iterative-dpo-3 > offline-dpo | yes (+0.100) | yes (+0.050) | 2 of 2 |")
        .contains("| iterative-dpo-3 > offline-dpo | no (-0.100) | yes (+0.250) | 1 of 2 |")
        .contains("| offline-dpo > sft | yes (+0.100) | no (-0.100) | 1 of 2 |");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("paper.json").toFile());
    assertThat(json.path("tasks").path("sort").path("orderings").get(0).path("count").asInt())
        .isEqualTo(1);
    assertThat(json.path("tasks").path("list").path("rows").path("offline-dpo")
        .path("goldWinRateVsSft").path("mean").asDouble()).isCloseTo(0.6, within(1e-12));
    BufferedImage png = ImageIO.read(dir.resolve("paper.png").toFile());
    assertThat(png.getHeight()).isGreaterThan(png.getWidth() / 2);
  }

  @Test
  void write_rejectsATaskTwice(@TempDir Path dir) {
    PaperSummary list = PaperSummary.of(threeSeeds());

    assertThatThrownBy(() -> PaperFiles.write(dir, List.of(list, list)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("each task may appear once");
  }
}
