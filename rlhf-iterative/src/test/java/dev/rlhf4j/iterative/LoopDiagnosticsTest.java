package dev.rlhf4j.iterative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.exploration.Seeds;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.iterative.run.RunLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's per-iteration diagnostics ({@link LoopDiagnostics}) on the fake backend. */
class LoopDiagnosticsTest {
  private static final List<String> KEYS =
      List.of(
          "pairs/margin_mean", "pairs/margin_median", "pairs/margin_min",
          "pairs/near_tie_fraction", "pairs/near_tie_margin", "pairs/chosen_chars",
          "pairs/rejected_chars", "pairs/length_gap_chars", "pairs/chosen_tokens",
          "pairs/rejected_tokens", "pairs/length_gap_tokens", "proxy/reward_mean",
          "proxy/reward_std_within_prompt", "policy/optimizer_steps", "policy/epochs",
          "policy/learning_rate", "policy/steps_per_pair", "policy/new_pair_fraction",
          "policy/kl_from_pi0", "policy/kl_from_previous", "policy/kl_samples",
          "policy/kl_from_pi0_se", "policy/kl_from_previous_se");

  @TempDir Path tmp;

  @Test
  void everyIteration_recordsDiagnosticsThatMatchItsFiles() {
    Fixture f = new Fixture(tmp);
    LoopResult result = f.loop("run").build().run();

    RunLayout layout = new RunLayout(tmp.resolve("run"));
    for (IterationResult it : result.iterations()) {
      assertThat(it.metrics()).containsKeys(KEYS.toArray(String[]::new));
      List<PreferencePair> pairs =
          Jsonl.readAll(layout.iteration(it.iteration()).pairs(),
              JsonlFormats.preferencePairs("x"));
      // the proxy is the length in characters; a candidate of index i has i + 1 tokens
      double margin = pairs.stream().mapToDouble(p -> p.margin().getAsDouble()).average()
          .orElseThrow();
      double chosenTokens =
          pairs.stream().mapToInt(p -> FakeBackend.candidateIndex(p.chosen()) + 1).average()
              .orElseThrow();
      double rejectedChars =
          pairs.stream().mapToInt(p -> p.rejected().length()).average().orElseThrow();
      assertThat(it.metric("pairs/margin_mean")).isCloseTo(margin, within(1e-9));
      assertThat(it.metric("pairs/chosen_tokens")).isCloseTo(chosenTokens, within(1e-9));
      assertThat(it.metric("pairs/rejected_chars")).isCloseTo(rejectedChars, within(1e-9));
      assertThat(it.metric("pairs/margin_min")).isPositive()
          .isLessThanOrEqualTo(it.metric("pairs/margin_median"));
      assertThat(it.metric("pairs/near_tie_fraction"))
          .as("the length proxy's margins are multiples of 3 characters")
          .isZero();
      assertThat(it.metric("policy/optimizer_steps")).isEqualTo(it.metric("train/steps"));
      assertThat(it.metric("policy/steps_per_pair"))
          .isCloseTo(it.metric("train/steps") / it.metric("train/pairs"), within(1e-12));
      assertThat(it.metric("policy/epochs")).isEqualTo(2.0);
      assertThat(it.metric("policy/learning_rate")).isEqualTo(5e-7);
      assertThat(it.metric("policy/new_pair_fraction"))
          .isCloseTo(it.metric("explore/pairs") / it.metric("train/pairs"), within(1e-12));
      assertThat(it.metric("policy/kl_samples")).isEqualTo(Fixture.PER_ITERATION);
    }
    IterationResult first = result.iterations().get(0);
    assertThat(first.metric("policy/kl_from_previous"))
        .as("π0 is the previous policy of iteration 1")
        .isEqualTo(first.metric("policy/kl_from_pi0"));
    assertThat(result.last().metric("policy/kl_from_pi0")).isPositive();
  }

