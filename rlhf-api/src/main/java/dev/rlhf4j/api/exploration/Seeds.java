package dev.rlhf4j.api.exploration;

/**
 * Derives independent seeds from one seed, so that every random choice of a run takes its own
 * stream from the seed given to the builder (STYLE.md rule 9). The SplitMix64 finalizer spreads
 * neighbouring streams over the whole range, so two derived seeds draw unrelated numbers. The one
 * copy shared by the sampling strategies and the online loop. Stateless and thread-safe.
 */
public final class Seeds {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private Seeds() {}

  /** A seed for the {@code stream}-th use of {@code seed} (for example an extra sampling call). */
  public static long derive(long seed, int stream) {
    return mix(seed + GOLDEN_GAMMA * (stream + 1L));
  }

  /** A seed for {@code purpose} in {@code iteration} of a run seeded with {@code seed}. */
  public static long derive(long seed, int iteration, int purpose) {
    return mix(derive(seed, iteration) + GOLDEN_GAMMA * purpose);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
