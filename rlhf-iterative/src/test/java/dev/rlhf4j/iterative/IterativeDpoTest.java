package dev.rlhf4j.iterative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.iterative.run.RunLayout;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.losses.PreferenceLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IterativeDpoTest {
  @TempDir Path tmp;

  private IterativeDpo.Builder dpo(Fixture f, List<DpoConfig> opened) {
    return IterativeDpo.builder()
        .policy(f.initialPolicy)
        .backend(
            settings -> {
              opened.add(settings);
              return f.backend;
            })
        .rewardModel(f.rewardModel)
        .prompts(PromptSource.of(Fixture.prompts(12)))
        .iterations(2)
        .promptsPerIteration(6)
        .runDirectory(tmp.resolve("run"));
  }

  @Test
  void run_opensTheBackendWithTheDpoConfigAndClosesIt() throws Exception {
    Fixture f = new Fixture(tmp);
    List<DpoConfig> opened = new ArrayList<>();
    DpoConfig settings = DpoConfig.builder().loss(PreferenceLoss.ipo(0.2)).epochs(1).build();

    LoopResult result = dpo(f, opened).dpo(settings).build().run();

    assertThat(opened).containsExactly(settings);
    assertThat(f.backend.closed).isTrue();
    assertThat(result.iterations()).hasSize(2);
    assertThat(Files.readString(new RunLayout(tmp.resolve("run")).runJson()))
        .contains("Ipo[beta=0.2")
        .contains("rejection-sampling");
  }

  @Test
  void run_otherDpoConfigOnTheSameDirectory_isAnError() {
    Fixture f = new Fixture(tmp);
    dpo(f, new ArrayList<>()).build().run();

    IterativeDpo other =
        dpo(f, new ArrayList<>()).dpo(DpoConfig.builder().beta(0.5).build()).build();

    assertThatThrownBy(other::run)
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("dpo: recorded DpoConfig[loss=Sigmoid[beta=0.1")
        .hasMessageContaining("now DpoConfig[loss=Sigmoid[beta=0.5");
  }

  @Test
  void builder_defaultsToTheDjlBackendAndThePapersConfig() {
    Fixture f = new Fixture(tmp);
    IterativeDpo loop =
        IterativeDpo.builder()
            .policy(f.initialPolicy)
            .rewardModel(f.rewardModel)
            .prompts(PromptSource.of(Fixture.prompts(3)))
            .promptsPerIteration(1)
            .runDirectory(tmp)
            .build();

    assertThat(loop.dpo()).isEqualTo(DpoConfig.paperDefaults());
    assertThat(loop.dpo().optimization().learningRate()).isEqualTo(5e-7);
    assertThat(loop.dpo().optimization().globalBatchSize()).isEqualTo(128);
  }
}
