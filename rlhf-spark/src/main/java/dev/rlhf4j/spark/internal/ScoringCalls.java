package dev.rlhf4j.spark.internal;

import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.spark.ScoringModelSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.spark.api.java.JavaSparkContext;

/** The driver half of a scoring call: cut into blocks, score on executors, reassemble. */
public final class ScoringCalls {
  private ScoringCalls() {}

  /**
   * Scores {@code size} inputs in blocks of {@code blockSize}, encoding each block with {@code
   * encode(from, to)}, over at most {@code partitions} partitions.
   */
  public static double[] run(JavaSparkContext sc, String group, ScoringModelSpec spec,
      HadoopConf conf, boolean preference, int size, int blockSize, int partitions,
      BiFunction<Integer, Integer, List<String>> encode) {
    double[] out = new double[size];
    if (size == 0) {
      return out;
    }
    List<Wire.Block> blocks = new ArrayList<>();
    List<int[]> ranges = Blocks.ranges(size, blockSize);
    for (int i = 0; i < ranges.size(); i++) {
      blocks.add(new Wire.Block(i, encode.apply(ranges.get(i)[0], ranges.get(i)[1])));
    }
    List<Wire.Scores> scores;
    sc.setJobDescription("rlhf4j: score " + size + " inputs with " + spec.location().uri());
    try {
      scores = sc.parallelize(blocks, Math.min(partitions, blocks.size()))
          .mapPartitions(new ScoreTask(group, spec, conf, preference))
          .collect();
    } catch (Exception e) { // SparkException is checked but undeclared
      throw SparkFailures.wrap("scoring " + size + " inputs with " + spec.engine() + " model "
          + spec.location().uri() + " on Spark failed", e);
    } finally {
      sc.setJobDescription(null);
    }
    List<Wire.Scores> sorted = new ArrayList<>(scores);
    sorted.sort(Comparator.comparingInt(Wire.Scores::index));
    if (sorted.size() != ranges.size()) {
      throw new Rlhf4jException("Spark returned " + sorted.size() + " blocks for "
          + ranges.size());
    }
    for (Wire.Scores s : sorted) {
      System.arraycopy(s.values(), 0, out, ranges.get(s.index())[0], s.values().length);
    }
    return out;
  }
}
