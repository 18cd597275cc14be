package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.spark.internal.Wire;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A {@link PreferenceModel} that judges on Spark executors, for strategies that rank with {@code
 * ctx.preferenceModel()} (e.g. the preference knockout): executors load the model described by a
 * {@link ScoringModelSpec} ({@link ScoringModelSpec.Engine#LM_PREFERENCE}) once per JVM. Calls are
 * cut into blocks of {@link Builder#blockSize} comparisons by position, each judged by one call of
 * the executor's model, with the guarantees {@link SparkRewardModel} states for scores.
 *
 * <p>Thread-safe. {@link #close} asks executors to release the model (best effort).
 */
public final class SparkPreferenceModel implements PreferenceModel {
  private final ExecutorScoring scoring;

  private SparkPreferenceModel(Builder b) {
    this.scoring = new ExecutorScoring(b);
  }

  /**
   * A builder scoring with {@code spec} on {@code sc}'s executors.
   *
   * @throws IllegalArgumentException if sc or spec is null, or spec names a reward model
   */
  public static Builder builder(JavaSparkContext sc, ScoringModelSpec spec) {
    checkArgument(sc != null, "sc must not be null");
    checkArgument(spec != null, "spec must not be null");
    checkArgument(spec.engine() == ScoringModelSpec.Engine.LM_PREFERENCE,
        "%s is a reward model: use SparkRewardModel", spec.engine());
    return new Builder(sc, spec);
  }

  /** The model executors load. */
  public ScoringModelSpec spec() {
    return scoring.spec();
  }

  /**
   * Judges the comparisons on the executors, in blocks (see the class documentation).
   *
   * @throws IllegalArgumentException if batch is null or holds a null
   * @throws IllegalStateException if this model is closed
   * @throws dev.rlhf4j.api.Rlhf4jException with the executor's message if scoring fails
   */
  @Override
  public double[] probabilityFirstPreferred(List<Comparison> batch) {
    return scoring.run("preference model", true, batch,
        (from, to) -> Wire.encodeComparisons(batch.subList(from, to), from));
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
    return scoring.describe("SparkPreferenceModel");
  }

  /** Settings of a {@link SparkPreferenceModel}. Not thread-safe. */
  public static final class Builder extends ExecutorScoring.Settings<Builder> {
    private Builder(JavaSparkContext sc, ScoringModelSpec spec) {
      super(sc, spec);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The model; it loads nothing on the driver. */
    public SparkPreferenceModel build() {
      return new SparkPreferenceModel(this);
    }
  }
}