  @Test
  void klEstimates_areTheMeanLogRatioOnSamplesOfTheNewPolicy() {
    Fixture f = new Fixture(tmp);
    LoopResult result = f.loop("run").build().run();

    RunLayout layout = new RunLayout(tmp.resolve("run"));
    List<Prompt> prompts = Fixture.prompts(Fixture.ITERATIONS * Fixture.PER_ITERATION);
    for (int t = 2; t <= Fixture.ITERATIONS; t++) {
      Path current = layout.iteration(t).checkpoint();
      Path previous = layout.iteration(t - 1).checkpoint();
      List<Prompt> slice =
          prompts.subList((t - 1) * Fixture.PER_ITERATION, t * Fixture.PER_ITERATION);
      SamplingParams sampling =
          SamplingParams.builder().build().withSeed(Seeds.derive(7, t, 5));
      List<GeneratedSample> samples = f.backend.sampler(current).sample(slice, 1, sampling);
      double fromPi0 = 0;
      double fromPrevious = 0;
      for (GeneratedSample s : samples) {
        int i = FakeBackend.candidateIndex(s.responses().get(0).text());
        double own = FakeBackend.logSoftmax(FakeBackend.logits(current, s.prompt()))[i];
        fromPi0 += (own - FakeBackend.logSoftmax(FakeBackend.logits(f.initialPolicy,
            s.prompt()))[i]) / samples.size();
        fromPrevious += (own - FakeBackend.logSoftmax(FakeBackend.logits(previous,
            s.prompt()))[i]) / samples.size();
      }
      IterationResult it = result.iterations().get(t - 1);
      assertThat(it.metric("policy/kl_from_pi0")).isCloseTo(fromPi0, within(1e-9));
      assertThat(it.metric("policy/kl_from_previous")).isCloseTo(fromPrevious, within(1e-9));
      assertThat(fromPi0).as("the test tells the two references apart")
          .isNotCloseTo(fromPrevious, within(1e-6));
    }
  }

  @Test
  void aPolicyThatDoesNotMove_hasKlEstimatesOfZero() {
    Fixture f = new Fixture(tmp);
    f.backend.frozen = true;

    LoopResult result = f.loop("run").build().run();

    for (IterationResult it : result.iterations()) {
      assertThat(it.metric("policy/kl_from_pi0")).isCloseTo(0, within(1e-12));
      assertThat(it.metric("policy/kl_from_pi0_se")).isCloseTo(0, within(1e-12));
      assertThat(it.metric("policy/kl_from_previous")).isCloseTo(0, within(1e-12));
    }
  }

  @Test
  void aBackendThatCannotScore_getsEveryOtherDiagnosticAndNoDriftStage() {
    Fixture f = new Fixture(tmp);
    f.backend.scoresLogProbs = false;
    List<Stage> stages = new ArrayList<>();

    LoopResult result =
        f.loop("run")
            .listener(
                new ProgressListener() {
                  @Override
                  public void onStageStarted(StageStarted event) {
                    stages.add(event.stage());
                  }
                })
            .build()
            .run();

    for (IterationResult it : result.iterations()) {
      assertThat(it.metrics()).containsKeys("pairs/margin_mean", "proxy/reward_std_within_prompt",
          "policy/epochs");
      assertThat(it.metrics().keySet()).noneMatch(k -> k.startsWith("policy/kl_"));
    }
    assertThat(stages).contains(Stage.TRAIN).doesNotContain(Stage.DRIFT);
  }

  @Test
  void settings_nearTieMarginAndKlPrompts() {
    Fixture f = new Fixture(tmp);

    LoopResult result =
        f.loop("run").diagnostics(new LoopDiagnostics(100, 0)).build().run();

    for (IterationResult it : result.iterations()) {
      assertThat(it.metric("pairs/near_tie_fraction")).as("every margin is below 100").isOne();
      assertThat(it.metric("pairs/near_tie_margin")).isEqualTo(100.0);
      assertThat(it.metrics().keySet()).noneMatch(k -> k.startsWith("policy/kl_"));
    }
    assertThat(f.loop("other").diagnostics(new LoopDiagnostics(0.2, 4)).build().run().last()
        .metric("policy/kl_samples")).isEqualTo(4.0);
  }

  @Test
  void diagnostics_rejectBadSettings() {
    assertThatThrownBy(() -> new LoopDiagnostics(-0.1, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nearTieMargin must be finite and >= 0 but was -0.1");
    assertThatThrownBy(() -> new LoopDiagnostics(0.2, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("klPrompts must be >= 0 but was -1");
    assertThat(LoopDiagnostics.defaults()).isEqualTo(new LoopDiagnostics(0.2, 64));
  }

  @Test
  void resume_afterTraining_reproducesTheDiagnostics() throws Exception {
    Fixture f = new Fixture(tmp);
    LoopResult first = f.loop("run").build().run();
    java.nio.file.Files.delete(first.last().directory().resolve("metrics.json"));

    LoopResult again = f.loop("run").build().run();

    Map<String, Double> before = first.last().metrics();
    Map<String, Double> after = again.last().metrics();
    assertThat(after.keySet()).isEqualTo(before.keySet());
    before.forEach((k, v) -> assertThat(after.get(k)).as(k).isCloseTo(v, within(1e-12)));
  }
}
