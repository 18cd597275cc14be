package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.spark.internal.Wire;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A {@link RewardModel} that scores on Spark executors: give it to the loop as its reward model
 * and every {@code ctx.annotate(...)} of any strategy, built-in or custom, is scored on the
 * cluster. Executors load the model described by a {@link ScoringModelSpec} once per JVM.
 *
 * <pre>{@code
 * ModelLocation rm = ModelStore.existing(URI.create("hdfs:///models/rm"), sc.hadoopConfiguration());
 * try (SparkRewardModel reward = SparkRewardModel.builder(sc, ScoringModelSpec.djlReward(rm))
 *     .blockSize(256).build()) {
 *   ... IterativeDpo.builder().rewardModel(reward) ...
 * }
 * }</pre>
 *
 * <p><b>Blocks.</b> A {@link #score} call's requests are cut into blocks of {@link
 * Builder#blockSize} by position, and each block is scored by one call of the executor's model,
 * wherever it lands: the scores are bit-identical to {@code model.score(block)} in process for
 * each block, whatever the partitions or executors. Against one in-process call over all requests
 * (which batches them by length), they agree exactly when the model scores one sequence per
 * forward pass ({@code maxBatchSize} 1) and otherwise within float rounding of padding (masked
 * slots make padding numerically inert up to the engine's summation order; the tests bound the
 * difference by 1e-5).
 *
 * <p>Thread-safe ({@link #score} submits an independent Spark job). {@link #close} asks executors
 * to release the model (best effort, as {@link SparkPolicyBackend#close()}).
 */
public final class SparkRewardModel implements RewardModel {
  private final ExecutorScoring scoring;

  private SparkRewardModel(Builder b) {
    this.scoring = new ExecutorScoring(b);
  }

  /**
   * A builder scoring with {@code spec} on {@code sc}'s executors.
   *
   * @throws IllegalArgumentException if sc or spec is null, or spec names a preference model
   */
  public static Builder builder(JavaSparkContext sc, ScoringModelSpec spec) {
    checkArgument(sc != null, "sc must not be null");
    checkArgument(spec != null, "spec must not be null");
    checkArgument(spec.engine() != ScoringModelSpec.Engine.LM_PREFERENCE,
        "%s is a preference model: use SparkPreferenceModel", spec.engine());
    return new Builder(sc, spec);
  }

  /** The model executors load. */
  public ScoringModelSpec spec() {
    return scoring.spec();
  }

  /**
   * Scores the batch on the executors, in blocks (see the class documentation).
   *
   * @throws IllegalArgumentException if batch is null or holds a null
   * @throws IllegalStateException if this model is closed
   * @throws dev.rlhf4j.api.Rlhf4jException with the executor's message if scoring fails
   */
  @Override
  public double[] score(List<ScoreRequest> batch) {
    return scoring.run("reward model", false, batch,
        (from, to) -> Wire.encodeRequests(batch.subList(from, to), from));
  }

  @Override
  public void close() {
    scoring.close();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The {@linkplain ScoringModelSpec#fingerprint spec's fingerprint} (the model's content,
   * engine and sizes) with the block size, which decides how requests are batched on executors.
   */
  @Override
  public Optional<Fingerprint> fingerprint() {
    return Optional.of(scoring.fingerprint());
  }

  @Override
  public String toString() {
    return scoring.describe("SparkRewardModel");
  }

  /** Settings of a {@link SparkRewardModel}. Not thread-safe. */
  public static final class Builder extends ExecutorScoring.Settings<Builder> {
    private Builder(JavaSparkContext sc, ScoringModelSpec spec) {
      super(sc, spec);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The model; it loads nothing on the driver. */
    public SparkRewardModel build() {
      return new SparkRewardModel(this);
    }
  }
}
