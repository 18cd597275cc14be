package dev.rlhf4j.spark.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.spark.ModelLocation;
import dev.rlhf4j.spark.SamplerFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;

/** The driver half of a sampling call: cut into blocks, sample on executors, reassemble. */
public final class SamplingCalls {
  private SamplingCalls() {}

  /** Samples {@code prompts} on the executors; the samples come back in prompt order. */
  public static List<GeneratedSample> run(JavaSparkContext sc, String group, Set<String> live,
      ModelLocation location, SamplerFactory factory, HadoopConf conf, int partitions,
      List<Prompt> prompts, int n, SamplingParams params) {
    int perBlock = Blocks.promptsPerBlock(n, factory.batchRows());
    List<Wire.Block> blocks = new ArrayList<>();
    int index = 0;
    for (int[] r : Blocks.ranges(prompts.size(), perBlock)) {
      List<String> items = new ArrayList<>(r[1] - r[0]);
      for (int i = r[0]; i < r[1]; i++) {
        checkArgument(prompts.get(i) != null, "prompts[%s] must not be null", i);
        items.add(Wire.encode(JsonlFormats.prompts(), prompts.get(i)));
      }
      blocks.add(new Wire.Block(index++, items));
    }
    List<Wire.Block> results;
    sc.setJobDescription(
        "rlhf4j: sample " + n + " x " + prompts.size() + " prompts from " + location.uri());
    try {
      results = sc.parallelize(blocks, Math.min(partitions, blocks.size()))
          .mapPartitions(new PolicyTask(group, live, location, factory, conf, n,
              Wire.Params.of(params)))
          .collect();
    } catch (Exception e) { // SparkException is checked but undeclared
      throw SparkFailures.wrap("sampling " + prompts.size() + " prompts from " + location.uri()
          + " on Spark failed", e);
    } finally {
      sc.setJobDescription(null);
    }
    List<Wire.Block> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingInt(Wire.Block::index));
    if (sorted.size() != blocks.size()) {
      throw new Rlhf4jException("Spark returned " + sorted.size() + " blocks for "
          + blocks.size());
    }
    List<GeneratedSample> out = new ArrayList<>(prompts.size());
    for (Wire.Block b : sorted) {
      for (String item : b.items()) {
        GeneratedSample s = Wire.decode(JsonlFormats.generatedSamples(), item, "sample");
        Prompt expected = prompts.get(out.size());
        if (!s.prompt().id().equals(expected.id())) {
          throw new Rlhf4jException("sample " + out.size() + " answers prompt "
              + s.prompt().id() + " but prompt " + expected.id() + " was sent there");
        }
        out.add(new GeneratedSample(expected, s.responses()));
      }
    }
    return out;
  }
}
