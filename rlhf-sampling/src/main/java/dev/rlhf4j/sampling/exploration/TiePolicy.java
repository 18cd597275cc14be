package dev.rlhf4j.sampling.exploration;

/**
 * What pair selection does when the two selected responses have equal adjusted rewards, equal up
 * to float32 rounding ({@link SelectionRules#TIE_TOLERANCE}; see {@link SelectionRules}).
 */
public enum TiePolicy {
  /**
   * Drop the prompt: a tie carries no preference (paper §3.3; the Online-RLHF reference code does
   * the same). The default.
   */
  DROP,
  /** Keep the pair anyway, with the response picked as chosen first. */
  KEEP
}
