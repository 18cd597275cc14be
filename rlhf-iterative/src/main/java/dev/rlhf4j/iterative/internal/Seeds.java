package dev.rlhf4j.iterative.internal;

/** The purposes the loop derives seeds for from its root seed, with {@code api.exploration.Seeds}. */
public final class Seeds {
  /** Exploration's random choices ({@code ExplorationContext.random()}). */
  public static final int EXPLORE_RANDOM = 1;
  /** Exploration's sampling seed. */
  public static final int EXPLORE_SAMPLING = 2;
  /** The training call's seed. */
  public static final int TRAIN = 3;
  /** Evaluation sampling (the same in every iteration). */
  public static final int EVALUATE = 4;
  /** Sampling from the new policy for the KL estimates ({@code LoopDiagnostics}). */
  public static final int DRIFT = 5;

  private Seeds() {}

  /**
   * A seed for {@code purpose} in {@code iteration}: {@link
   * dev.rlhf4j.api.exploration.Seeds#derive(long, int, int)}, the one derivation.
   */
  public static long derive(long seed, int iteration, int purpose) {
    return dev.rlhf4j.api.exploration.Seeds.derive(seed, iteration, purpose);
  }
}
