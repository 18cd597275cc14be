package dev.rlhf4j.iterative.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.Evaluation;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.IterativeDpo;
import dev.rlhf4j.iterative.IterativeLoop;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.ReferencePolicy;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.PeftAdapter;
import dev.rlhf4j.models.checkpoint.SafetensorsFile;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IterativeDpo} training a LoRA adapter with the DJL backend: adapter checkpoints pointing
 * at π0, warm start from the last adapter with π0 (the base, adapter off) as the reference, and
 * resume after a crash mid-training.
 */
class LoraLoopTest {
  private static final SamplingParams SAMPLING =
      SamplingParams.builder().temperature(1).maxNewTokens(6).build();
  private static final DpoConfig DPO =
      DpoConfig.builder().beta(0.1).learningRate(2e-2).epochs(1).globalBatchSize(4)
          .microBatchSize(2).maxLength(32).maxPromptLength(16).warmupRatio(0)
          .checkpointEvery(1)
          .lora(new LoraConfig(4, 8, 0.05, LoraConfig.LLAMA_ALL_LINEAR))
          .build();

  @TempDir Path tmp;
  private Path pi0;

  /** Stands for kill -9: an Error, which no listener isolation swallows. */
  private static final class Killed extends Error {
    Killed() {
      super("killed");
    }
  }

  @BeforeEach
  void writePolicy() {
    pi0 = TinyPolicy.write(tmp.resolve("pi0"), 3);
  }

