package dev.rlhf4j.iterative.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageFinished;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DpoTrainerTest {
  private static final List<String> STEP_METRICS =
      List.of(
          "loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies",
          "logps/chosen", "logps/rejected", "grad_norm", "learning_rate", "tokens_per_sec");

  @TempDir static Path shared;
  private static HfTokenizer tokenizer;

  @BeforeAll
  static void loadTokenizer() {
    tokenizer = TinyModels.tokenizer(shared.resolve("tokenizer"));
  }

  @AfterAll
  static void closeTokenizer() {
    tokenizer.close();
  }

  private static DpoConfig.Builder small() {
    return DpoConfig.builder()
        .learningRate(1e-3)
        .warmupRatio(0)
        .epochs(1)
        .microBatchSize(4)
        .globalBatchSize(4)
        .maxLength(64)
        .maxPromptLength(32);
  }

  @Test
  void maxLength_pastThePolicysContext_isRefused() {
    try (CausalLm policy = CausalLm.randomInit(
        TinyModels.config().toBuilder().maxPositionEmbeddings(48).build(), 1,
        dev.rlhf4j.models.ModelOptions.cpu())) {
      DpoTrainer trainer =
          DpoTrainer.builder(policy, tokenizer).config(small().build()).build();
      assertThatThrownBy(() -> trainer.train(TinyModels.toyPairs(4)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxLength (64) must be <= max_position_embeddings (48) of the"
              + " LlamaForCausalLM model: it was never trained on positions past that; lower"
              + " maxLength");
    }
  }

  @Test
  void firstStepLoss_isLn2_whenPolicyIsReference() {
    try (CausalLm policy = TinyModels.policy(1)) {
      TrainingResult result =
          DpoTrainer.builder(policy, tokenizer).config(small().build()).build()
              .train(TinyModels.toyPairs(4));
      assertThat(result.first("loss")).isCloseTo(Math.log(2), within(1e-5));
      assertThat(result.first("rewards/margins")).isCloseTo(0, within(1e-5));
      assertThat(result.first("rewards/chosen")).isCloseTo(0, within(1e-5));
    }
  }

  @Test
  void oneStep_isTheSameForMicroBatch8AndAccumulation8() {
    List<PreferencePair> pairs = TinyModels.toyPairs(8);
    DpoConfig whole = small().microBatchSize(8).globalBatchSize(8).build();
    DpoConfig accumulated = whole.toBuilder().microBatchSize(1).build();
    assertThat(accumulated.optimization().accumulationSteps()).isEqualTo(8);
    try (CausalLm a = TinyModels.policy(3);
        CausalLm b = TinyModels.policy(3)) {
      Map<String, float[]> initial = TinyModels.weights(a);
      TrainingResult ra = DpoTrainer.builder(a, tokenizer).config(whole).build().train(pairs);
      TrainingResult rb =
          DpoTrainer.builder(b, tokenizer).config(accumulated).build().train(pairs);
      assertThat(ra.steps()).isEqualTo(1);
      assertThat(rb.steps()).isEqualTo(1);
      assertThat(TinyModels.maxDifference(TinyModels.weights(a), TinyModels.weights(b)))
          .isLessThan(1e-5);
      // the step moved the weights by far more than the tolerance
      assertThat(TinyModels.maxDifference(initial, TinyModels.weights(a))).isGreaterThan(5e-4);
      for (String metric : List.of("loss", "grad_norm", "rewards/accuracies", "logps/chosen")) {
        assertThat(rb.first(metric)).as(metric).isCloseTo(ra.first(metric), within(1e-5));
      }
    }
  }

  @Test
  void precomputedReference_givesTheResultsOfLiveReference() {
    List<PreferencePair> pairs = TinyModels.toyPairs(8);
    DpoConfig precomputed = small().microBatchSize(2).globalBatchSize(4).build();
    DpoConfig live = precomputed.toBuilder().referenceScoring(ReferenceLogProbs.LIVE).build();
    try (CausalLm a = TinyModels.policy(5);
        CausalLm b = TinyModels.policy(5)) {
      TrainingResult ra = DpoTrainer.builder(a, tokenizer).config(precomputed).build().train(pairs);
      TrainingResult rb = DpoTrainer.builder(b, tokenizer).config(live).build().train(pairs);
      assertThat(ra.steps()).isEqualTo(2);
      assertThat(TinyModels.maxDifference(TinyModels.weights(a), TinyModels.weights(b)))
          .isLessThan(1e-5);
      for (int i = 0; i < ra.steps(); i++) {
        assertThat(rb.history().get(i).get("loss"))
            .isCloseTo(ra.history().get(i).get("loss"), within(1e-5));
        assertThat(rb.history().get(i).get("rewards/margins"))
            .isCloseTo(ra.history().get(i).get("rewards/margins"), within(1e-5));
      }
    }
  }

  @Test
  void givenReferenceModel_isUsedInsteadOfTheInitialPolicy() {
    List<PreferencePair> pairs = TinyModels.toyPairs(4);
    try (CausalLm policy = TinyModels.policy(1);
        CausalLm other = TinyModels.policy(2);
        CausalLm frozen = other.copyFrozen()) {
      TrainingResult result =
          DpoTrainer.builder(policy, tokenizer).reference(frozen).config(small().build()).build()
              .train(pairs);
      // a different reference makes the first log-ratios non-zero
      assertThat(Math.abs(result.first("rewards/chosen"))).isGreaterThan(1e-3);
    }
  }

  @Test
  void toyPreferenceTask_marginsAndAccuracyGrow() {
    List<PreferencePair> pairs = TinyModels.toyPairs(8);
    DpoConfig config =
        small().learningRate(5e-3).microBatchSize(8).globalBatchSize(8).epochs(10).build();
    List<StepMetrics> steps = new ArrayList<>();
    try (CausalLm policy = TinyModels.policy(11)) {
      TrainingResult result =
          DpoTrainer.builder(policy, tokenizer)
              .config(config)
              .listener(
                  new ProgressListener() {
                    @Override
                    public void onStep(StepMetrics event) {
                      steps.add(event);
                    }
                  })
              .build()
              .train(pairs);
      assertThat(result.steps()).isEqualTo(10);
      assertThat(steps).hasSize(10);
      assertThat(result.last("rewards/margins")).isGreaterThan(result.first("rewards/margins") + 1);
      assertThat(result.last("rewards/accuracies")).isEqualTo(1.0);
      assertThat(result.finalLoss()).isLessThan(0.3);
      StepMetrics last = steps.get(steps.size() - 1);
      assertThat(last.metrics().keySet()).containsAll(STEP_METRICS);
      assertThat(last.stage()).isEqualTo(Stage.TRAIN);
      assertThat(last.step()).isEqualTo(10);
      assertThat(last.totalSteps()).isEqualTo(10);
    }
  }

  @Test
  void sameSeed_repeatsTheRun_otherSeedShufflesDifferently() {
    List<PreferencePair> pairs = TinyModels.toyPairs(4);
    DpoConfig config = small().microBatchSize(2).globalBatchSize(2).build();
    List<Double> first = losses(config, pairs);
    assertThat(losses(config, pairs)).isEqualTo(first);
    assertThat(losses(config.toBuilder().seed(7).build(), pairs)).isNotEqualTo(first);
  }

  private static List<Double> losses(DpoConfig config, List<PreferencePair> pairs) {
    try (CausalLm policy = TinyModels.policy(1)) {
      return DpoTrainer.builder(policy, tokenizer).config(config).build().train(pairs)
          .history().stream().map(m -> m.get("loss")).toList();
    }
  }

  @Test
  void trainedPolicy_savedAndLoaded_givesIdenticalLogits(@TempDir Path dir) {
    try (CausalLm policy = TinyModels.policy(4)) {
      DpoTrainer.builder(policy, tokenizer)
          .config(small().checkpointEvery(1).build())
          .checkpointDirectory(dir.resolve("checkpoints"))
          .build()
          .train(TinyModels.toyPairs(8));
      policy.save(dir.resolve("final"));
      float[] expected = TinyModels.logits(policy);
      try (CausalLm loaded = CausalLm.load(dir.resolve("final"), ModelOptions.cpu());
          CausalLm fromCheckpoint =
              CausalLm.load(dir.resolve("checkpoints/checkpoint-2"), ModelOptions.cpu())) {
        assertThat(TinyModels.logits(loaded)).containsExactly(expected);
        assertThat(TinyModels.logits(fromCheckpoint)).containsExactly(expected);
      }
      assertThat(dir.resolve("checkpoints/checkpoint-1/training/optimizer/optimizer.json")).isRegularFile();
      assertThat(dir.resolve("checkpoints/checkpoint-2/tokenizer.json")).isRegularFile();
      assertThat(dir.resolve("checkpoints/checkpoint-2/trainer_state.json")).isRegularFile();
    }
  }

  @Test
  void nanWeights_stopTraining_namingStepAndBatch_andKeepTheLastCheckpoint(@TempDir Path dir)
      throws IOException {
    Path checkpoints = dir.resolve("checkpoints");
    Map<String, String> snapshot = new TreeMap<>();
    try (CausalLm policy = TinyModels.policy(4)) {
      ProgressListener poison =
          new ProgressListener() {
            @Override
            public void onStep(StepMetrics event) {
              if (event.step() == 2) {
                snapshot.putAll(bytes(checkpoints.resolve("checkpoint-2")));
                NDArray weight = policy.parameters().get("model.norm.weight");
                try (NDArray view = weight.stopGradient()) {
                  view.set(new NDIndex("0"), Float.NaN);
                }
              }
            }
          };
      DpoTrainer trainer =
          DpoTrainer.builder(policy, tokenizer)
              .config(small().microBatchSize(2).globalBatchSize(2).checkpointEvery(1).build())
              .checkpointDirectory(checkpoints)
              .listener(poison)
              .build();
      assertThatThrownBy(() -> trainer.train(TinyModels.toyPairs(8)))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageContaining("step 3 (batch 3 of 4 in epoch 1): loss is NaN")
          .hasMessageContaining("last checkpoint at " + checkpoints.resolve("checkpoint-2"));
    }
    assertThat(snapshot).isNotEmpty();
    assertThat(bytes(checkpoints.resolve("checkpoint-2"))).isEqualTo(snapshot);
    try (Stream<Path> files = Files.list(checkpoints)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("checkpoint-1", "checkpoint-2");
    }
  }

  @Test
  void nanGradient_stopsTrainingBeforeTheOptimizerStep() {
    try (CausalLm policy = TinyModels.policy(4)) {
      AtomicReference<Map<String, float[]>> afterStep1 = new AtomicReference<>();
      ProgressListener poison =
          new ProgressListener() {
            @Override
            public void onStep(StepMetrics event) {
              if (event.step() == 1) {
                afterStep1.set(TinyModels.weights(policy));
                try (NDArray gradient = policy.parameters().get("lm_head.weight").getGradient()) {
                  gradient.set(new NDIndex("0, 0"), Float.NaN);
                }
              }
            }
          };
      DpoTrainer trainer =
          DpoTrainer.builder(policy, tokenizer)
              .config(small().microBatchSize(2).globalBatchSize(2).build())
              .listener(poison)
              .build();
      assertThatThrownBy(() -> trainer.train(TinyModels.toyPairs(8)))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageContaining("step 2 (batch 2 of 4 in epoch 1): gradient norm is NaN")
          .hasMessageContaining("no checkpoint was written");
      assertThat(TinyModels.maxDifference(afterStep1.get(), TinyModels.weights(policy))).isZero();
    }
  }

  @Test
  void absurdLearningRate_stopsTraining_andKeepsTheCheckpointsWritten(@TempDir Path dir)
      throws IOException {
    Path checkpoints = dir.resolve("checkpoints");
    try (CausalLm policy = TinyModels.policy(4)) {
      DpoTrainer trainer =
          DpoTrainer.builder(policy, tokenizer)
              .config(
                  small().learningRate(1e30).microBatchSize(2).globalBatchSize(2)
                      .checkpointEvery(1).build())
              .checkpointDirectory(checkpoints)
              .build();
      assertThatThrownBy(() -> trainer.train(TinyModels.toyPairs(8)))
          .isInstanceOf(Rlhf4jException.class)
          .hasMessageMatching(
              "TRAIN step (\\d+) \\(batch \\1 of 4 in epoch 1\\): (loss|gradient norm) is"
                  + " (NaN|Infinity); training stopped, last checkpoint at .*checkpoint-\\d+\\."
                  + " The model keeps the weights of step \\d+;.*");
    }
    try (Stream<Path> files = Files.list(checkpoints)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .isNotEmpty()
          .allMatch(name -> name.matches("checkpoint-\\d+"));
    }
  }

  @Test
  void checkpointOfAnotherRun_isRefusedNamingBoth(@TempDir Path dir) {
    try (CausalLm policy = TinyModels.policy(4)) {
      DpoTrainer trainer =
          DpoTrainer.builder(policy, tokenizer).config(small().checkpointEvery(1).build())
              .checkpointDirectory(dir).build();
      trainer.train(TinyModels.toyPairs(4));
      assertThatThrownBy(() -> trainer.train(TinyModels.toyPairs(8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("checkpoint " + dir.resolve("checkpoint-1") + " belongs to another run")
          .hasMessageContaining("point the trainer at an empty checkpoint directory");
    }
  }

  @Test
  void throwingListener_isIsolated_andOthersSeeEveryEvent() {
    List<String> events = new ArrayList<>();
    try (CausalLm policy = TinyModels.policy(1)) {
      TrainingResult result =
          DpoTrainer.builder(policy, tokenizer)
              .config(small().microBatchSize(2).globalBatchSize(2).build())
              .iteration(3)
              .listener(
                  new ProgressListener() {
                    @Override
                    public void onStep(StepMetrics event) {
                      throw new IllegalStateException("listener bug");
                    }
                  })
              .listener(
                  new ProgressListener() {
                    @Override
                    public void onStageStarted(StageStarted event) {
                      events.add("started " + event.iteration() + " " + event.totalUnits());
                    }

                    @Override
                    public void onStep(StepMetrics event) {
                      events.add("step " + event.step());
                    }

                    @Override
                    public void onStageFinished(StageFinished event) {
                      events.add("finished " + event.metrics().get("steps"));
                    }
                  })
              .build()
              .train(TinyModels.toyPairs(4));
      assertThat(result.steps()).isEqualTo(2);
      assertThat(events).containsExactly("started 3 2", "step 1", "step 2", "finished 2.0");
    }
  }

  @Test
  void liveArrays_stayFlatOverManySteps() {
    List<Integer> counts = new ArrayList<>();
    try (CausalLm policy = TinyModels.policy(1)) {
      DpoTrainer.builder(policy, tokenizer)
          .config(
              small().microBatchSize(1).globalBatchSize(2).epochs(4)
                  .referenceScoring(ReferenceLogProbs.LIVE).build())
          .listener(
              new ProgressListener() {
                @Override
                public void onStep(StepMetrics event) {
                  counts.add(TinyModels.liveArrays());
                }
              })
          .build()
          .train(TinyModels.toyPairs(4));
    }
    assertThat(counts).hasSize(8);
    assertThat(counts.subList(1, counts.size())).containsOnly(counts.get(1));
  }

  @Test
  void emptyPairs_areRefused() {
    try (CausalLm policy = TinyModels.policy(1)) {
      DpoTrainer trainer = DpoTrainer.builder(policy, tokenizer).build();
      assertThatThrownBy(() -> trainer.train(List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("pairs must hold at least one pair");
    }
  }

  @Test
  void frozenPolicy_orPolicyAsReference_areRefused() {
    try (CausalLm policy = TinyModels.policy(1);
        CausalLm frozen = policy.copyFrozen()) {
      assertThatThrownBy(() -> DpoTrainer.builder(frozen, tokenizer))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("policy must be trainable");
      assertThatThrownBy(() -> DpoTrainer.builder(policy, tokenizer).reference(policy))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reference must not be the policy itself");
    }
  }

  /** Each file under the directory by relative path, its bytes as Base64. */
  private static Map<String, String> bytes(Path directory) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(
            directory.relativize(file).toString(),
            Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
