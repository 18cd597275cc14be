package dev.rlhf4j.benchmarks.paper;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.examples.quickstart.QuickstartReport;
import dev.rlhf4j.examples.quickstart.QuickstartReport.Row;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Quickstart reports of several seeds aggregated per row (paper Tables 4 and 6: each policy's gold
 * reward, gold win rate against SFT, proxy reward and mean length), and the proxy reward model's
 * figures (held-out accuracy, length–reward Pearson; paper §2.3, Fig. 5).
 *
 * @param seeds the seeds, in run order
 * @param seconds each run's wall time in seconds, in seed order
 * @param rows one summary per row name, in the first report's order
 * @param rewardModelAccuracy the proxy's held-out accuracy over seeds
 * @param rewardModelLengthPearson the proxy's length–reward Pearson over seeds
 */
public record PaperSummary(
    List<Long> seeds,
    List<Double> seconds,
    List<RowSummary> rows,
    Stat rewardModelAccuracy,
    Stat rewardModelLengthPearson) {

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if a field is null
   */
  public PaperSummary {
    checkArgument(
        seeds != null && seconds != null && rows != null && rewardModelAccuracy != null
            && rewardModelLengthPearson != null,
        "null field");
    seeds = List.copyOf(seeds);
    seconds = List.copyOf(seconds);
    rows = List.copyOf(rows);
  }

  /**
   * One row (policy) over the seeds.
   *
   * @param name the row name, as in the quickstart's report ({@code sft}, {@code offline-dpo},
   *     {@code iterative-dpo-1}, ...)
   * @param goldReward mean gold reward of its responses
   * @param goldWinRateVsSft gold win rate against the SFT policy, ties ½
   * @param goldLcWinRateVsSft length-controlled gold win rate against the SFT policy
   * @param proxyReward mean proxy reward of its responses
   * @param meanLength mean response length in characters
   */
  public record RowSummary(
      String name,
      Stat goldReward,
      Stat goldWinRateVsSft,
      Stat goldLcWinRateVsSft,
      Stat proxyReward,
      Stat meanLength) {
    /**
     * @throws IllegalArgumentException if a field is null or name is blank
     */
    public RowSummary {
      checkArgument(name != null && !name.isBlank(), "name must not be blank");
      checkArgument(
          goldReward != null && goldWinRateVsSft != null && goldLcWinRateVsSft != null
              && proxyReward != null
              && meanLength != null,
          "null field");
    }
  }

  /**
   * Aggregates reports of different seeds.
   *
   * @throws IllegalArgumentException if reports is null or empty, or the reports do not all have
   *     the same row names
   */
  public static PaperSummary of(List<QuickstartReport> reports) {
    checkArgument(reports != null && !reports.isEmpty(), "reports must not be null or empty");
    List<String> names = reports.get(0).rows().stream().map(Row::name).toList();
    Set<String> nameSet = new LinkedHashSet<>(names);
    for (QuickstartReport r : reports) {
      Set<String> other = new LinkedHashSet<>(r.rows().stream().map(Row::name).toList());
      checkArgument(
          other.equals(nameSet),
          "every report must have the rows %s but seed %s has %s",
          nameSet,
          r.seed(),
          other);
    }
    List<RowSummary> rows = new ArrayList<>();
    for (String name : names) {
      List<Row> perSeed = reports.stream().map(r -> r.row(name)).toList();
      rows.add(
          new RowSummary(
              name,
              stat(perSeed, Row::goldReward),
              stat(perSeed, Row::goldWinRateVsSft),
              stat(perSeed, Row::goldLcWinRateVsSft),
              stat(perSeed, Row::proxyReward),
              stat(perSeed, Row::meanLength)));
    }
    return new PaperSummary(
        reports.stream().map(QuickstartReport::seed).toList(),
        reports.stream().map(QuickstartReport::seconds).toList(),
        rows,
        Stat.of(reports.stream().map(r -> r.rewardModel().heldOutAccuracy()).toList()),
        Stat.of(reports.stream().map(r -> r.rewardModel().lengthRewardPearson()).toList()));
  }

  private static Stat stat(List<Row> rows, ToDoubleFunction<Row> value) {
    return Stat.of(rows.stream().map(r -> value.applyAsDouble(r)).toList());
  }
}
