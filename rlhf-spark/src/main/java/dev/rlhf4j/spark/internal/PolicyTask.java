package dev.rlhf4j.spark.internal;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.spark.ModelLocation;
import dev.rlhf4j.spark.ModelStore;
import dev.rlhf4j.spark.SamplerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * One partition of a sampling call, on an executor: loads (or reuses) the checkpoint's sampler,
 * samples the partition's prompts in one call, and returns the samples block by block.
 */
public final class PolicyTask implements FlatMapFunction<Iterator<Wire.Block>, Wire.Block> {
  private static final long serialVersionUID = 1L;

  private final String group;
  private final Set<String> live;
  private final ModelLocation location;
  private final SamplerFactory factory;
  private final HadoopConf conf;
  private final int n;
  private final Wire.Params params;

  public PolicyTask(String group, Set<String> live, ModelLocation location,
      SamplerFactory factory, HadoopConf conf, int n, Wire.Params params) {
    this.group = group;
    this.live = Set.copyOf(live);
    this.location = location;
    this.factory = factory;
    this.conf = conf;
    this.n = n;
    this.params = params;
  }

  /** The cache key of a checkpoint sampled with a factory. */
  public static String key(ModelLocation location, SamplerFactory factory) {
    return location.key() + "|" + factory.getClass().getName() + ":" + factory;
  }

  /** This JVM's local directory for copies of remote models (one per JVM: it deletes them). */
  public static Path localCache() {
    return Path.of(System.getProperty("java.io.tmpdir"),
        "rlhf4j-spark-" + ProcessHandle.current().pid());
  }

  @Override
  public Iterator<Wire.Block> call(Iterator<Wire.Block> input) {
    List<Wire.Block> blocks = new ArrayList<>();
    input.forEachRemaining(blocks::add);
    if (blocks.isEmpty()) {
      return List.<Wire.Block>of().iterator();
    }
    List<Prompt> prompts = new ArrayList<>();
    for (Wire.Block b : blocks) {
      for (String item : b.items()) {
        prompts.add(Wire.decode(JsonlFormats.prompts(), item, "prompt"));
      }
    }
    TaskThreads.apply();
    List<GeneratedSample> samples;
    try (ExecutorCache.Lease<LoadedSampler> lease =
        ExecutorCache.acquire(group, key(location, factory), live, this::load)) {
      samples = lease.get().sampler.sample(prompts, n, params.toParams());
    }
    if (samples.size() != prompts.size()) {
      throw new Rlhf4jException(factory + " returned " + samples.size() + " samples for "
          + prompts.size() + " prompts; it must return one per prompt");
    }
    List<Wire.Block> out = new ArrayList<>(blocks.size());
    int k = 0;
    for (Wire.Block b : blocks) {
      List<String> items = new ArrayList<>(b.items().size());
      for (int i = 0; i < b.items().size(); i++) {
        items.add(Wire.encode(JsonlFormats.generatedSamples(), samples.get(k++)));
      }
      out.add(new Wire.Block(b.index(), items));
    }
    return out.iterator();
  }

  private LoadedSampler load() {
    ModelStore.Materialized local = ModelStore.materialize(location, conf.get(), localCache());
    try {
      return new LoadedSampler(factory.open(local.directory()), local);
    } catch (RuntimeException e) {
      LoadedSampler.deleteCopy(local);
      throw e;
    }
  }

  /** A sampler and the local copy of its checkpoint, deleted when the sampler is released. */
  static final class LoadedSampler implements AutoCloseable {
    final PolicySampler sampler;
    final ModelStore.Materialized local;

    LoadedSampler(PolicySampler sampler, ModelStore.Materialized local) {
      this.sampler = sampler;
      this.local = local;
    }

    @Override
    public void close() {
      try {
        sampler.close();
      } finally {
        deleteCopy(local);
      }
    }

    static void deleteCopy(ModelStore.Materialized local) {
      if (local.copy()) {
        try {
          MoreFiles.deleteRecursively(local.directory(), RecursiveDeleteOption.ALLOW_INSECURE);
        } catch (IOException e) {
          // a leftover copy only costs disk; the next materialize reuses it
        }
      }
    }
  }
}
