package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.PolicyBackend;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.iterative.TrainRequest;
import dev.rlhf4j.iterative.TrainedPolicy;
import dev.rlhf4j.spark.internal.ExecutorCache;
import dev.rlhf4j.spark.internal.HadoopConf;
import dev.rlhf4j.spark.internal.PolicyTask;
import dev.rlhf4j.spark.internal.SamplingCalls;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A {@link PolicyBackend} that samples on Spark executors and trains on the driver: {@link
 * #train} and {@link #settings} go to the wrapped backend (DJL has no multi-node training, so the
 * trainer stays in the driver JVM), and each sampler it returns sends {@code sample(prompts, n,
 * params)} to the executors.
 *
 * <pre>{@code
 * JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName("iterative-dpo"));
 * try (SparkPolicyBackend backend = SparkPolicyBackend.builder(sc)
 *     .stagingDirectory(URI.create("hdfs:///user/me/rlhf4j/checkpoints"))
 *     .samplers(SamplerFactory.generator(64))                  // = the trainer's maxBatchRows
 *     .build(DjlDpoBackend.builder().maxBatchRows(64).build())) {
 *   LoopResult result = IterativeDpo.builder().backend(backend)...build().run();
 * }
 * }</pre>
 *
 * <p><b>Where the checkpoint comes from.</b> {@link #sampler(Path)} publishes the driver's
 * checkpoint directory under the {@linkplain Builder#stagingDirectory staging directory} with
 * {@link ModelStore#publish} (once per content) and fingerprints it; without a staging directory
 * the checkpoint's own {@code file:} path is used, which every executor must see (a shared
 * mount). Each executor JVM loads a checkpoint once, with the {@link SamplerFactory}, and shares it
 * between its tasks; closing a sampler (the loop does before each training call) runs a small
 * release job, and any later task on an executor also releases checkpoints no open sampler names
 * (model and local copy).
 *
 * <p><b>Partitions.</b> A call's prompts are cut into blocks of whole decoding batches ({@link
 * SamplerFactory#batchRows()} rows: {@code rows / gcd(n, rows)} prompts) and the blocks are spread
 * over {@link Builder#partitions} partitions, contiguously and in order. The driver gets the
 * samples back in prompt order.
 *
 * <p><b>Same results as in process.</b> Every response draws from its own random stream ({@code
 * (seed, prompt id, sample index)}) and, because a partition holds whole batches cut at the same
 * global row indices as the in-process generator's, is computed in the same batch, with the same
 * shapes: the samples are bit-identical to the wrapped DJL backend's (with the same {@code
 * maxBatchRows}) whatever the number of partitions or executors, on executors with the same CPU
 * kind and engine thread settings as the driver. Two exceptions: prompts skipped by {@link
 * dev.rlhf4j.sampling.generate.ContextOverflowPolicy#SKIP} shift the in-process batches (the
 * default left-truncation does not), and different hardware may round differently — then a
 * response changes only where a uniform draw falls within rounding of a token boundary.
 *
 * <p><b>Faults.</b> A failed task (an executor lost mid-partition) is rerun by Spark; a task's
 * output depends only on its prompts, so the call's result is the same. A call that still fails
 * throws {@link Rlhf4jException} with the executor's message; the loop's resume reruns the
 * iteration from its journal.
 *
 * <p>Not thread-safe: one loop calls it from one thread, as {@link PolicyBackend} says. Closing
 * it closes the wrapped backend and asks the executors to release its models (best effort: a
 * cluster may not run the release task on every executor; models also go when their JVM ends).
 */
public final class SparkPolicyBackend implements PolicyBackend {
  private final JavaSparkContext sc;
  private final PolicyBackend trainer;
  private final SamplerFactory factory;
  private final URI staging;
  private final int partitions;
  private final HadoopConf conf;
  private final String group = "policy:" + UUID.randomUUID();
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private SparkPolicyBackend(Builder b, PolicyBackend trainer) {
    this.sc = b.sc;
    this.trainer = trainer;
    this.factory = b.factory;
    this.staging = b.staging;
    this.partitions = b.partitions > 0 ? b.partitions : sc.defaultParallelism();
    this.conf = new HadoopConf(sc.hadoopConfiguration());
  }

  /**
   * A builder sampling on {@code sc}'s executors.
   *
   * @throws IllegalArgumentException if sc is null
   */
  public static Builder builder(JavaSparkContext sc) {
    checkArgument(sc != null, "sc must not be null");
    return new Builder(sc);
  }

  /**
   * Publishes {@code checkpoint} where executors can read it and returns a sampler that samples
   * there; nothing is loaded on the driver.
   *
   * @throws IllegalArgumentException if checkpoint is null or not a directory
   * @throws IllegalStateException if this backend is closed
   * @throws Rlhf4jException if publishing fails
   */
  @Override
  public PolicySampler sampler(Path checkpoint) {
    checkState(!closed.get(), "the backend is closed");
    checkArgument(checkpoint != null && java.nio.file.Files.isDirectory(checkpoint),
        "checkpoint must be an existing directory but was %s", checkpoint);
    ModelLocation location =
        staging == null
            ? ModelStore.existing(checkpoint.toAbsolutePath().toUri(), conf.get())
            : ModelStore.publish(checkpoint, staging, conf.get());
    return new SparkSampler(location);
  }

  /** Trains with the wrapped backend, on the driver. */
  @Override
  public TrainedPolicy train(TrainRequest request) {
    checkState(!closed.get(), "the backend is closed");
    return trainer.train(request);
  }

  /**
   * The wrapped backend's settings: where sampling runs does not change results, so a run may
   * resume in process or on another cluster.
   */
  @Override
  public Map<String, String> settings() {
    return trainer.settings();
  }

  /** The partitions per sampling call. */
  public int partitions() {
    return partitions;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        live.clear();
        releaseOnExecutors(sc, group, Set.of());
      } finally {
        trainer.close();
      }
    }
  }

  /**
   * Best effort: one task per default slot evicts the group's models but {@code keep} on
   * whichever executor runs it.
   */
  static void releaseOnExecutors(JavaSparkContext sc, String group, Set<String> keep) {
    if (sc.sc().isStopped()) {
      return;
    }
    int slots = Math.max(1, sc.defaultParallelism());
    try {
      sc.parallelize(IntStream.range(0, slots).boxed().toList(), slots)
          .foreachPartition(it -> ExecutorCache.evict(group, keep));
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(SparkPolicyBackend.class)
          .warn("releasing the models of {} on executors failed", group, e);
    }
  }

  private final class SparkSampler implements PolicySampler {
    private final ModelLocation location;
    private final String key;
    private final AtomicBoolean samplerClosed = new AtomicBoolean();

    SparkSampler(ModelLocation location) {
      this.location = location;
      this.key = PolicyTask.key(location, factory);
      live.add(key);
    }

    @Override
    public List<GeneratedSample> sample(List<Prompt> prompts, int n, SamplingParams params) {
      checkState(!samplerClosed.get(), "the sampler of %s is closed", location.uri());
      checkArgument(prompts != null, "prompts must not be null");
      checkArgument(params != null, "params must not be null");
      checkArgument(n >= 1, "n must be >= 1 but was %s", n);
      if (prompts.isEmpty()) {
        return List.of();
      }
      return SamplingCalls.run(sc, group, Set.copyOf(live), location, factory, conf,
          partitions, prompts, n, params);
    }

    @Override
    public void close() {
      if (samplerClosed.compareAndSet(false, true)) {
        live.remove(key);
        // the loop closes its samplers before training: free the executors' copies now, so that
        // in local mode (executors in the driver's JVM) no sampling model is held while training
        releaseOnExecutors(sc, group, Set.copyOf(live));
      }
    }
  }

  /** Settings of a {@link SparkPolicyBackend}; each setter checks its range. Not thread-safe. */
  public static final class Builder {
    private final JavaSparkContext sc;
    private SamplerFactory factory = SamplerFactory.generator(64);
    private URI staging;
    private int partitions;

    private Builder(JavaSparkContext sc) {
      this.sc = sc;
    }

    /**
     * How executors load checkpoints (default {@code SamplerFactory.generator(64)}, the DJL
     * backend's default {@code maxBatchRows}).
     *
     * @throws IllegalArgumentException if value is null
     */
    public Builder samplers(SamplerFactory value) {
      checkArgument(value != null, "samplers must not be null");
      factory = value;
      return this;
    }

    /**
     * A Hadoop directory URI every executor can read and the driver can write ({@code
     * hdfs:///rlhf4j/checkpoints}, {@code s3a://bucket/run1/checkpoints}, {@code
     * file:///mnt/shared/ckpt}): each checkpoint is copied there before it is sampled. Without
     * one (the default), checkpoints are read from their own paths, which then must be on a mount
     * every executor shares (or {@code local[N]} mode).
     *
     * @throws IllegalArgumentException if value is not an absolute URI
     */
    public Builder stagingDirectory(URI value) {
      checkArgument(value != null && value.isAbsolute(),
          "stagingDirectory must be an absolute URI with a scheme (hdfs://, s3a://, file://)"
              + " but was %s", value);
      staging = value;
      return this;
    }

    /**
     * Partitions per sampling call (default the context's {@code defaultParallelism}, one per
     * executor core); fewer when a call has fewer blocks.
     *
     * @throws IllegalArgumentException if value is below 1
     */
    public Builder partitions(int value) {
      checkArgument(value >= 1, "partitions must be >= 1 but was %s", value);
      partitions = value;
      return this;
    }

    /**
     * The backend, training with {@code trainer} (which it then owns and closes).
     *
     * @throws IllegalArgumentException if trainer is null
     */
    public SparkPolicyBackend build(PolicyBackend trainer) {
      checkArgument(trainer != null, "trainer must not be null");
      return new SparkPolicyBackend(this, trainer);
    }
  }
}
