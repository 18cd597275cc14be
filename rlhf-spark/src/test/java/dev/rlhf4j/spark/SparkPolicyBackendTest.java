package dev.rlhf4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PolicyBackend;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.spark.internal.ExecutorCache;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SparkPolicyBackend} and {@link SparkRewardModel} in {@code local[3]} mode (three
 * executor threads, a task retried once): the same samples, hand-off files and training metrics as
 * the in-process DJL backend and reward model.
 */
class SparkPolicyBackendTest {
  @TempDir static Path tmp;
  private static JavaSparkContext sc;
  private static Path pi0;
  private static Path rmDir;
  private static Path inProcessRun;
  private static LoopResult inProcess;

  @BeforeAll
  static void setUp() {
    sc = Tiny.spark("local[3,2]");
    pi0 = Tiny.policy(tmp.resolve("pi0"), 3);
    rmDir = Tiny.rewardModel(tmp.resolve("rm"), 7);
    inProcessRun = tmp.resolve("in-process");
    try (RewardModel rm = inProcessRewardModel()) {
      inProcess = Tiny.loop(pi0, Tiny.djl(), rm, inProcessRun).build().run();
    }
  }

  @AfterAll
  static void tearDown() {
    if (sc != null) {
      sc.stop();
    }
  }

  /** One sequence per forward pass: scores do not depend on which requests share a call. */
  private static RewardModel inProcessRewardModel() {
    return DjlRewardModel.fromDirectory(rmDir).maxBatchSize(1).build();
  }

  private static SparkRewardModel sparkRewardModel() {
    return SparkRewardModel.builder(sc, ScoringModelSpec.djlReward(
            ModelStore.existing(rmDir.toUri(), sc.hadoopConfiguration())).withMaxBatchSize(1))
        .blockSize(5)
        .build();
  }

  private static SparkPolicyBackend.Builder spark() {
    return SparkPolicyBackend.builder(sc)
        .samplers(SamplerFactory.generator(Tiny.ROWS))
        .stagingDirectory(tmp.resolve("staging").toUri());
  }

  private static List<String> json(List<GeneratedSample> samples) {
    List<String> out = new ArrayList<>();
    samples.forEach(s -> out.add(JsonlFormats.generatedSamples().encode(s).toString()));
    return out;
  }

  private static Map<String, Double> trainMetrics(LoopResult result) {
    Map<String, Double> out = new TreeMap<>();
    for (IterationResult it : result.iterations()) {
      it.metrics().forEach((k, v) -> {
        if (k.startsWith("train/") || k.startsWith("explore/")) {
          out.put(it.iteration() + ":" + k, v);
        }
      });
    }
    return out;
  }