  private static List<Prompt> prompts(String prefix, int n) {
    String[] words = {"say yes", "say one", "say red cat", "say two dog", "say blue"};
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Prompt(prefix + i, List.of(Message.user(words[i % 5]))));
    }
    return out;
  }

  private IterativeLoop loop(Path runDirectory, ProgressListener listener) {
    return loop(runDirectory, listener, ReferencePolicy.INITIAL, DPO);
  }

  private IterativeLoop loop(
      Path runDirectory, ProgressListener listener, ReferencePolicy referencePolicy,
      DpoConfig dpo) {
    return IterativeDpo.builder()
        .policy(pi0)
        .backend(DjlDpoBackend.builder().maxBatchRows(16).build())
        .rewardModel(new TinyPolicy.YesReward())
        .prompts(PromptSource.of(prompts("train-", 16)))
        .iterations(2)
        .promptsPerIteration(8)
        .exploration(ExplorationStrategies.rejectionSampling(4))
        .sampling(SAMPLING)
        .dpo(dpo)
        .evaluation(
            Evaluation.of(prompts("eval-", 4))
                .withSampling(SamplingParams.builder().temperature(0).maxNewTokens(6).build()))
        .seed(11)
        .reference(referencePolicy)
        .runDirectory(runDirectory)
        .listener(listener)
        .build();
  }

  /** The first TRAIN step of each iteration. */
  private static final class FirstSteps implements ProgressListener {
    final Map<Integer, StepMetrics> first = new LinkedHashMap<>();

    @Override
    public void onStep(StepMetrics event) {
      if (event.stage() == Stage.TRAIN) {
        first.putIfAbsent(event.iteration(), event);
      }
    }
  }

  @Test
  void twoIterations_writeAdapterCheckpoints_warmStarted_withPi0AsReference() throws IOException {
    FirstSteps steps = new FirstSteps();
    LoopResult result = loop(tmp.resolve("run"), steps).run();

    assertThat(result.iterations()).hasSize(2);
    for (IterationResult it : result.iterations()) {
      Path checkpoint = it.checkpoint();
      assertThat(checkpoint.resolve(PeftAdapter.CONFIG_FILE)).isRegularFile();
      assertThat(checkpoint.resolve(PeftAdapter.WEIGHTS_FILE)).isRegularFile();
      assertThat(checkpoint.resolve("model.safetensors")).doesNotExist();
      assertThat(checkpoint.resolve("tokenizer.json")).isRegularFile();
      assertThat(PeftAdapter.baseModel(checkpoint)).hasValueSatisfying(
          base -> assertThat(base).isEqualTo(pi0));
      assertThat(it.metric("train/steps")).isPositive();
      assertThat(it.metrics()).containsKeys("train/loss", "eval/mean_length");
      // the checkpoint loads as π0 with the adapter merged, and the adapter changed π0
      try (CausalLm merged = CausalLm.loadFrozen(checkpoint);
          CausalLm initial = CausalLm.loadFrozen(pi0)) {
        assertThat(merged.loraConfig()).isEmpty();
        assertThat(maxDifference(merged, initial)).isGreaterThan(1e-4);
      }
    }
    // iteration 1 starts at π0 = its reference: log-ratios 0, loss ln 2 (to rounding: the
    // reference and the policy may score a pair in batches of different shapes)
    assertThat(steps.first.get(1).get("rewards/chosen")).isCloseTo(0.0, within(1e-6));
    assertThat(steps.first.get(1).get("loss")).isCloseTo(Math.log(2), within(1e-6));
    // iteration 2 starts from iteration 1's adapter, measured against π0: ratios are not 0
    assertThat(Math.abs(steps.first.get(2).get("rewards/chosen"))).isGreaterThan(1e-4);
    assertThat(adapter(result.iterations().get(1).checkpoint()))
        .isNotEqualTo(adapter(result.iterations().get(0).checkpoint()));
  }

  @Test
  void previousIterationAsReference_isItsAdapterMergedIntoTheBase() {
    FirstSteps steps = new FirstSteps();
    // without dropout, so that the policy in training mode computes what the reference computes
    DpoConfig noDropout =
        DPO.toBuilder().lora(DPO.lora().orElseThrow().withDropout(0)).build();
    loop(tmp.resolve("run"), steps, ReferencePolicy.PREVIOUS, noDropout).run();
    // iteration 2 starts from iteration 1's adapter and is measured against it: ratios ~ 0 (the
    // reference runs merged weights, the policy the attached adapter: rounding apart, equal)
    assertThat(steps.first.get(2).get("rewards/chosen")).isCloseTo(0, within(1e-5));
    assertThat(steps.first.get(2).get("loss")).isCloseTo(Math.log(2), within(1e-5));
  }

  @Test
  void killedMidTrainingInIteration2_resumesToTheUninterruptedResult() throws IOException {
    LoopResult expected = loop(tmp.resolve("a"), ProgressListener.none()).run();

    ProgressListener kill =
        new ProgressListener() {
          @Override
          public void onStep(StepMetrics event) {
            if (event.stage() == Stage.TRAIN && event.iteration() == 2 && event.step() == 2) {
              throw new Killed();
            }
          }
        };
    assertThatThrownBy(() -> loop(tmp.resolve("b"), kill).run()).isInstanceOf(Killed.class);
    assertThat(tmp.resolve("b/iter-2/pairs.jsonl")).isRegularFile();
    assertThat(tmp.resolve("b/iter-2/checkpoint")).doesNotExist();
    LoopResult resumed = loop(tmp.resolve("b"), ProgressListener.none()).run();

    assertThat(resumed.iterations()).hasSize(2);
    for (int i = 0; i < 2; i++) {
      Map<String, Double> want = expected.iterations().get(i).metrics();
      Map<String, Double> got = resumed.iterations().get(i).metrics();
      assertThat(got.keySet()).isEqualTo(want.keySet());
      want.forEach((k, v) -> assertThat(got.get(k)).as(k).isEqualTo(v));
      assertThat(adapter(resumed.iterations().get(i).checkpoint()))
          .isEqualTo(adapter(expected.iterations().get(i).checkpoint()));
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }

  /** The adapter's tensors as host arrays, by name, for exact comparison. */
  private static Map<String, List<Float>> adapter(Path checkpoint) {
    Map<String, List<Float>> out = new LinkedHashMap<>();
    try (SafetensorsFile file = SafetensorsFile.open(checkpoint.resolve(PeftAdapter.WEIGHTS_FILE));
        ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
      for (String name : new java.util.TreeSet<>(file.names())) {
        List<Float> values = new ArrayList<>();
        for (float v : file.read(name, manager).toFloatArray()) {
          values.add(v);
        }
        out.put(name, values);
      }
    }
    return out;
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

}
