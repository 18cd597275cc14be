package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How the loop computes its per-iteration diagnostics: figures that need only what the loop has
 * (the proxy's scores, the pairs, the policies), no gold reward. They are recorded with every
 * iteration's metrics ({@link IterationResult#metrics()}, {@code metrics.json}, {@link
 * dev.rlhf4j.api.event.IterationSummary}):
 *
 * <ul>
 *   <li>{@code pairs/*}, the iteration's kept pairs: {@code margin_mean}, {@code margin_median},
 *       {@code margin_min} (the proxy's raw reward of chosen minus rejected, before any length
 *       penalty, over pairs that carry both scores), {@code near_tie_fraction} (the share of those
 *       pairs whose margin is below {@link #nearTieMargin()}), {@code near_tie_margin} (that
 *       threshold), {@code chosen_chars}, {@code rejected_chars}, {@code length_gap_chars} (mean
 *       lengths in characters and the mean of chosen minus rejected) and the same three in tokens,
 *       {@code chosen_tokens}, {@code rejected_tokens}, {@code length_gap_tokens}, when every
 *       response of a pair is one the policy sampled this iteration (its {@link
 *       dev.rlhf4j.api.Completion#tokenCount()}, stop token included);
 *   <li>{@code proxy/*}, every response the exploration had scored: {@code reward_mean} and {@code
 *       reward_std_within_prompt}, the mean over prompts of the (population) standard deviation of
 *       a prompt's n rewards — how much the proxy separates a prompt's candidates;
 *   <li>{@code policy/*}, how far training moved the policy: {@code optimizer_steps} (the
 *       backend's {@code steps}), {@code epochs} and {@code learning_rate} (the peak, of the loop's
 *       {@link dev.rlhf4j.iterative.train.DpoConfig}), {@code steps_per_pair} (steps over the
 *       training set's size), {@code new_pair_fraction} (this iteration's pairs over the training
 *       set); and, when {@link #klPrompts()} is above 0 and the backend scores log-probabilities
 *       ({@link PolicySampler#logProbs}), {@code kl_from_pi0} and {@code kl_from_previous}, their
 *       standard errors {@code kl_from_pi0_se} and {@code kl_from_previous_se}, and {@code
 *       kl_samples}.
 * </ul>
 *
 * <p><b>The KL estimates.</b> After training, the loop samples one response from the new policy
 * π_t for each of the first {@code klPrompts} prompts of the iteration (the run's sampling
 * parameters, a seed derived for this purpose) and scores each under π_t, π0 and π_{t−1}: {@code
 * kl_from_pi0} = mean over the responses of log π_t(y|x) − log π0(y|x), sequence-level, a Monte
 * Carlo estimate of KL(π_t ‖ π0) from samples of π_t ({@code kl_from_previous} likewise against
 * π_{t−1}; in iteration 1 both are against π0). The estimate is unbiased when the run samples at
 * temperature 1 without top-k or top-p cuts (the paper's setting and the default); otherwise the
 * responses come from the tempered distribution and the figure is the mean log-ratio under it. It
 * is noisy (its standard error, recorded beside it, falls as 1/√klPrompts: about 0.05–0.1 with
 * 64 prompts on the quickstart's tasks) and can come out slightly negative when the policies are
 * close. This costs one sampling pass of {@code klPrompts} responses and three scoring
 * passes per iteration, timed as the {@link dev.rlhf4j.api.event.Stage#DRIFT} stage.
 *
 * <p>Diagnostics change no pair and no policy, so they are not part of the settings a run
 * directory records: an iteration found complete keeps the figures it was recorded with.
 *
 * @param nearTieMargin the proxy margin below which a kept pair counts as a near-tie, ≥ 0. Default
 *     0.2: for a Bradley–Terry reward model the chosen response then wins with probability below
 *     σ(0.2) ≈ 0.55
 * @param klPrompts prompts per iteration the KL estimates are sampled on, ≥ 0; 0 turns them off.
 *     Default 64
 */
public record LoopDiagnostics(double nearTieMargin, int klPrompts) {

  /** The default near-tie margin. */
  public static final double DEFAULT_NEAR_TIE_MARGIN = 0.2;

  /** The default number of prompts the KL estimates are sampled on. */
  public static final int DEFAULT_KL_PROMPTS = 64;

  /**
   * @throws IllegalArgumentException if nearTieMargin is negative or not finite, or klPrompts is
   *     negative
   */
  public LoopDiagnostics {
    checkArgument(
        nearTieMargin >= 0 && Double.isFinite(nearTieMargin),
        "nearTieMargin must be finite and >= 0 but was %s",
        nearTieMargin);
    checkArgument(klPrompts >= 0, "klPrompts must be >= 0 but was %s", klPrompts);
  }

  /** Near-tie margin 0.2 and KL estimates on 64 prompts per iteration. */
  public static LoopDiagnostics defaults() {
    return new LoopDiagnostics(DEFAULT_NEAR_TIE_MARGIN, DEFAULT_KL_PROMPTS);
  }
}
