package dev.rlhf4j.examples.quickstart;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * What the quickstart measured, as written to {@code report.json}.
 *
 * @param seed the root seed
 * @param seconds the wall time of the run
 * @param rewardModel the proxy reward model's figures
 * @param rows one row per policy, in the order {@code sft}, {@code offline-dpo}, {@code
 *     iterative-dpo-1..3}, {@code iterative-dpo-lp-3}
 * @param lengthPenaltyCurve the length-penalised run's rows per iteration, {@code
 *     iterative-dpo-lp-1..3} (plotted, not written to report.json)
 */
public record QuickstartReport(
    long seed,
    double seconds,
    RewardModelFigures rewardModel,
    List<Row> rows,
    List<Row> lengthPenaltyCurve) {

  /**
   * @throws IllegalArgumentException if a field is null
   */
  public QuickstartReport {
    checkArgument(rewardModel != null && rows != null && lengthPenaltyCurve != null, "null field");
    rows = List.copyOf(rows);
    lengthPenaltyCurve = List.copyOf(lengthPenaltyCurve);
  }

  /**
   * The row named {@code name}.
   *
   * @throws IllegalArgumentException if there is none
   */
  public Row row(String name) {
    return rows.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no row " + name));
  }

  /**
   * The proxy reward model (paper §2.3).
   *
   * @param heldOutAccuracy the fraction of held-out offline pairs, relabelled by the gold reward
   *     (gold ties dropped), whose gold-better response the proxy scores higher
   * @param lengthRewardPearson the mean per-prompt Pearson correlation between response length
   *     (characters) and proxy reward over 8 SFT samples per held-out prompt (paper Fig. 5)
   */
  public record RewardModelFigures(double heldOutAccuracy, double lengthRewardPearson) {}

  /**
   * One policy, evaluated on the held-out prompts (paper Tables 4 and 6).
   *
   * @param name the policy
   * @param goldReward the mean gold reward of its responses (optimum 1)
   * @param goldWinRateVsSft its gold win rate against the SFT policy's responses, ties ½: every
   *     sampled response against every SFT response to the same prompt
   * @param goldLcWinRateVsSft the same comparisons' length-controlled win rate (AlpacaEval 2's
   *     GLM, {@link dev.rlhf4j.reward.eval.LengthControlledWinRate}, lengths in characters): the
   *     gold's preference predicted at equal lengths, as the paper's Table 4 reports
   * @param proxyReward the mean reward the proxy gives its responses
   * @param meanLength the mean response length in characters
   */
  public record Row(
      String name,
      double goldReward,
      double goldWinRateVsSft,
      double goldLcWinRateVsSft,
      double proxyReward,
      double meanLength) {
    /**
     * @throws IllegalArgumentException if name is null or blank
     */
    public Row {
      checkArgument(name != null && !name.isBlank(), "name must not be blank");
    }
  }
}
