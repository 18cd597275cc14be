package dev.rlhf4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.iterative.PolicyBackend;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.onnx.OnnxExport;
import dev.rlhf4j.reward.onnx.OnnxRewardModel;
import dev.rlhf4j.reward.preference.LmPreferenceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring on executors ({@link SparkRewardModel}, {@link SparkPreferenceModel}, DJL and ONNX
 * Runtime), model directories on a non-{@code file:} Hadoop file system, and the stand-alone
 * {@link SparkJobs}, in {@code local[3]} mode.
 */
class SparkScoringAndJobsTest {
  @TempDir static Path tmp;
  private static JavaSparkContext sc;
  private static Path pi0;
  private static Path rmDir;

  @BeforeAll
  static void setUp() {
    sc = Tiny.spark("local[3]");
    OtherSchemeFileSystem.register(sc.hadoopConfiguration());
    pi0 = Tiny.policy(tmp.resolve("pi0"), 3);
    rmDir = Tiny.rewardModel(tmp.resolve("rm"), 7);
  }

  @AfterAll
  static void tearDown() {
    if (sc != null) {
      sc.stop();
    }
  }

  private static List<ScoreRequest> requests(int n) {
    String[] responses = {"yes", "no no", "say red cat ok", "", "two dog blue blue yes", "maybe"};
    List<ScoreRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ScoreRequest(List.of(Message.user(i % 2 == 0 ? "say yes" : "say one two")),
          responses[i % responses.length] + (i % 4 == 0 ? " ok" : "")));
    }
    return out;
  }

  private static ModelLocation location(Path dir) {
    return ModelStore.existing(dir.toUri(), sc.hadoopConfiguration());
  }

  @Test
  void rewardModel_fingerprint_isTheModelsContent_notItsLocation(@TempDir Path own)
      throws IOException {
    Path copy = Tiny.rewardModel(own.resolve("copy"), 7);
    Path other = Tiny.rewardModel(own.resolve("other"), 8);
    try (SparkRewardModel a = SparkRewardModel.builder(sc,
            ScoringModelSpec.djlReward(location(rmDir))).blockSize(4).build();
        SparkRewardModel sameFiles = SparkRewardModel.builder(sc,
            ScoringModelSpec.djlReward(location(copy))).blockSize(4).build();
        SparkRewardModel otherWeights = SparkRewardModel.builder(sc,
            ScoringModelSpec.djlReward(location(other))).blockSize(4).build();
        SparkRewardModel otherBlocks = SparkRewardModel.builder(sc,
            ScoringModelSpec.djlReward(location(rmDir))).blockSize(8).build()) {
      var recorded = a.fingerprint().orElseThrow();
      assertThat(sameFiles.fingerprint().orElseThrow().differencesFrom(recorded)).isEmpty();
      assertThat(otherWeights.fingerprint().orElseThrow().differencesFrom(recorded))
          .singleElement().asString().startsWith("content: recorded ");
      assertThat(otherBlocks.fingerprint().orElseThrow().differencesFrom(recorded))
          .singleElement().asString().startsWith("setting:blockSize: recorded 4, now 8");
    }
  }

  @Test
  void rewardModel_oneSequencePerPass_isBitIdenticalToInProcess_forAnyBlocksAndPartitions() {
    List<ScoreRequest> batch = requests(11);
    double[] expected;
    try (RewardModel local = DjlRewardModel.fromDirectory(rmDir).maxBatchSize(1).build()) {
      expected = local.score(batch);
    }
    for (int blockSize : new int[] {1, 4, 64}) {
      for (int partitions : new int[] {1, 3}) {
        try (SparkRewardModel remote = SparkRewardModel.builder(sc,
                ScoringModelSpec.djlReward(location(rmDir)).withMaxBatchSize(1))
            .blockSize(blockSize).partitions(partitions).build()) {
          assertThat(remote.score(batch)).as("block %s, partitions %s", blockSize, partitions)
              .containsExactly(expected);
        }
      }
    }
  }

  @Test
  void rewardModel_batchedScoring_agreesWithOneInProcessCallWithinRounding() {
    List<ScoreRequest> batch = requests(13);
    double[] expected;
    try (RewardModel local = DjlRewardModel.fromDirectory(rmDir).maxBatchSize(4).build()) {
      expected = local.score(batch);
    }
    try (SparkRewardModel remote = SparkRewardModel.builder(sc,
            ScoringModelSpec.djlReward(location(rmDir)).withMaxBatchSize(4))
        .blockSize(5).build()) {
      double[] actual = remote.score(batch);
      for (int i = 0; i < batch.size(); i++) {
        assertThat(actual[i]).as("request %s", i).isCloseTo(expected[i], within(1e-5));
      }
    }
  }

  @Test
  void onnxRewardModel_scoresOnExecutorsLikeInProcess() throws IOException {
    Path onnx = tmp.resolve("rm-onnx");
    try (DjlRewardModel rm = DjlRewardModel.fromDirectory(rmDir).build()) {
      OnnxExport.export(rm.classifier(), onnx);
    }
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      Files.copy(rmDir.resolve(f), onnx.resolve(f));
    }
    List<ScoreRequest> batch = requests(9);
    double[] expected;
    try (HfTokenizer tokenizer = HfTokenizer.load(onnx);
        OnnxRewardModel local = OnnxRewardModel.builder(onnx).tokenizer(tokenizer).build()) {
      expected = local.score(batch);
    }
    try (SparkRewardModel remote =
        SparkRewardModel.builder(sc, ScoringModelSpec.onnxReward(location(onnx))).blockSize(4)
            .build()) {
      double[] actual = remote.score(batch);
      for (int i = 0; i < batch.size(); i++) {
        assertThat(actual[i]).as("request %s", i).isCloseTo(expected[i], within(1e-5));
      }
    }
  }

  @Test
  void preferenceModel_judgesOnExecutorsLikeInProcess() {
    List<Comparison> batch = new ArrayList<>();
    for (ScoreRequest r : requests(7)) {
      batch.add(new Comparison(r.prompt(), r.response(), "no " + r.response()));
    }
    double[] expected;
    try (PreferenceModel local = LmPreferenceModel.fromDirectory(pi0).maxBatchSize(2).build()) {
      expected = local.probabilityFirstPreferred(batch);
    }
    try (SparkPreferenceModel remote = SparkPreferenceModel.builder(sc,
            ScoringModelSpec.lmPreference(location(pi0)).withMaxBatchSize(2))
        .blockSize(3).build()) {
      double[] actual = remote.probabilityFirstPreferred(batch);
      for (int i = 0; i < batch.size(); i++) {
        assertThat(actual[i]).as("comparison %s", i).isCloseTo(expected[i], within(1e-5));
      }
    }
  }

  @Test
  void remoteStagingDirectory_isCopiedToExecutorsAndSamplesAreTheSame() {
    List<Prompt> prompts = Tiny.prompts("p", 5);
    List<GeneratedSample> expected;
    try (PolicyBackend djl = Tiny.djl(); PolicySampler s = djl.sampler(pi0)) {
      expected = s.sample(prompts, 4, Tiny.SAMPLING);
    }
    try (SparkPolicyBackend backend = SparkPolicyBackend.builder(sc)
            .samplers(SamplerFactory.generator(Tiny.ROWS))
            .stagingDirectory(OtherSchemeFileSystem.uri(tmp.resolve("remote-staging")))
            .build(Tiny.djl());
        PolicySampler s = backend.sampler(pi0)) {
      assertThat(s.sample(prompts, 4, Tiny.SAMPLING)).isEqualTo(expected);
    }
    assertThat(tmp.resolve("remote-staging")).isDirectoryContaining(
        p -> p.getFileName().toString().startsWith("pi0-"));
  }

  @Test
  void publish_sameContentTwice_copiesOnce_andAChangedCheckpointGetsANewDirectory()
      throws IOException {
    Path dir = Tiny.policy(tmp.resolve("pub"), 9);
    var conf = sc.hadoopConfiguration();
    ModelLocation first = ModelStore.publish(dir, tmp.resolve("pub-staging").toUri(), conf);
    ModelLocation again = ModelStore.publish(dir, tmp.resolve("pub-staging").toUri(), conf);
    assertThat(again).isEqualTo(first);
    Files.writeString(dir.resolve("extra.txt"), "changed");
    ModelLocation changed = ModelStore.publish(dir, tmp.resolve("pub-staging").toUri(), conf);
    assertThat(changed.fingerprint()).isNotEqualTo(first.fingerprint());
    assertThat(changed.uri()).isNotEqualTo(first.uri());
  }

  @Test
  void generateAndAnnotateJobs_writeTheFilesTheInProcessClassesWrite() {
    List<Prompt> prompts = Tiny.prompts("job-", 9);
    Path promptFile = tmp.resolve("job-prompts.jsonl");
    Jsonl.write(promptFile, JsonlFormats.prompts(), prompts);
    Path expectedGenerated = tmp.resolve("expected-generated.jsonl");
    Path expectedAnnotated = tmp.resolve("expected-annotated.jsonl");
    try (PolicyBackend djl = Tiny.djl(); PolicySampler s = djl.sampler(pi0);
        RewardModel rm = DjlRewardModel.fromDirectory(rmDir).maxBatchSize(1).build()) {
      List<GeneratedSample> samples = s.sample(prompts, 4, Tiny.SAMPLING);
      Jsonl.write(expectedGenerated, JsonlFormats.generatedSamples(), samples);
      List<AnnotatedSample> annotated = rm.annotate(samples);
      Jsonl.write(expectedAnnotated, JsonlFormats.annotatedSamples(), annotated);
    }
    // inputs and outputs on the "remote" scheme; rounds of 3 prompts and 2 samples
    String generated = OtherSchemeFileSystem.uri(tmp.resolve("out/generated.jsonl")).toString();
    String annotated = OtherSchemeFileSystem.uri(tmp.resolve("out/annotated.jsonl")).toString();
    long g = SparkJobs.generate(sc, new GenerateJob(
        OtherSchemeFileSystem.uri(promptFile).toString(), generated, location(pi0),
        SamplerFactory.generator(Tiny.ROWS), 4, Tiny.SAMPLING, 3, 3));
    long a = SparkJobs.annotate(sc, new AnnotateJob(generated, annotated,
        ScoringModelSpec.djlReward(location(rmDir)).withMaxBatchSize(1), 5, 3, 2));

    assertThat(g).isEqualTo(9);
    assertThat(a).isEqualTo(9);
    assertThat(Tiny.read(tmp.resolve("out/generated.jsonl")))
        .isEqualTo(Tiny.read(expectedGenerated));
    assertThat(Tiny.read(tmp.resolve("out/annotated.jsonl")))
        .isEqualTo(Tiny.read(expectedAnnotated));
  }

  @Test
  void generateJob_badPromptLine_failsNamingTheLine() throws IOException {
    Path promptFile = tmp.resolve("bad-prompts.jsonl");
    Files.writeString(promptFile,
        "{\"id\": \"a\", \"context_messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n"
            + "{\"id\": \"b\"}\n");
    assertThatThrownBy(() -> SparkJobs.generate(sc, new GenerateJob(promptFile.toString(),
            tmp.resolve("never.jsonl").toString(), location(pi0),
            SamplerFactory.generator(Tiny.ROWS), 2, Tiny.SAMPLING, 2, 16)))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("bad-prompts.jsonl")
        .hasMessageContaining("2")
        .hasMessageContaining("context_messages");
    assertThat(tmp.resolve("never.jsonl")).doesNotExist();
  }

  @Test
  void main_runsAGenerateCommand_andRefusesUnknownOptions() {
    Path promptFile = tmp.resolve("main-prompts.jsonl");
    Jsonl.write(promptFile, JsonlFormats.prompts(), Tiny.prompts("m-", 3));
    Path out = tmp.resolve("main-generated.jsonl");
    long n = SparkJobsMain.run(sc, SparkJobsMain.parse(new String[] {"generate",
        "--policy", pi0.toUri().toString(), "--prompts", promptFile.toString(),
        "--output", out.toString(), "--n", "2", "--max-new-tokens", "4", "--seed", "3",
        "--max-batch-rows", "8"}));
    assertThat(n).isEqualTo(3);
    assertThat(Jsonl.readAll(out, JsonlFormats.generatedSamples()))
        .allSatisfy(s -> assertThat(s.responses()).hasSize(2));

    assertThatThrownBy(() -> SparkJobsMain.parse(new String[] {"generate", "--nn", "3"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option --nn for generate")
        .hasMessageContaining("usage:");
    assertThatThrownBy(() -> SparkJobsMain.parse(new String[] {"annotate", "--model", "x"}))
        .hasMessageContaining("annotate needs --input");
  }
}
