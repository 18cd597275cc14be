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
 * Quickstart reports of several seeds of one task aggregated per row (paper Tables 4 and 6: each
 * policy's gold reward, gold win rate against SFT, proxy reward and mean length), the proxy reward
 * model's figures (held-out accuracy, length–reward Pearson; paper §2.3, Fig. 5), and per seed
 * whether the paper's ordering holds ({@link #orderings()}).
 *
 * @param task the built-in task the reports ran on ({@code list} or {@code sort})
 * @param seeds the seeds, in run order
 * @param seconds each run's wall time in seconds, in seed order
 * @param rows one summary per row name, in the first report's order
 * @param rewardModelAccuracy the proxy's held-out accuracy over seeds
 * @param rewardModelLengthPearson the proxy's length–reward Pearson over seeds
 */
public record PaperSummary(
    String task,
    List<Long> seeds,
    List<Double> seconds,
    List<RowSummary> rows,
    Stat rewardModelAccuracy,
    Stat rewardModelLengthPearson,
    List<Ordering> orderings) {

  /** The rows the paper's ordering compares: iterative DPO after 3 iterations, offline DPO, SFT. */
  static final List<String[]> ORDERED_ROWS =
      List.of(new String[] {"iterative-dpo-3", "offline-dpo"}, new String[] {"offline-dpo", "sft"});

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if a field is null or task is blank
   */
  public PaperSummary {
    checkArgument(task != null && !task.isBlank(), "task must not be blank");
    checkArgument(orderings != null, "orderings must not be null");
    orderings = List.copyOf(orderings);
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
   * Whether one row beats another, per seed, by gold win rate against SFT (the paper's Table 4
   * ordering; the SFT row's own win rate is ½ by definition).
   *
   * @param better the row that should be higher, e.g. {@code iterative-dpo-3}
   * @param worse the row it should beat, e.g. {@code offline-dpo}
   * @param holds per seed, in seed order: {@code better}'s gold win rate is strictly higher
   * @param margins per seed: {@code better}'s gold win rate minus {@code worse}'s
   */
  public record Ordering(String better, String worse, List<Boolean> holds, List<Double> margins) {
    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if a field is null, a name is blank, or the lists differ
     *     in size
     */
    public Ordering {
      checkArgument(better != null && !better.isBlank() && worse != null && !worse.isBlank(),
          "better and worse must not be blank");
      checkArgument(holds != null && margins != null && holds.size() == margins.size(),
          "holds and margins must be non-null lists of one size");
      holds = List.copyOf(holds);
      margins = List.copyOf(margins);
    }

    /** On how many seeds the ordering holds. */
    public int count() {
      return (int) holds.stream().filter(h -> h).count();
    }

    /** {@code better > worse}. */
    public String claim() {
      return better + " > " + worse;
    }
  }

  /**
   * Aggregates reports of different seeds of one task.
   *
   * @throws IllegalArgumentException if reports is null or empty, the reports are of different
   *     tasks, or they do not all have the same row names
   */
  public static PaperSummary of(List<QuickstartReport> reports) {
    checkArgument(reports != null && !reports.isEmpty(), "reports must not be null or empty");
    String task = reports.get(0).task();
    for (QuickstartReport r : reports) {
      checkArgument(r.task().equals(task),
          "every report must be of task %s but seed %s is of task %s", task, r.seed(), r.task());
    }
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
    List<Ordering> orderings = new ArrayList<>();
    for (String[] pair : ORDERED_ROWS) {
      if (!nameSet.contains(pair[0]) || !nameSet.contains(pair[1])) {
        continue;
      }
      List<Boolean> holds = new ArrayList<>();
      List<Double> margins = new ArrayList<>();
      for (QuickstartReport r : reports) {
        double margin =
            r.row(pair[0]).goldWinRateVsSft() - r.row(pair[1]).goldWinRateVsSft();
        holds.add(margin > 0);
        margins.add(margin);
      }
      orderings.add(new Ordering(pair[0], pair[1], holds, margins));
    }
    return new PaperSummary(
        task,
        reports.stream().map(QuickstartReport::seed).toList(),
        reports.stream().map(QuickstartReport::seconds).toList(),
        rows,
        Stat.of(reports.stream().map(r -> r.rewardModel().heldOutAccuracy()).toList()),
        Stat.of(reports.stream().map(r -> r.rewardModel().lengthRewardPearson()).toList()),
        orderings);
  }

  private static Stat stat(List<Row> rows, ToDoubleFunction<Row> value) {
    return Stat.of(rows.stream().map(r -> value.applyAsDouble(r)).toList());
  }
}