  @Test
  void sample_isBitIdenticalToInProcess_forAnyPartitionCount() {
    // 7 prompts x 3 responses with 8-row batches: blocks of 8 prompts would be one block, so use
    // n = 4 (blocks of 2 prompts, 4 blocks, the last one short) and n = 3 (one block of 8).
    List<Prompt> prompts = Tiny.prompts("p", 7);
    for (int n : new int[] {4, 3}) {
      List<String> expected;
      try (PolicyBackend djl = Tiny.djl();
          PolicySampler local = djl.sampler(pi0)) {
        expected = json(local.sample(prompts, n, Tiny.SAMPLING));
      }
      for (int partitions : new int[] {1, 2, 3}) {
        try (SparkPolicyBackend backend = spark().partitions(partitions)
                .build(Tiny.djl());
            PolicySampler remote = backend.sampler(pi0)) {
          assertThat(json(remote.sample(prompts, n, Tiny.SAMPLING)))
              .as("n=%s partitions=%s", n, partitions)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void partitions_holdWholeDecodingBatches_soEveryResponseSeesTheInProcessBatch() {
    // 20 prompts: n = 3 with 8-row batches gives blocks of 8 prompts (8, 8, 4); n = 4 blocks of 2
    List<Prompt> prompts = Tiny.prompts("q", 20);
    ChunkRecordingSamplers samplers = new ChunkRecordingSamplers(8);
    for (int n : new int[] {3, 4, 1}) {
      List<String> expected;
      try (PolicySampler local = samplers.open(pi0)) {
        expected = json(local.sample(prompts, n, Tiny.SAMPLING));
      }
      for (int partitions : new int[] {1, 2, 3, 7}) {
        try (SparkPolicyBackend backend = spark().samplers(samplers).partitions(partitions)
                .build(Tiny.djl());
            PolicySampler remote = backend.sampler(pi0)) {
          assertThat(json(remote.sample(prompts, n, Tiny.SAMPLING)))
              .as("n=%s partitions=%s", n, partitions)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void iterativeDpo_twoIterations_equalTheInProcessRun() {
    Path run = tmp.resolve("spark-run");
    LoopResult result;
    try (SparkRewardModel rm = sparkRewardModel();
        SparkPolicyBackend backend = spark().build(Tiny.djl())) {
      result = Tiny.loop(pi0, backend, rm, run).build().run();
    }
    assertThat(Tiny.handOffFiles(run)).isEqualTo(Tiny.handOffFiles(inProcessRun));
    assertThat(trainMetrics(result)).isEqualTo(trainMetrics(inProcess)).isNotEmpty();
  }

  @Test
  void failedTaskFirstAttempt_isRetried_andTheFilesAreTheSame() {
    int before = FlakySamplers.FAILURES.get();
    Path run = tmp.resolve("flaky-run");
    try (SparkRewardModel rm = sparkRewardModel();
        SparkPolicyBackend backend =
            spark().samplers(new FlakySamplers(Tiny.ROWS)).partitions(3).build(Tiny.djl())) {
      Tiny.loop(pi0, backend, rm, run).build().run();
    }
    assertThat(FlakySamplers.FAILURES.get() - before).as("injected failures").isGreaterThan(0);
    assertThat(Tiny.handOffFiles(run)).isEqualTo(Tiny.handOffFiles(inProcessRun));
  }

  @Test
  void customStrategy_runsUnchangedOnSpark() {
    // best against the second best, with the rewards as scores: a strategy rlhf4j does not ship
    ExplorationStrategy bestVsRunnerUp = (prompts, ctx) -> {
      List<GeneratedSample> generated = ctx.policy().sample(prompts, 3, ctx.sampling());
      List<PreferencePair> pairs = new ArrayList<>();
      for (AnnotatedSample s : ctx.annotate(generated)) {
        int best = s.argMax();
        int second = -1;
        for (int i = 0; i < s.responses().size(); i++) {
          if (i != best && (second < 0 || s.reward(i) > s.reward(second))) {
            second = i;
          }
        }
        if (s.reward(best) > s.reward(second)) {
          pairs.add(s.pair(best, second, "best-vs-runner-up"));
        }
      }
      return pairs;
    };
    Path local = tmp.resolve("custom-in-process");
    Path remote = tmp.resolve("custom-spark");
    try (RewardModel rm = inProcessRewardModel()) {
      Tiny.loop(pi0, Tiny.djl(), rm, local).exploration(bestVsRunnerUp).build().run();
    }
    try (SparkRewardModel rm = sparkRewardModel();
        SparkPolicyBackend backend = spark().build(Tiny.djl())) {
      Tiny.loop(pi0, backend, rm, remote).exploration(bestVsRunnerUp).build().run();
    }
    String firstSample = Tiny.read(remote.resolve("iter-1/generated.jsonl")).lines().findFirst()
        .orElseThrow();
    assertThat(dev.rlhf4j.spark.internal.Wire.decode(JsonlFormats.generatedSamples(),
        firstSample, "generated.jsonl:1").responses()).as("the custom strategy's n").hasSize(3);
    assertThat(Tiny.handOffFiles(remote)).isEqualTo(Tiny.handOffFiles(local));
  }

  @Test
  void resume_afterDeletingTheLastIteration_reproducesTheFiles() throws IOException {
    Path run = tmp.resolve("resume-run");
    try (SparkRewardModel rm = sparkRewardModel();
        SparkPolicyBackend backend = spark().build(Tiny.djl())) {
      Tiny.loop(pi0, backend, rm, run).build().run();
      MoreFiles.deleteRecursively(run.resolve("iter-2"), RecursiveDeleteOption.ALLOW_INSECURE);
      Tiny.loop(pi0, backend, rm, run).build().run();
    }
    assertThat(Tiny.handOffFiles(run)).isEqualTo(Tiny.handOffFiles(inProcessRun));
  }

  @Test
  void unreadableCheckpointLocation_failsNamingItAndWhatToDo() throws IOException {
    Path staging = tmp.resolve("staging-gone");
    try (SparkPolicyBackend backend = SparkPolicyBackend.builder(sc)
            .samplers(SamplerFactory.generator(Tiny.ROWS))
            .stagingDirectory(staging.toUri())
            .build(Tiny.djl());
        PolicySampler sampler = backend.sampler(pi0)) {
      // the driver published the checkpoint; then the executors' view of it disappears
      MoreFiles.deleteRecursively(staging, RecursiveDeleteOption.ALLOW_INSECURE);
      assertThatThrownBy(() -> sampler.sample(Tiny.prompts("p", 2), 2, Tiny.SAMPLING))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageContaining("cannot read model directory")
          .hasMessageContaining("staging-gone/pi0-")
          .hasMessageContaining("Every executor must be able to read it")
          .hasMessageContaining("hdfs://");
    }
  }

  @Test
  void stagingOnAnUnknownFileSystem_failsNamingIt() {
    try (SparkPolicyBackend backend = SparkPolicyBackend.builder(sc)
        .stagingDirectory(URI.create("nosuchfs://cluster/ckpt"))
        .build(Tiny.djl())) {
      assertThatThrownBy(() -> backend.sampler(pi0))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageContaining("cannot publish " + pi0 + " under nosuchfs://cluster/ckpt");
    }
  }

  @Test
  void closingASampler_releasesItsCheckpointOnExecutors_andTheNextOneLoadsAlone() {
    Path pi1 = Tiny.policy(tmp.resolve("pi1"), 4);
    List<Prompt> prompts = Tiny.prompts("p", 6);
    try (SparkPolicyBackend backend = spark().partitions(3).build(Tiny.djl())) {
      String firstKey;
      try (PolicySampler first = backend.sampler(pi0)) {
        first.sample(prompts, 4, Tiny.SAMPLING);
        firstKey = onlyKeyContaining("pi0-");
      }
      // local mode: the executor is this JVM; the loop would train now, holding no sampler
      assertThat(ExecutorCache.keys()).doesNotContain(firstKey);
      try (PolicySampler second = backend.sampler(pi1)) {
        second.sample(prompts, 4, Tiny.SAMPLING);
        onlyKeyContaining("pi1-");
        assertThat(ExecutorCache.keys()).doesNotContain(firstKey);
      }
    }
    assertThat(ExecutorCache.keys()).noneMatch(k -> k.contains("pi1-"));
  }

  private static String onlyKeyContaining(String part) {
    List<String> keys = ExecutorCache.keys().stream().filter(k -> k.contains(part)).toList();
    assertThat(keys).hasSize(1);
    return keys.get(0);
  }
}
