package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.LengthUnit;

/**
 * A policy evaluated against a baseline by {@link CheckpointEvaluator}.
 *
 * @param prompts how many prompts were answered
 * @param comparisons how many policy-versus-baseline response pairs were judged (n² per prompt)
 * @param winRate the fraction of comparisons the policy won, ties ½
 * @param lengthControlledWinRate the same comparisons' length-controlled win rate (AlpacaEval 2's
 *     GLM, {@link dev.rlhf4j.reward.eval.LengthControlledWinRate})
 * @param meanLength the mean length of the policy's responses
 * @param baselineMeanLength the mean length of the baseline's responses
 * @param unit the unit of the lengths
 */
public record CheckpointEvaluation(
    int prompts,
    int comparisons,
    double winRate,
    double lengthControlledWinRate,
    double meanLength,
    double baselineMeanLength,
    LengthUnit unit) {
  /**
   * @throws IllegalArgumentException if a count is below 1, a rate is outside [0, 1], a length is
   *     negative or unit is null
   */
  public CheckpointEvaluation {
    checkArgument(prompts >= 1 && comparisons >= 1,
        "prompts and comparisons must be >= 1 but were %s and %s", prompts, comparisons);
    checkArgument(winRate >= 0 && winRate <= 1, "winRate must be in [0, 1] but was %s", winRate);
    checkArgument(lengthControlledWinRate >= 0 && lengthControlledWinRate <= 1,
        "lengthControlledWinRate must be in [0, 1] but was %s", lengthControlledWinRate);
    checkArgument(meanLength >= 0 && baselineMeanLength >= 0,
        "lengths must be >= 0 but were %s and %s", meanLength, baselineMeanLength);
    checkArgument(unit != null, "unit must not be null");
  }
}
