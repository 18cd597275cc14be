package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.spark.internal.HadoopConf;
import dev.rlhf4j.spark.internal.ScoringCalls;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * What {@link SparkRewardModel} and {@link SparkPreferenceModel} share: the context, the model
 * spec, the block and partition counts, the executor-cache group and the closed flag, and the one
 * way they submit a scoring job, fingerprint and close. Thread-safe.
 */
final class ExecutorScoring {
  private final JavaSparkContext sc;
  private final ScoringModelSpec spec;
  private final int blockSize;
  private final int partitions;
  private final HadoopConf conf;
  private final String group = "scorer:" + UUID.randomUUID();
  private final AtomicBoolean closed = new AtomicBoolean();

  ExecutorScoring(Settings<?> settings) {
    this.sc = settings.sc;
    this.spec = settings.spec;
    this.blockSize = settings.blockSize;
    this.partitions = settings.partitions > 0 ? settings.partitions : sc.defaultParallelism();
    this.conf = new HadoopConf(sc.hadoopConfiguration());
  }

  ScoringModelSpec spec() {
    return spec;
  }

  /**
   * Checks {@code batch}, then scores it on the executors in blocks.
   *
   * @param kind what the model is, for the closed-model message ("reward model")
   * @param preference whether the executors judge comparisons (true) or score requests
   * @param encode the wire lines of the items in [from, to)
   */
  double[] run(
      String kind, boolean preference, List<?> batch,
      BiFunction<Integer, Integer, List<String>> encode) {
    checkState(!closed.get(), "the %s is closed", kind);
    checkArgument(batch != null, "batch must not be null");
    for (int i = 0; i < batch.size(); i++) {
      checkArgument(batch.get(i) != null, "batch[%s] must not be null", i);
    }
    return ScoringCalls.run(
        sc, group, spec, conf, preference, batch.size(), blockSize, partitions, encode);
  }

  /** Asks executors to release the model; idempotent (best effort, see SparkPolicyBackend). */
  void close() {
    if (closed.compareAndSet(false, true)) {
      SparkPolicyBackend.releaseOnExecutors(sc, group, Set.of());
    }
  }

  /** The spec's fingerprint with the block size, which decides how items are batched. */
  Fingerprint fingerprint() {
    return spec.fingerprint().with("setting:blockSize", Integer.toString(blockSize));
  }

  /** {@code Name[spec, blockSize=n]}. */
  String describe(String name) {
    return name + "[" + spec + ", blockSize=" + blockSize + "]";
  }

  /**
   * The settings both builders share. Not thread-safe.
   *
   * @param <B> the public builder, returned by every setter
   */
  abstract static class Settings<B extends Settings<B>> {
    private final JavaSparkContext sc;
    private final ScoringModelSpec spec;
    private int blockSize = 64;
    private int partitions;

    Settings(JavaSparkContext sc, ScoringModelSpec spec) {
      this.sc = sc;
      this.spec = spec;
    }

    abstract B self();

    /**
     * Items (requests or comparisons) per executor call (default 64): large enough to fill the
     * model's batches, small enough to spread a call over every core.
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public B blockSize(int value) {
      checkArgument(value >= 1, "blockSize must be >= 1 but was %s", value);
      blockSize = value;
      return self();
    }

    /**
     * Partitions per call (default the context's {@code defaultParallelism}).
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public B partitions(int value) {
      checkArgument(value >= 1, "partitions must be >= 1 but was %s", value);
      partitions = value;
      return self();
    }
  }
}
