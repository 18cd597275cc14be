package dev.rlhf4j.iterative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.exploration.Seeds;
import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import dev.rlhf4j.iterative.run.RunLayout;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.losses.PreferenceLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IterativeDpoTest {
  @TempDir Path tmp;

  private IterativeLoop.Builder dpo(Fixture f) {
    return IterativeDpo.builder()
        .policy(f.initialPolicy)
        .backend(f.backend)
        .rewardModel(f.rewardModel)
        .prompts(PromptSource.of(Fixture.prompts(12)))
        .iterations(2)
        .promptsPerIteration(6)
        .runDirectory(tmp.resolve("run"));
  }

  @Test
  void run_trainsEveryIterationWithTheLoopsDpoConfigAndADerivedSeed() throws Exception {
    Fixture f = new Fixture(tmp);
    DpoConfig config = DpoConfig.builder().loss(PreferenceLoss.ipo(0.2)).epochs(1).build();

    LoopResult result = dpo(f).dpo(config).seed(5).build().run();

    assertThat(result.iterations()).hasSize(2);
    assertThat(f.backend.requests).hasSize(2);
    for (TrainRequest request : f.backend.requests) {
      long seed = Seeds.derive(5, request.iteration(), 3);
      assertThat(request.dpo()).isEqualTo(config.toBuilder().seed(seed).build());
    }
    assertThat(f.backend.requests.get(0).dpo().optimization().seed())
        .isNotEqualTo(f.backend.requests.get(1).dpo().optimization().seed());
    assertThat(Files.readString(new RunLayout(tmp.resolve("run")).runJson()))
        .contains("Ipo[beta=0.2")
        .contains("rejection-sampling");
    assertThat(f.backend.closed).as("the loop does not close a backend it was given").isFalse();
  }

  @Test
  void run_otherDpoConfigOnTheSameDirectory_isAnError() {
    Fixture f = new Fixture(tmp);
    dpo(f).build().run();

    IterativeLoop other = dpo(f).dpo(DpoConfig.builder().beta(0.5).build()).build();

    assertThatThrownBy(other::run)
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("dpo: recorded DpoConfig[loss=Sigmoid[beta=0.1")
        .hasMessageContaining("now DpoConfig[loss=Sigmoid[beta=0.5");
  }

  @Test
  void builder_defaultsToTheDjlBackendAndThePapersConfig() {
    Fixture f = new Fixture(tmp);
    IterativeLoop loop =
        IterativeDpo.builder()
            .policy(f.initialPolicy)
            .rewardModel(f.rewardModel)
            .prompts(PromptSource.of(Fixture.prompts(3)))
            .promptsPerIteration(1)
            .runDirectory(tmp)
            .build();

    assertThat(loop.backend()).isInstanceOf(DjlDpoBackend.class);
    assertThat(loop.backend().settings()).containsEntry("engine", "djl");
    assertThat(loop.dpo()).isEqualTo(DpoConfig.paperDefaults());
    assertThat(loop.dpo().optimization().learningRate()).isEqualTo(5e-7);
    assertThat(loop.dpo().optimization().globalBatchSize()).isEqualTo(128);
  }

  @Test
  void loopBuilder_withoutBackend_isAnErrorNamingThePreset() {
    Fixture f = new Fixture(tmp);
    IterativeLoop.Builder builder =
        IterativeLoop.builder()
            .policy(f.initialPolicy)
            .rewardModel(f.rewardModel)
            .prompts(PromptSource.of(Fixture.prompts(3)))
            .promptsPerIteration(1)
            .runDirectory(tmp);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backend(...) is required")
        .hasMessageContaining("IterativeDpo.builder()");
  }

  @Test
  void toBuilder_keepsEverySetting_soTheCopyResumesTheFinishedRun() {
    Fixture f = new Fixture(tmp);
    IterativeLoop loop =
        f.loop("run")
            .dpo(DpoConfig.builder().loss(PreferenceLoss.ipo(0.3)).epochs(1).build())
            .batchPrompts(5)
            .reference(ReferencePolicy.PREVIOUS)
            .warmStart(false)
            .seed(3)
            .build();
    LoopResult first = loop.run();
    int trained = f.backend.requests.size();

    LoopResult again = loop.toBuilder().build().run();

    assertThat(f.backend.requests).as("nothing retrained: every setting matched").hasSize(trained);
    assertThat(again.iterations()).isEqualTo(first.iterations());
    assertThat(loop.toBuilder().build().dpo()).isEqualTo(loop.dpo());
  }

  @Test
  void toBuilder_changesOnlyTheCopy() {
    Fixture f = new Fixture(tmp);
    IterativeLoop loop = f.loop("run").build();
    loop.run();

    IterativeLoop.Builder copy = loop.toBuilder().seed(8);

    assertThat(loop.dpo()).isEqualTo(DpoConfig.paperDefaults());
    assertThatThrownBy(() -> copy.build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("seed: recorded 7, now 8")
        .hasMessageNotContaining("dpo:")
        .hasMessageNotContaining("exploration:");
    assertThat(loop.run().iterations()).hasSize(Fixture.ITERATIONS);
  }
}
