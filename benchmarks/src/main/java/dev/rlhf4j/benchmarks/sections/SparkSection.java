package dev.rlhf4j.benchmarks.sections;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.benchmarks.GenerationBenchmark;
import dev.rlhf4j.benchmarks.harness.BenchContext;
import dev.rlhf4j.benchmarks.harness.EngineThreads;
import dev.rlhf4j.benchmarks.harness.MacroBenchmark;
import dev.rlhf4j.benchmarks.harness.SectionResult;
import dev.rlhf4j.benchmarks.harness.SectionUnavailableException;
import dev.rlhf4j.iterative.PolicyBackend;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.iterative.TrainRequest;
import dev.rlhf4j.iterative.TrainedPolicy;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.sampling.generate.Generator;
import dev.rlhf4j.spark.ModelStore;
import dev.rlhf4j.spark.SamplerFactory;
import dev.rlhf4j.spark.ScoringModelSpec;
import dev.rlhf4j.spark.SparkPolicyBackend;
import dev.rlhf4j.spark.SparkRewardModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Sampling and annotation on Spark executors against in process (issue #15), on the benchmark
 * model ({@link GenerationBenchmark#describeModel()}) and a reward model of the same shape:
 * generation tokens per second and responses scored per second in process, in {@code local[1]}
 * and in {@code local[2]}, and Spark's overhead per iteration (publishing the checkpoint, loading
 * it on the executor, and the fixed cost of one Spark job). Keys {@code
 * spark.generate.tokensPerSec.inProcess|local1|local2}, {@code
 * spark.annotate.responsesPerSec.inProcess|local1|local2}, {@code spark.overhead.publishMs},
 * {@code spark.overhead.loadMs}, {@code spark.overhead.jobMs} and {@code
 * spark.overhead.perIterationMs}.
 *
 * <p>All runs decode in batches of {@value #ROWS} rows (so 16 prompts x 4 responses make four
 * blocks that two executors can share) with one PyTorch thread per task; {@code local[2]} runs two
 * tasks at once. Unavailable when Spark is not on the classpath ({@code bin/bench} puts it there).
 */
public final class SparkSection implements MacroBenchmark {
  private static final int ROWS = 16;
  private static final int N = 4;

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public SectionResult run(BenchContext context) throws Exception {
    try {
      Class.forName("org.apache.spark.api.java.JavaSparkContext");
    } catch (ClassNotFoundException e) {
      throw new SectionUnavailableException("Spark is not on the classpath");
    }
    int repeats = context.repeats(3, 1);
    int promptCount = context.quick() ? 16 : 32;
    // executors in local mode are threads of this JVM: give their tasks one PyTorch thread each,
    // as spark.executor.extraJavaOptions=-Dai.djl.pytorch.num_threads=1 does on a cluster
    String previous = System.setProperty("ai.djl.pytorch.num_threads", "1");
    try {
      return EngineThreads.withIntraOpThreads(1, () -> measure(repeats, promptCount));
    } finally {
      if (previous == null) {
        System.clearProperty("ai.djl.pytorch.num_threads");
      } else {
        System.setProperty("ai.djl.pytorch.num_threads", previous);
      }
    }
  }

  private SectionResult measure(int repeats, int promptCount) throws Exception {
    Path dir = Files.createTempDirectory("rlhf4j-spark-bench");
    try {
      Path policy = GenerationBenchmark.writeCheckpoint(dir.resolve("policy"));
      Path rm = dir.resolve("rm");
      try (CausalLm lm = CausalLm.load(policy);
          HfTokenizer tokenizer = HfTokenizer.load(policy);
          DjlRewardModel reward = DjlRewardModel.fromCausalLm(lm, tokenizer, 7).build()) {
        reward.save(rm);
      }
      List<Prompt> prompts = GenerationBenchmark.benchmarkPrompts(promptCount, 32, "spark");
      List<Prompt> one = prompts.subList(0, 1);
      SamplingParams params =
          SamplingParams.builder().temperature(1).maxNewTokens(32).seed(3).build();
      SamplingParams tiny = SamplingParams.builder().temperature(1).maxNewTokens(1).seed(3).build();

      Map<String, Double> figures = new LinkedHashMap<>();
      List<String> notes = new ArrayList<>();
      double[] inProcess;
      double tinyInProcessMs;
      try (CausalLm lm = CausalLm.load(policy);
          HfTokenizer tokenizer = HfTokenizer.load(policy);
          DjlRewardModel reward = DjlRewardModel.fromDirectory(rm).build()) {
        Generator generator = Generator.builder(lm, tokenizer).maxBatchRows(ROWS).build();
        generator.sample(one, 1, tiny);
        tinyInProcessMs = medianMs(repeats + 2, () -> generator.sample(one, 1, tiny));
        inProcess = throughput(repeats, () -> generator.sample(prompts, N, params),
            reward::annotate);
      }
      figures.put("spark.generate.tokensPerSec.inProcess", inProcess[0]);
      figures.put("spark.annotate.responsesPerSec.inProcess", inProcess[1]);

      double publishMs = 0;
      double loadMs = 0;
      double jobMs = 0;
      for (int cores : new int[] {1, 2}) {
        JavaSparkContext sc = new JavaSparkContext(new SparkConf()
            .setMaster("local[" + cores + "]").setAppName("rlhf4j-bench")
            .set("spark.ui.enabled", "false")
            .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
        try (SparkPolicyBackend backend = SparkPolicyBackend.builder(sc)
                .samplers(SamplerFactory.generator(ROWS))
                .stagingDirectory(dir.resolve("staging-" + cores).toUri())
                .build(new SamplingOnly());
            SparkRewardModel reward = SparkRewardModel.builder(sc,
                    ScoringModelSpec.djlReward(ModelStore.existing(rm.toUri(),
                        sc.hadoopConfiguration())))
                .blockSize(N * 4).build()) {
          long t0 = System.nanoTime();
          PolicySampler sampler = backend.sampler(policy);
          long t1 = System.nanoTime();
          sampler.sample(one, 1, tiny);
          long t2 = System.nanoTime();
          double job = medianMs(repeats + 2, () -> sampler.sample(one, 1, tiny));
          if (cores == 1) {
            publishMs = (t1 - t0) / 1e6;
            jobMs = job - tinyInProcessMs;
            loadMs = (t2 - t1) / 1e6 - job;
          }
          reward.score(List.of(new dev.rlhf4j.api.feedback.ScoreRequest(one.get(0).messages(),
              "warm-up")));
          double[] t = throughput(repeats, () -> sampler.sample(prompts, N, params),
              reward::annotate);
          figures.put("spark.generate.tokensPerSec.local" + cores, t[0]);
          figures.put("spark.annotate.responsesPerSec.local" + cores, t[1]);
          sampler.close();
        } finally {
          sc.stop();
        }
      }
      // one iteration of the loop: one checkpoint published and loaded, and (rejection sampling,
      // prompts in one batch) one sampling job and one scoring job
      double perIteration = publishMs + loadMs + 2 * jobMs;
      figures.put("spark.overhead.publishMs", publishMs);
      figures.put("spark.overhead.loadMs", loadMs);
      figures.put("spark.overhead.jobMs", jobMs);
      figures.put("spark.overhead.perIterationMs", perIteration);
      notes.add(String.format(Locale.ROOT,
          "local[2]/in-process: generation x%.2f, annotation x%.2f; local[1]/in-process:"
              + " generation x%.2f, annotation x%.2f",
          figures.get("spark.generate.tokensPerSec.local2") / inProcess[0],
          figures.get("spark.annotate.responsesPerSec.local2") / inProcess[1],
          figures.get("spark.generate.tokensPerSec.local1") / inProcess[0],
          figures.get("spark.annotate.responsesPerSec.local1") / inProcess[1]));
      notes.add(String.format(Locale.ROOT,
          "overhead per iteration %.0f ms = publish %.0f + executor load %.0f + 2 jobs x %.0f"
              + " (a job: scheduling, task serialisation, JSON round trip of the records)",
          perIteration, publishMs, loadMs, jobMs));
      return new SectionResult(figures, String.format(Locale.ROOT,
          "%s; %d prompts x %d responses, %d new tokens, %d-row batches; median of %d; 1 PyTorch"
              + " thread per task", GenerationBenchmark.describeModel(), promptCount, N, 32, ROWS,
          repeats), notes);
    } finally {
      MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
    }
  }

  /** Tokens generated per second and responses scored per second, medians of repeats. */
  private static double[] throughput(int repeats, Supplier<List<GeneratedSample>> generate,
      java.util.function.Function<List<GeneratedSample>, ?> annotate) {
    double[] genSeconds = new double[repeats];
    double[] scoreSeconds = new double[repeats];
    long tokens = 0;
    int responses = 0;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      List<GeneratedSample> samples = generate.get();
      long t1 = System.nanoTime();
      annotate.apply(samples);
      long t2 = System.nanoTime();
      genSeconds[r] = (t1 - t0) / 1e9;
      scoreSeconds[r] = (t2 - t1) / 1e9;
      tokens = samples.stream().flatMap(s -> s.responses().stream())
          .mapToLong(c -> c.tokenCount()).sum();
      responses = samples.stream().mapToInt(s -> s.responses().size()).sum();
    }
    return new double[] {tokens / median(genSeconds), responses / median(scoreSeconds)};
  }

  private static double medianMs(int repeats, Runnable call) {
    double[] ms = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      call.run();
      ms[r] = (System.nanoTime() - t0) / 1e6;
    }
    return median(ms);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** A backend that only samples: the section never trains. */
  private static final class SamplingOnly implements PolicyBackend {
    @Override
    public PolicySampler sampler(Path checkpoint) {
      throw new UnsupportedOperationException("sampling goes through Spark");
    }

    @Override
    public TrainedPolicy train(TrainRequest request) {
      throw new UnsupportedOperationException("the Spark section does not train");
    }
  }
}
