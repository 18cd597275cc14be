package dev.rlhf4j.reward;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * An affine normalisation of raw reward scores, {@code (raw − mean) / std}, with the mean and the
 * standard deviation measured on a reference set (see {@link DjlRewardModel#calibrate}). Under
 * the Bradley–Terry model only reward differences matter, so normalising changes no preference
 * order; it puts rewards from different models on one scale (e.g. for a length penalty λ).
 *
 * @param mean the mean raw score of the reference set, finite
 * @param std the population standard deviation of the raw scores of the reference set, finite
 *     and &gt; 0
 */
public record RewardNormalization(double mean, double std) {

  /**
   * The smallest spread {@link #of} accepts, relative to the scores' magnitude: a standard
   * deviation at or below {@code 1e-6 · max(1, |mean|)} is rounding noise, not a spread. The same
   * input scored in different batch rows, batch sizes or paddings may differ in the last bits (CPU
   * kernels such as AVX-512 treat rows differently; float32 carries about 7 significant digits),
   * so identical reference scores can show a std of ~1e-8 that dividing by would blow up.
   */
  public static final double MIN_RELATIVE_STD = 1e-6;

  /** @throws IllegalArgumentException if mean is not finite or std is not finite and &gt; 0 */
  public RewardNormalization {
    checkArgument(Double.isFinite(mean), "mean must be finite but was %s", mean);
    checkArgument(
        Double.isFinite(std) && std > 0, "std must be finite and > 0 but was %s", std);
  }

  /**
   * The mean and population standard deviation of {@code rawScores}.
   *
   * @throws IllegalArgumentException if there are fewer than 2 scores, a score is not finite, or
   *     the spread is negligible: std &le; {@link #MIN_RELATIVE_STD} · max(1, |mean|) (all
   *     scores equal up to rounding, so there is no spread to normalise by)
   */
  public static RewardNormalization of(double[] rawScores) {
    checkArgument(rawScores != null, "rawScores must not be null");
    checkArgument(
        rawScores.length >= 2,
        "calibration needs at least 2 scores but got %s",
        rawScores.length);
    double sum = 0;
    for (int i = 0; i < rawScores.length; i++) {
      checkArgument(
          Double.isFinite(rawScores[i]),
          "rawScores[%s] must be finite but was %s",
          Integer.valueOf(i),
          Double.valueOf(rawScores[i]));
      sum += rawScores[i];
    }
    double mean = sum / rawScores.length;
    double squares = 0;
    for (double s : rawScores) {
      squares += (s - mean) * (s - mean);
    }
    double std = Math.sqrt(squares / rawScores.length);
    double minStd = MIN_RELATIVE_STD * Math.max(1, Math.abs(mean));
    checkArgument(
        std > minStd,
        "the %s reference scores are all equal up to rounding (mean %s, std %s <= %s = 1e-6 *"
            + " max(1, |mean|)): there is no spread to normalise by; calibrate on responses the"
            + " model scores differently",
        Integer.valueOf(rawScores.length),
        Double.valueOf(mean),
        Double.valueOf(std),
        Double.valueOf(minStd));
    return new RewardNormalization(mean, std);
  }

  /** {@code (raw − mean) / std}. */
  public double apply(double raw) {
    return (raw - mean) / std;
  }
}
