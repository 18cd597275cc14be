package dev.rlhf4j.iterative.train;

/**
 * Where the reference log-probabilities {@code log πref(y|x)} of DPO come from.
 *
 * <p>The reference policy is fixed during training (paper §3.3: the SFT model π0), so its
 * log-probabilities of a dataset never change: computing them once before the first step gives the
 * same loss as computing them at every step, at the cost of one forward pass per pair instead of
 * one per pair and epoch, and without holding two models in memory while training.
 */
public enum ReferenceLogProbs {
  /**
   * The default: before the first step, the reference model (or a frozen copy of the initial
   * policy, closed right after) scores every pair once; training then holds only the policy. TRL
   * calls this {@code precompute_ref_log_probs} (off by default there).
   */
  PRECOMPUTED,
  /**
   * The reference model scores each micro-batch as it is trained on, as TRL does by default; the
   * reference stays in memory during training.
   */
  LIVE
}
