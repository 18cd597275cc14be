package dev.rlhf4j.api.event;

/** The stages of the online iterative RLHF workflow, in the order they run. */
public enum Stage {
  /** Supervised fine-tuning of the initial policy. */
  SFT,
  /** Training the proxy reward or preference model. */
  REWARD_TRAINING,
  /** Sampling n responses per prompt from the current policy. */
  GENERATE,
  /** Scoring the responses with the proxy. */
  ANNOTATE,
  /** Choosing (chosen, rejected) pairs from the scored responses. */
  SELECT,
  /** Direct preference optimisation on the pairs collected so far. */
  TRAIN,
  /** Writing the policy checkpoint. */
  CHECKPOINT,
  /**
   * Estimating how far the new policy drifted: sampling from it and scoring the samples under it,
   * the initial policy and the previous one (KL estimates).
   */
  DRIFT,
  /** Evaluating the policy on the held-out prompts. */
  EVALUATE
}
