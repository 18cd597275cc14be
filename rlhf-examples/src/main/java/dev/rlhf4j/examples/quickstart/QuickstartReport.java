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
 * @param diagnostics the loop's own per-iteration diagnostics of both iterative runs, {@code
 *     iterative-dpo} then {@code iterative-dpo-lp}, each in iteration order
 * @param task the built-in task: {@code list} or {@code sort}
 * @param gold the same iterations judged by the task's gold reward (what the loop cannot see): the
 *     proxy's pairs' agreement with the gold, its accuracy on the policy's own samples, the gold
 *     reward of chosen and rejected; same order as {@code diagnostics}
 */
public record QuickstartReport(
    long seed,
    double seconds,
    RewardModelFigures rewardModel,
    List<Row> rows,
    List<Row> lengthPenaltyCurve,
    List<IterationDiagnostics> diagnostics,
    String task,
    List<GoldDiagnostics> gold) {

  /**
   * @throws IllegalArgumentException if a field is null or task is blank
   */
  public QuickstartReport {
    checkArgument(
        rewardModel != null && rows != null && lengthPenaltyCurve != null && diagnostics != null
            && gold != null,
        "null field");
    rows = List.copyOf(rows);
    lengthPenaltyCurve = List.copyOf(lengthPenaltyCurve);
    diagnostics = List.copyOf(diagnostics);
    gold = List.copyOf(gold);
    checkArgument(task != null && !task.isBlank(), "task must not be blank");
  }

  /**
   * A report without gold diagnostics.
   *
   * @throws IllegalArgumentException if a field is null or task is blank
   */
  public QuickstartReport(
      long seed,
      double seconds,
      RewardModelFigures rewardModel,
      List<Row> rows,
      List<Row> lengthPenaltyCurve,
      List<IterationDiagnostics> diagnostics,
      String task) {
    this(seed, seconds, rewardModel, rows, lengthPenaltyCurve, diagnostics, task, List.of());
  }

  /**
   * A report of the list task without loop diagnostics.
   *
   * @throws IllegalArgumentException if a field is null
   */
  public QuickstartReport(
      long seed,
      double seconds,
      RewardModelFigures rewardModel,
      List<Row> rows,
      List<Row> lengthPenaltyCurve) {
    this(seed, seconds, rewardModel, rows, lengthPenaltyCurve, List.of(), "list", List.of());
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

  /**
   * One iteration of an iterative run as the loop itself sees it: its {@link
   * dev.rlhf4j.iterative.LoopDiagnostics} metrics, which need no gold reward. A figure the
   * iteration did not record is NaN.
   *
   * @param run {@code iterative-dpo} or {@code iterative-dpo-lp}
   * @param iteration 1-based
   * @param marginMean {@code pairs/margin_mean}: the proxy's mean reward margin of the kept pairs
   * @param marginMedian {@code pairs/margin_median}
   * @param marginMin {@code pairs/margin_min}
   * @param nearTieFraction {@code pairs/near_tie_fraction}: pairs whose margin is below {@code
   *     nearTieMargin}
   * @param nearTieMargin {@code pairs/near_tie_margin}
   * @param rewardStdWithinPrompt {@code proxy/reward_std_within_prompt}
   * @param chosenTokens {@code pairs/chosen_tokens}: the mean length of the chosen responses in
   *     tokens
   * @param rejectedTokens {@code pairs/rejected_tokens}
   * @param klFromSft {@code policy/kl_from_pi0}: the Monte Carlo KL estimate of the iteration's
   *     policy from SFT (π0)
   * @param klFromSftSe {@code policy/kl_from_pi0_se}: its standard error
   * @param klFromPrevious {@code policy/kl_from_previous}: the same from the previous iteration's
   *     policy
   * @param klFromPreviousSe {@code policy/kl_from_previous_se}
   * @param optimizerSteps {@code policy/optimizer_steps}
   */
  public record IterationDiagnostics(
      String run,
      int iteration,
      double marginMean,
      double marginMedian,
      double marginMin,
      double nearTieFraction,
      double nearTieMargin,
      double rewardStdWithinPrompt,
      double chosenTokens,
      double rejectedTokens,
      double klFromSft,
      double klFromSftSe,
      double klFromPrevious,
      double klFromPreviousSe,
      double optimizerSteps) {
    /**
     * @throws IllegalArgumentException if run is blank or iteration below 1
     */
    public IterationDiagnostics {
      checkArgument(run != null && !run.isBlank(), "run must not be blank");
      checkArgument(iteration >= 1, "iteration must be >= 1 but was %s", iteration);
    }

    /**
     * The diagnostics {@code result} recorded, NaN where it recorded none.
     *
     * @throws IllegalArgumentException if an argument is null or run is blank
     */
    public static IterationDiagnostics of(String run, dev.rlhf4j.iterative.IterationResult result) {
      checkArgument(result != null, "result must not be null");
      java.util.Map<String, Double> m = result.metrics();
      java.util.function.ToDoubleFunction<String> get = k -> m.getOrDefault(k, Double.NaN);
      return new IterationDiagnostics(
          run,
          result.iteration(),
          get.applyAsDouble("pairs/margin_mean"),
          get.applyAsDouble("pairs/margin_median"),
          get.applyAsDouble("pairs/margin_min"),
          get.applyAsDouble("pairs/near_tie_fraction"),
          get.applyAsDouble("pairs/near_tie_margin"),
          get.applyAsDouble("proxy/reward_std_within_prompt"),
          get.applyAsDouble("pairs/chosen_tokens"),
          get.applyAsDouble("pairs/rejected_tokens"),
          get.applyAsDouble("policy/kl_from_pi0"),
          get.applyAsDouble("policy/kl_from_pi0_se"),
          get.applyAsDouble("policy/kl_from_previous"),
          get.applyAsDouble("policy/kl_from_previous_se"),
          get.applyAsDouble("policy/optimizer_steps"));
    }
  }
}
