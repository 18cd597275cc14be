package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.api.io.JsonlReader;
import dev.rlhf4j.api.io.JsonlWriter;
import dev.rlhf4j.spark.internal.Blocks;
import dev.rlhf4j.spark.internal.HadoopConf;
import dev.rlhf4j.spark.internal.HadoopFiles;
import dev.rlhf4j.spark.internal.SamplingCalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Stand-alone batch jobs over rlhf4j's hand-off files, useful outside the loop: {@link #generate}
 * samples a prompt file into a generated-samples file and {@link #annotate} scores one into an
 * annotated-samples file, on any Hadoop path. {@link SparkJobsMain} runs them from {@code
 * spark-submit}.
 *
 * <p>The driver reads the input with rlhf4j's JSONL reader (errors name the file and line) in
 * rounds, sends each round to the executors as {@link SparkPolicyBackend} and {@link
 * SparkRewardModel} do, and writes the output with rlhf4j's JSONL writer, so the files are
 * byte-identical to what the loop and the in-process classes write. Remote files pass through a
 * local temporary copy on the driver; the text is small next to the work done on executors (a
 * 20K-prompt file is a few MB, its 160K samples some hundred MB).
 *
 * <p>Results do not depend on the partitions, the executors or the round size: rounds are cut at
 * whole decoding blocks, and each response draws from its own seeded stream.
 */
public final class SparkJobs {
  private SparkJobs() {}

  /**
   * Runs {@code job} on {@code sc}'s executors.
   *
   * @return the number of prompts sampled
   * @throws IllegalArgumentException if an argument is null
   * @throws dev.rlhf4j.api.DataFormatException naming the line if the prompt file is malformed
   * @throws dev.rlhf4j.api.Rlhf4jException if a file cannot be read or written or sampling fails
   */
  public static long generate(JavaSparkContext sc, GenerateJob job) {
    checkArgument(sc != null && job != null, "sc and job must not be null");
    HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
    String group = "job:" + UUID.randomUUID();
    String key = dev.rlhf4j.spark.internal.PolicyTask.key(job.policy(), job.samplers());
    int perBlock = Blocks.promptsPerBlock(job.n(), job.samplers().batchRows());
    int round = Math.max(1, job.promptsPerRound() / perBlock) * perBlock;
    Path input = HadoopFiles.fetch(job.prompts(), conf.get());
    Path output = HadoopFiles.target(job.output());
    long count = 0;
    try (JsonlReader<Prompt> reader = Jsonl.reader(input, JsonlFormats.prompts());
        JsonlWriter<GeneratedSample> writer = Jsonl.writer(output, JsonlFormats.generatedSamples())) {
      List<Prompt> pending = new ArrayList<>(round);
      while (reader.hasNext()) {
        pending.add(reader.next());
        if (pending.size() == round || !reader.hasNext()) {
          writer.writeAll(SamplingCalls.run(sc, group, Set.of(key), job.policy(), job.samplers(),
              conf, job.partitions(), pending, job.n(), job.sampling()));
          count += pending.size();
          pending.clear();
        }
      }
      writer.commit();
    } finally {
      HadoopFiles.release(job.prompts(), input);
      SparkPolicyBackend.releaseOnExecutors(sc, group, java.util.Set.of());
    }
    HadoopFiles.publish(output, job.output(), conf.get());
    return count;
  }

  /**
   * Runs {@code job} on {@code sc}'s executors.
   *
   * @return the number of samples annotated
   * @throws IllegalArgumentException if an argument is null
   * @throws dev.rlhf4j.api.DataFormatException naming the line if the input file is malformed
   * @throws dev.rlhf4j.api.Rlhf4jException if a file cannot be read or written or scoring fails
   */
  public static long annotate(JavaSparkContext sc, AnnotateJob job) {
    checkArgument(sc != null && job != null, "sc and job must not be null");
    HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
    Path input = HadoopFiles.fetch(job.input(), conf.get());
    Path output = HadoopFiles.target(job.output());
    long count = 0;
    try (SparkRewardModel rm = SparkRewardModel.builder(sc, job.rewardModel())
            .blockSize(job.blockSize()).partitions(job.partitions()).build();
        JsonlReader<GeneratedSample> reader = Jsonl.reader(input, JsonlFormats.generatedSamples());
        JsonlWriter<AnnotatedSample> writer =
            Jsonl.writer(output, JsonlFormats.annotatedSamples())) {
      List<GeneratedSample> pending = new ArrayList<>();
      while (reader.hasNext()) {
        pending.add(reader.next());
        if (pending.size() == job.samplesPerRound() || !reader.hasNext()) {
          writer.writeAll(rm.annotate(pending));
          count += pending.size();
          pending.clear();
        }
      }
      writer.commit();
    } finally {
      HadoopFiles.release(job.input(), input);
    }
    HadoopFiles.publish(output, job.output(), conf.get());
    return count;
  }
}
