package dev.rlhf4j.iterative.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every trainer resumes: a run killed at step j of N (simulated by an {@link Error} thrown from a
 * listener, which the isolating listener does not swallow, so it unwinds the trainer like a
 * crash) and rerun on a freshly loaded policy with the same checkpoint directory ends with the
 * same weights and the same per-step losses as an uninterrupted run. Same shapes and machine, so
 * the comparison is exact.
 */
class TrainerResumeTest {
  @TempDir static Path shared;
  private static HfTokenizer tokenizer;

  /** Stands for kill -9: not a RuntimeException, so no listener isolation catches it. */
  private static final class Killed extends Error {
    Killed() {
      super("killed");
    }
  }

  @BeforeAll
  static void loadTokenizer() {
    tokenizer = TinyModels.tokenizer(shared.resolve("tokenizer"));
  }

  @AfterAll
  static void closeTokenizer() {
    tokenizer.close();
  }

  private static ProgressListener killAt(long step) {
    return new ProgressListener() {
      @Override
      public void onStep(StepMetrics event) {
        if (event.step() == step) {
          throw new Killed();
        }
      }
    };
  }

  /** Runs {@code train} uninterrupted, then killed at step 5 and resumed; compares. */
  private static void assertResumesExactly(
      Path dir, BiFunction<CausalLm, TrainerSetup, TrainingResult> train) {
    Map<String, float[]> expected;
    List<Double> expectedLosses;
    try (CausalLm policy = TinyModels.policy(4)) {
      TrainingResult result = train.apply(policy, new TrainerSetup(null, ProgressListener.none()));
      expected = TinyModels.weights(policy);
      expectedLosses = losses(result);
    }
    Path checkpoints = dir.resolve("checkpoints");
    try (CausalLm policy = TinyModels.policy(4)) {
      assertThatThrownBy(() -> train.apply(policy, new TrainerSetup(checkpoints, killAt(5))))
          .isInstanceOf(Killed.class);
    }
    assertThat(checkpoints.resolve("checkpoint-4")).isDirectory();
    assertThat(checkpoints.resolve("checkpoint-5")).doesNotExist();
    try (CausalLm policy = TinyModels.policy(4)) {
      TrainingResult resumed =
          train.apply(policy, new TrainerSetup(checkpoints, ProgressListener.none()));
      assertThat(TinyModels.maxDifference(expected, TinyModels.weights(policy))).isZero();
      assertThat(losses(resumed)).containsExactlyElementsOf(expectedLosses);
      assertThat(resumed.steps()).isEqualTo(6);
    }
  }

  private record TrainerSetup(Path checkpoints, ProgressListener listener) {}

  private static List<Double> losses(TrainingResult result) {
    List<Double> out = new ArrayList<>();
    result.history().forEach(m -> out.add(m.get("loss")));
    return out;
  }

  @Test
  void dpo_killedAtStep5Of6_resumesToTheSameWeights(@TempDir Path dir) {
    DpoConfig config =
        DpoConfig.builder().learningRate(1e-2).warmupRatio(0.2).epochs(2).microBatchSize(2)
            .globalBatchSize(4).maxLength(64).maxPromptLength(32).checkpointEvery(2).build();
    assertResumesExactly(
        dir,
        (policy, setup) -> {
          DpoTrainer.Builder b =
              DpoTrainer.builder(policy, tokenizer).config(config).listener(setup.listener());
          if (setup.checkpoints() != null) {
            b.checkpointDirectory(setup.checkpoints());
          }
          return b.build().train(TinyModels.toyPairs(12));
        });
  }

  @Test
  void dpoWithReferenceSync_resumesWithTheSyncedReference(@TempDir Path dir) {
    DpoConfig config =
        DpoConfig.builder().learningRate(1e-2).warmupRatio(0.2).epochs(2).microBatchSize(2)
            .globalBatchSize(4).maxLength(64).maxPromptLength(32).checkpointEvery(2)
            .referenceScoring(ReferenceLogProbs.LIVE).referenceSync(new ReferenceSync(0.5, 3))
            .build();
    assertResumesExactly(
        dir,
        (policy, setup) -> {
          DpoTrainer.Builder b =
              DpoTrainer.builder(policy, tokenizer).config(config).listener(setup.listener());
          if (setup.checkpoints() != null) {
            b.checkpointDirectory(setup.checkpoints());
          }
          return b.build().train(TinyModels.toyPairs(12));
        });
  }

  @Test
  void sft_killedAtStep5Of6_resumesToTheSameWeights(@TempDir Path dir) {
    List<SftExample> examples = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      examples.add(new SftExample(List.of(Message.user("count " + i)), i % 2 == 0 ? "one" : "two"));
    }
    SftConfig config =
        SftConfig.builder().learningRate(1e-2).warmupRatio(0.2).epochs(2).microBatchSize(2)
            .globalBatchSize(4).maxLength(64).checkpointEvery(2).build();
    assertResumesExactly(
        dir,
        (policy, setup) -> {
          SftTrainer.Builder b =
              SftTrainer.builder(policy, tokenizer).config(config).listener(setup.listener());
          if (setup.checkpoints() != null) {
            b.checkpointDirectory(setup.checkpoints());
          }
          return b.build().train(examples);
        });
  }
}
