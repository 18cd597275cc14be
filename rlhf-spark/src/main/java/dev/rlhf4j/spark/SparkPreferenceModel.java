package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.spark.internal.HadoopConf;
import dev.rlhf4j.spark.internal.ScoringCalls;
import dev.rlhf4j.spark.internal.Wire;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final JavaSparkContext sc;
  private final ScoringModelSpec spec;
  private final int blockSize;
  private final int partitions;
  private final HadoopConf conf;
  private final String group = "scorer:" + UUID.randomUUID();
  private final AtomicBoolean closed = new AtomicBoolean();

  private SparkPreferenceModel(Builder b) {
    this.sc = b.sc;
    this.spec = b.spec;
    this.blockSize = b.blockSize;
    this.partitions = b.partitions > 0 ? b.partitions : sc.defaultParallelism();
    this.conf = new HadoopConf(sc.hadoopConfiguration());
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
    return spec;
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
    checkState(!closed.get(), "the preference model is closed");
    checkArgument(batch != null, "batch must not be null");
    for (int i = 0; i < batch.size(); i++) {
      checkArgument(batch.get(i) != null, "batch[%s] must not be null", i);
    }
    return ScoringCalls.run(sc, group, spec, conf, true, batch.size(), blockSize, partitions,
        (from, to) -> Wire.encodeComparisons(batch.subList(from, to), from));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      SparkPolicyBackend.releaseOnExecutors(sc, group, java.util.Set.of());
    }
  }

  @Override
  public String toString() {
    return "SparkPreferenceModel[" + spec + ", blockSize=" + blockSize + "]";
  }

  /** Settings of a {@link SparkPreferenceModel}. Not thread-safe. */
  public static final class Builder {
    private final JavaSparkContext sc;
    private final ScoringModelSpec spec;
    private int blockSize = 64;
    private int partitions;

    private Builder(JavaSparkContext sc, ScoringModelSpec spec) {
      this.sc = sc;
      this.spec = spec;
    }

    /**
     * Comparisons per executor call (default 64): large enough to fill the model's batches, small
     * enough to spread a call over every core.
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder blockSize(int value) {
      checkArgument(value >= 1, "blockSize must be >= 1 but was %s", value);
      blockSize = value;
      return this;
    }

    /**
     * Partitions per call (default the context's {@code defaultParallelism}).
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder partitions(int value) {
      checkArgument(value >= 1, "partitions must be >= 1 but was %s", value);
      partitions = value;
      return this;
    }

    /** The model; it loads nothing on the driver. */
    public SparkPreferenceModel build() {
      return new SparkPreferenceModel(this);
    }
  }
}
