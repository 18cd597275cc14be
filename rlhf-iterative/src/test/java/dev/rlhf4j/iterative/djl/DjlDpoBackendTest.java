package dev.rlhf4j.iterative.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.Evaluation;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.IterativeDpo;
import dev.rlhf4j.iterative.IterativeLoop;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DJL backend under a real two-iteration {@link IterativeDpo} run on a tiny random policy. */
class DjlDpoBackendTest {
  private static final SamplingParams SAMPLING =
      SamplingParams.builder().temperature(1).maxNewTokens(6).build();
  private static final DpoConfig DPO =
      DpoConfig.builder().beta(0.1).learningRate(5e-3).epochs(1).globalBatchSize(4)
          .microBatchSize(2).maxLength(32).maxPromptLength(16).warmupRatio(0).build();

  @TempDir Path tmp;
  private Path pi0;

  @BeforeEach
  void writePolicy() {
    pi0 = TinyPolicy.write(tmp.resolve("pi0"), 3);
  }

  private static List<Prompt> prompts(String prefix, int n) {
    String[] words = {"say yes", "say one", "say red cat", "say two dog", "say blue"};
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Prompt(prefix + i, List.of(dev.rlhf4j.api.Message.user(words[i % 5]))));
    }
    return out;
  }

  private IterativeLoop loop(Path runDirectory) {
    return IterativeDpo.builder()
        .policy(pi0)
        .backend(DjlDpoBackend.builder().maxBatchRows(16).build())
        .rewardModel(new TinyPolicy.YesReward())
        .prompts(PromptSource.of(prompts("train-", 16)))
        .iterations(2)
        .promptsPerIteration(8)
        .exploration(ExplorationStrategies.rejectionSampling(4))
        .sampling(SAMPLING)
        .dpo(DPO)
        .evaluation(
            Evaluation.of(prompts("eval-", 4))
                .withSampling(SamplingParams.builder().temperature(0).maxNewTokens(6).build()))
        .seed(11)
        .runDirectory(runDirectory)
        .build();
  }

  @Test
  void twoIterations_writeRunDirectoryAndCheckpointsThatLoadBack() throws IOException {
    LoopResult result = loop(tmp.resolve("run")).run();

    assertThat(result.iterations()).hasSize(2);
    assertThat(tmp.resolve("run/run.json")).isRegularFile();
    assertThat(tmp.resolve("run/baseline/metrics.json")).isRegularFile();
    for (IterationResult it : result.iterations()) {
      assertThat(it.directory().resolve("pairs.jsonl")).isRegularFile();
      assertThat(it.checkpoint().resolve("config.json")).isRegularFile();
      assertThat(it.checkpoint().resolve("tokenizer.json")).isRegularFile();
      assertThat(it.checkpoint().resolve("tokenizer_config.json")).isRegularFile();
      assertThat(it.metric("explore/pairs")).isPositive();
      assertThat(it.metric("train/steps")).isPositive();
      assertThat(it.metrics())
          .containsKeys("train/loss", "train/rewards/margins", "train/rewards/accuracies",
              "train/logps/chosen", "train/train_loss", "eval/mean_length")
          .containsKeys("pairs/margin_mean", "pairs/near_tie_fraction", "pairs/chosen_tokens",
              "pairs/length_gap_tokens", "proxy/reward_std_within_prompt",
              "policy/optimizer_steps", "policy/steps_per_pair", "policy/kl_from_pi0",
              "policy/kl_from_previous");
      assertThat(it.metric("policy/kl_samples")).isEqualTo(8.0);
      assertThat(it.metric("policy/optimizer_steps")).isEqualTo(it.metric("train/steps"));
      try (CausalLm loaded = CausalLm.load(it.checkpoint());
          HfTokenizer tokenizer = HfTokenizer.load(it.checkpoint());
          CausalLm initial = CausalLm.load(pi0)) {
        assertThat(tokenizer.eosTokenIds()).containsExactly(5L);
        assertThat(maxDifference(loaded, initial)).isGreaterThan(1e-4);
      }
    }
    assertThat(Files.readString(tmp.resolve("run/run.json")))
        .contains("microBatchSize=2").contains("maxLength=32");
    IterationResult first = result.iterations().get(0);
    assertThat(first.metric("policy/kl_from_previous"))
        .isCloseTo(first.metric("policy/kl_from_pi0"), within(1e-9));
    assertThat(result.last().metric("policy/kl_from_pi0"))
        .as("two iterations at lr 5e-3 move the policy: not a zero by construction")
        .isNotCloseTo(0, within(1e-6));
  }

  @Test
  void klEstimates_changeNothingTheLoopSamplesTrainsOrEvaluates() {
    LoopResult with = loop(tmp.resolve("with")).run();
    LoopResult without =
        loop(tmp.resolve("without")).toBuilder()
            .diagnostics(new dev.rlhf4j.iterative.LoopDiagnostics(0.2, 0))
            .build()
            .run();

    for (int t = 0; t < 2; t++) {
      Map<String, Double> a = with.iterations().get(t).metrics();
      Map<String, Double> b = without.iterations().get(t).metrics();
      assertThat(a).containsKey("policy/kl_from_pi0");
      assertThat(b).doesNotContainKey("policy/kl_from_pi0");
      b.forEach((k, v) -> assertThat(a.get(k)).as(k).isCloseTo(v, within(1e-6)));
    }
  }

  @Test
  void sampler_logProbs_areTheSumOfTheResponseTokensLogSoftmax_andEqualForTheSamePolicy() {
    Path other = TinyPolicy.write(tmp.resolve("other"), 4);
    DjlDpoBackend backend = DjlDpoBackend.builder().maxBatchRows(3).build();
    List<dev.rlhf4j.api.GeneratedSample> samples;
    double[] own;
    double[] again;
    double[] different;
    try (var sampler = backend.sampler(pi0);
        var twin = backend.sampler(pi0);
        var stranger = backend.sampler(other)) {
      samples = sampler.sample(prompts("p-", 3), 2, SAMPLING);
      assertThat(sampler.logProbs(List.of())).hasValueSatisfying(v -> assertThat(v).isEmpty());
      own = sampler.logProbs(samples).orElseThrow();
      again = twin.logProbs(samples).orElseThrow();
      different = stranger.logProbs(samples).orElseThrow();
    }
    assertThat(own).hasSize(6);
    for (int i = 0; i < own.length; i++) {
      assertThat(own[i]).isNegative().isCloseTo(again[i], within(1e-4));
    }
    assertThat(dev.rlhf4j.iterative.internal.Diagnostics.klEstimate(own, again))
        .isCloseTo(0, within(1e-4));
    assertThat(dev.rlhf4j.iterative.internal.Diagnostics.klEstimate(own, different))
        .as("another policy gives other log-probabilities")
        .isNotCloseTo(0, within(1e-3));

    try (CausalLm model = CausalLm.load(pi0);
        HfTokenizer tokenizer = HfTokenizer.load(pi0);
        ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
      int k = 0;
      for (var s : samples) {
        for (var c : s.responses()) {
          var ids =
              tokenizer.encodePromptResponse(s.prompt().messages(), c.text(),
                  c.finishReason() == dev.rlhf4j.api.FinishReason.STOP);
          long[] all = ids.ids();
          var input = manager.create(all, new ai.djl.ndarray.types.Shape(1, all.length));
          var mask = manager.ones(new ai.djl.ndarray.types.Shape(1, all.length),
              ai.djl.ndarray.types.DataType.INT64);
          try (var output = model.forward(input, mask)) {
            float[] logits = output.logits().toFloatArray();
            int vocab = (int) output.logits().getShape().get(2);
            double expected = 0;
            for (int t = ids.responseStart(); t < all.length; t++) {
              int row = (t - 1) * vocab;
              double max = Double.NEGATIVE_INFINITY;
              for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[row + v]);
              }
              double sum = 0;
              for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[row + v] - max);
              }
              expected += logits[row + (int) all[t]] - max - Math.log(sum);
            }
            assertThat(own[k]).as("response %s", k).isCloseTo(expected, within(1e-3));
          }
          k++;
        }
      }
    }
  }

  @Test
  void resume_afterDeletingTheLastIteration_reproducesPairsAndMetrics() throws IOException {
    Path run = tmp.resolve("run");
    LoopResult first = loop(run).run();
    Path lastDir = first.last().directory();
    String pairs = Files.readString(lastDir.resolve("pairs.jsonl"));
    deleteTree(lastDir);

    LoopResult resumed = loop(run).run();

    assertThat(Files.readString(lastDir.resolve("pairs.jsonl"))).isEqualTo(pairs);
    assertThat(resumed.last().checkpoint().resolve("model.safetensors")).isRegularFile();
    Map<String, Double> before = first.last().metrics();
    Map<String, Double> after = resumed.last().metrics();
    assertThat(after.keySet()).isEqualTo(before.keySet());
    before.forEach((k, v) -> assertThat(after.get(k)).as(k).isCloseTo(v, within(1e-5)));
  }

  @Test
  void sampler_closesIdempotentlyAndRefusesUseAfterClose() {
    var sampler = DjlDpoBackend.defaults().sampler(pi0);
    assertThat(sampler.sample(prompts("p-", 2), 2, SAMPLING)).hasSize(2);
    sampler.close();
    sampler.close();
    assertThatThrownBy(() -> sampler.sample(prompts("p-", 1), 1, SAMPLING))
        .isInstanceOf(IllegalStateException.class);
  }

  private static double maxDifference(CausalLm a, CausalLm b) {
    double max = 0;
    for (var entry : a.parameters().entrySet()) {
      float[] x = entry.getValue().toFloatArray();
      float[] y = b.parameters().get(entry.getKey()).toFloatArray();
      for (int i = 0; i < x.length; i++) {
        max = Math.max(max, Math.abs((double) x[i] - y[i]));
      }
    }
    return max;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
