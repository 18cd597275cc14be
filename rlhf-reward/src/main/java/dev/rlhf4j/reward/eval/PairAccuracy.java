package dev.rlhf4j.reward.eval;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.reward.eval.internal.AccuracyTally;
import dev.rlhf4j.reward.eval.internal.BatchedJudging;
import dev.rlhf4j.reward.eval.internal.PairInput;
import dev.rlhf4j.reward.eval.internal.PairJudge;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Pair accuracy of a preference signal on labelled pairs (any preference file): the fraction of
 * pairs where the model prefers the {@code chosen} response, a tie counting ½ — the metric of
 * the paper's Table 2 and of RewardBench.
 *
 * <p>A {@link RewardModel} wins a pair when r(x, chosen) − r(x, rejected) is greater than the tie
 * tolerance (default 0: only exactly equal rewards tie). A {@link PreferenceModel} wins when
 * P(chosen ≻ rejected) − ½ is greater than the tolerance; it is asked once per pair, with the
 * chosen response as A.
 *
 * <p>The default tolerance 0 is RewardBench's rule (its reference code counts {@code chosen >
 * rejected}), so results stay comparable with published numbers. Both responses of a pair are
 * scored in different batch rows, where float32 kernels may round differently: a pair of two
 * identical responses can then score a few ulps apart instead of tying. Set {@link
 * Builder#tieTolerance} (e.g. 1e-6 times the reward scale) where such pairs occur.
 *
 * <pre>{@code
 * PairAccuracyResult r = PairAccuracy.create().evaluate(rewardModel, pairs);
 * System.out.printf("accuracy %.3f on %d pairs (%d ties)%n", r.accuracy(), r.pairs(), r.ties());
 * }</pre>
 *
 * <p>Immutable and thread-safe; the model is called from the calling thread, {@link
 * #batchSize()} pairs per call (a reward model receives both responses of each pair in one call,
 * so {@code 2 · batchSize} requests), and is never closed here.
 */
public final class PairAccuracy {
  /** The default number of pairs per model call. */
  public static final int DEFAULT_BATCH_SIZE = 16;

  private final int batchSize;
  private final double tieTolerance;

  private PairAccuracy(Builder builder) {
    this.batchSize = builder.batchSize;
    this.tieTolerance = builder.tieTolerance;
  }

  /** An evaluator with the defaults: {@value #DEFAULT_BATCH_SIZE} pairs per call, exact ties. */
  public static PairAccuracy create() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this evaluator's settings. */
  public Builder toBuilder() {
    return new Builder().batchSize(batchSize).tieTolerance(tieTolerance);
  }

  /** Pairs per model call. */
  public int batchSize() {
    return batchSize;
  }

  /** The largest absolute margin that counts as a tie. */
  public double tieTolerance() {
    return tieTolerance;
  }

  /**
   * Scores both responses of every pair with a reward model.
   *
   * @throws IllegalArgumentException if there are no pairs or a pair is null
   * @throws dev.rlhf4j.api.Rlhf4jException if the model returns the wrong number of rewards or a
   *     non-finite reward (the message names the pair by position and source)
   */
  public PairAccuracyResult evaluate(RewardModel model, Iterable<PreferencePair> pairs) {
    checkArgument(model != null, "model must not be null");
    checkArgument(pairs != null, "pairs must not be null");
    return run(PairJudge.of(model), pairs.iterator());
  }

  /**
   * As {@link #evaluate(RewardModel, Iterable)}, reading the pairs from a stream (consumed, not
   * closed).
   */
  public PairAccuracyResult evaluate(RewardModel model, Stream<PreferencePair> pairs) {
    checkArgument(model != null, "model must not be null");
    checkArgument(pairs != null, "pairs must not be null");
    return run(PairJudge.of(model), pairs.iterator());
  }

  /**
   * Asks a preference model for P(chosen ≻ rejected) on every pair.
   *
   * @throws IllegalArgumentException if there are no pairs or a pair is null
   * @throws dev.rlhf4j.api.Rlhf4jException if the model returns the wrong number of probabilities
   *     or one outside [0, 1] (the message names the pair by position and source)
   */
  public PairAccuracyResult evaluatePairwise(
      PreferenceModel model, Iterable<PreferencePair> pairs) {
    checkArgument(model != null, "model must not be null");
    checkArgument(pairs != null, "pairs must not be null");
    return run(PairJudge.of(model), pairs.iterator());
  }

  /**
   * As {@link #evaluatePairwise(PreferenceModel, Iterable)}, reading the pairs from a stream
   * (consumed, not closed).
   */
  public PairAccuracyResult evaluatePairwise(
      PreferenceModel model, Stream<PreferencePair> pairs) {
    checkArgument(model != null, "model must not be null");
    checkArgument(pairs != null, "pairs must not be null");
    return run(PairJudge.of(model), pairs.iterator());
  }

  /**
   * Accuracy of the scores already stored in the pairs ({@code chosen_score}, {@code
   * rejected_score}), without a model: e.g. to check a file annotated earlier.
   *
   * @throws IllegalArgumentException if there are no pairs, a pair is null, or a pair lacks a
   *     score (the message names it)
   */
  public PairAccuracyResult evaluateStoredScores(Iterable<PreferencePair> pairs) {
    checkArgument(pairs != null, "pairs must not be null");
    AccuracyTally tally = new AccuracyTally(tieTolerance);
    long index = 0;
    for (PreferencePair pair : pairs) {
      checkArgument(pair != null, "pair #%s must not be null", index);
      checkArgument(
          pair.margin().isPresent(),
          "%s has no stored score (chosenScore %s, rejectedScore %s); "
              + "score it with a model instead",
          describe(pair, index), pair.chosenScore(), pair.rejectedScore());
      tally.add(pair.margin().getAsDouble());
      index++;
    }
    checkArgument(!tally.isEmpty(), "pairs must not be empty");
    return tally.result();
  }

  private PairAccuracyResult run(PairJudge judge, Iterator<PreferencePair> pairs) {
    AccuracyTally tally = new AccuracyTally(tieTolerance);
    BatchedJudging.run(
        pairs,
        batchSize,
        p -> new PairInput(p.prompt(), p.chosen(), p.rejected()),
        PairAccuracy::describe,
        judge,
        (pair, margin) -> tally.add(margin));
    checkArgument(!tally.isEmpty(), "pairs must not be empty");
    return tally.result();
  }

  private static String describe(PreferencePair pair, long index) {
    return pair.source().isEmpty()
        ? "pair #" + index
        : "pair #" + index + " (source '" + pair.source() + "')";
  }

  /** Settings for {@link PairAccuracy}; each setter checks its own range. Not thread-safe. */
  public static final class Builder {
    private int batchSize = DEFAULT_BATCH_SIZE;
    private double tieTolerance = 0.0;

    private Builder() {}

    /**
     * Pairs per model call (default {@value PairAccuracy#DEFAULT_BATCH_SIZE}). Larger batches
     * are faster on an accelerator and cost memory.
     *
     * @throws IllegalArgumentException if batchSize is not positive
     */
    public Builder batchSize(int batchSize) {
      checkArgument(batchSize > 0, "batchSize must be > 0 but was %s", batchSize);
      this.batchSize = batchSize;
      return this;
    }

    /**
     * The largest absolute margin counted as a tie (default 0: only equal scores tie). A small
     * tolerance such as 1e-3 treats half-precision rounding noise as a tie.
     *
     * @throws IllegalArgumentException if tieTolerance is negative or not finite
     */
    public Builder tieTolerance(double tieTolerance) {
      checkArgument(
          tieTolerance >= 0 && Double.isFinite(tieTolerance),
          "tieTolerance must be finite and >= 0 but was %s", tieTolerance);
      this.tieTolerance = tieTolerance;
      return this;
    }

    /** The evaluator. */
    public PairAccuracy build() {
      return new PairAccuracy(this);
    }
  }
}
