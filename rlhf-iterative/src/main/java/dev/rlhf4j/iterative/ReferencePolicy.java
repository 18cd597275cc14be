package dev.rlhf4j.iterative;

/**
 * Which policy DPO measures its implicit reward against in iteration t (the π_ref of the DPO
 * loss). The Online-RLHF users' most common question is which one the paper uses, so it is an
 * explicit setting: {@link #INITIAL}, the paper's choice (§3.3: "use the last-iteration model as
 * the initial checkpoint and use π0 as the reference model").
 */
public enum ReferencePolicy {
  /** π0, the initial policy, in every iteration (the paper's choice; the default). */
  INITIAL,
  /** The policy of the previous iteration, π_{t−1} (π0 in iteration 1). */
  PREVIOUS
}
