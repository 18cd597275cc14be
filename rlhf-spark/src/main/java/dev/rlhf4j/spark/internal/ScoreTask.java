package dev.rlhf4j.spark.internal;

import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.spark.ModelStore;
import dev.rlhf4j.spark.ScoringModelSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * One partition of a scoring call, on an executor: loads (or reuses) the scoring model and scores
 * each block with its own call, so a block's scores do not depend on the partition it landed in.
 */
public final class ScoreTask implements FlatMapFunction<Iterator<Wire.Block>, Wire.Scores> {
  private static final long serialVersionUID = 1L;

  private final String group;
  private final ScoringModelSpec spec;
  private final HadoopConf conf;
  private final boolean preference;

  public ScoreTask(String group, ScoringModelSpec spec, HadoopConf conf, boolean preference) {
    this.group = group;
    this.spec = spec;
    this.conf = conf;
    this.preference = preference;
  }

  /** The cache key of a scoring model. */
  public static String key(ScoringModelSpec spec) {
    return spec.location().key() + "|" + spec.engine() + ":" + spec.maxBatchSize() + ":"
        + spec.maxLength();
  }

  @Override
  public Iterator<Wire.Scores> call(Iterator<Wire.Block> input) {
    List<Wire.Scores> out = new ArrayList<>();
    if (!input.hasNext()) {
      return out.iterator();
    }
    TaskThreads.apply();
    String key = key(spec);
    try (ExecutorCache.Lease<Loaded> lease =
        ExecutorCache.acquire(group, key, Set.of(key), this::load)) {
      while (input.hasNext()) {
        Wire.Block b = input.next();
        double[] scores =
            preference
                ? ((dev.rlhf4j.api.feedback.PreferenceModel) lease.get().model)
                    .probabilityFirstPreferred(Wire.decodeComparisons(b.items()))
                : ((dev.rlhf4j.api.feedback.RewardModel) lease.get().model)
                    .score(Wire.decodeRequests(b.items()));
        if (scores.length != b.items().size()) {
          throw new Rlhf4jException(spec.engine() + " model at " + spec.location().uri()
              + " returned " + scores.length + " scores for " + b.items().size() + " inputs");
        }
        out.add(new Wire.Scores(b.index(), scores));
      }
    }
    return out.iterator();
  }

  /** A scoring model and the local copy of its directory, deleted when it is released. */
  private record Loaded(AutoCloseable model, ModelStore.Materialized local)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        model.close();
      } catch (Exception e) {
        throw new dev.rlhf4j.api.Rlhf4jException("closing the scoring model failed: " + e, e);
      } finally {
        PolicyTask.LoadedSampler.deleteCopy(local);
      }
    }
  }

  private Loaded load() {
    ModelStore.Materialized local =
        ModelStore.materialize(spec.location(), conf.get(), PolicyTask.localCache());
    try {
      AutoCloseable model =
          preference ? spec.openPreference(local.directory()) : spec.openReward(local.directory());
      return new Loaded(model, local);
    } catch (RuntimeException e) {
      PolicyTask.LoadedSampler.deleteCopy(local);
      throw e;
    }
  }
}
