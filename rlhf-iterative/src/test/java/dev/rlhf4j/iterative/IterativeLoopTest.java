package dev.rlhf4j.iterative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.IterationSummary;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageFinished;
import dev.rlhf4j.api.event.StageProgress;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.iterative.run.RunLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IterativeLoopTest {
  @TempDir Path tmp;

  @Test
  void customStrategy_reportsItsOwnMetricsAndTimesItsSelection() {
    Fixture f = new Fixture(tmp);
    List<dev.rlhf4j.api.event.Stage> stages = new java.util.ArrayList<>();
    dev.rlhf4j.api.exploration.ExplorationStrategy bestVsFirst =
        (prompts, ctx) -> {
          List<AnnotatedSample> scored =
              ctx.annotate(ctx.policy().sample(prompts, 4, ctx.sampling()));
          ctx.beginSelection();
          List<PreferencePair> pairs = new java.util.ArrayList<>();
          int skipped = 0;
          for (AnnotatedSample s : scored) {
            int best = s.argMax();
            if (best != 0 && s.reward(best) > s.reward(0)) {
              pairs.add(s.pair(best, 0, "best-vs-first"));
            } else {
              skipped++;
            }
          }
          ctx.reportMetric("first_was_best", skipped);
          return pairs;
        };
    LoopResult result =
        f.loop("custom")
            .exploration(bestVsFirst)
            .listener(
                new dev.rlhf4j.api.event.ProgressListener() {
                  @Override
                  public void onStageStarted(dev.rlhf4j.api.event.StageStarted event) {
                    if (event.iteration() == 1) {
                      stages.add(event.stage());
                    }
                  }
                })
            .build()
            .run();

    Map<String, Double> metrics = result.iterations().get(0).metrics();
    assertThat(metrics).containsKey("explore/first_was_best");
    assertThat(metrics.get("explore/first_was_best") + metrics.get("explore/pairs"))
        .isEqualTo((double) Fixture.PER_ITERATION);
    assertThat(stages)
        .containsSubsequence(
            dev.rlhf4j.api.event.Stage.GENERATE, dev.rlhf4j.api.event.Stage.ANNOTATE,
            dev.rlhf4j.api.event.Stage.SELECT, dev.rlhf4j.api.event.Stage.TRAIN);
  }

  @Test
  void run_writesEveryIterationsHandOffFiles() {
    Fixture f = new Fixture(tmp);
    LoopResult result = f.loop("run").build().run();

    RunLayout layout = new RunLayout(tmp.resolve("run"));
    assertThat(layout.runJson()).isRegularFile();
    assertThat(layout.baselineEval()).isRegularFile();
    assertThat(layout.baselineMetrics()).isRegularFile();
    for (int t = 1; t <= Fixture.ITERATIONS; t++) {
      RunLayout.IterationFiles files = layout.iteration(t);
      List<GeneratedSample> generated =
          Jsonl.readAll(files.generated(), JsonlFormats.generatedSamples());
      assertThat(generated).hasSize(Fixture.PER_ITERATION);
      assertThat(generated).allSatisfy(s -> assertThat(s.responses()).hasSize(4));
      List<AnnotatedSample> annotated =
          Jsonl.readAll(files.annotated(), JsonlFormats.annotatedSamples());
      assertThat(annotated).extracting(AnnotatedSample::generated).isEqualTo(generated);
      assertThat(annotated.get(0).rewards().get(0))
          .isEqualTo((double) annotated.get(0).responses().get(0).text().length());
      List<PreferencePair> pairs = Jsonl.readAll(files.pairs(), JsonlFormats.preferencePairs("x"));
      assertThat(pairs).isNotEmpty().hasSizeLessThanOrEqualTo(Fixture.PER_ITERATION);
      assertThat(pairs)
          .allSatisfy(p -> assertThat(p.margin().getAsDouble()).isPositive());
      assertThat(files.checkpoint().resolve("policy.json")).isRegularFile();
      assertThat(files.metrics()).isRegularFile();
      assertThat(files.eval()).isRegularFile();
      IterationResult it = result.iterations().get(t - 1);
      assertThat(it.metric("explore/pairs")).isEqualTo(pairs.size());
      assertThat(it.metrics())
          .containsKeys("train/loss", "train/pairs", "eval/mean_proxy_greedy_reward", "eval/proxy_greedy_win_rate_vs_pi0",
              "eval/mean_length");
      assertThat(it.checkpoint()).isEqualTo(files.checkpoint());
    }
    assertThat(result.finalPolicy()).isEqualTo(layout.iteration(3).checkpoint());
    assertThat(Fixture.tree(layout.iteration(1).directory()))
        .extracting(Path::toString)
        .filteredOn(name -> name.startsWith("."))
        .isEmpty();
  }

  @Test
  void run_trainingImprovesTheProxyRewardAgainstTheInitialPolicy() {
    Fixture f = new Fixture(tmp);
    LoopResult result = f.loop("run").build().run();

    assertThat(result.baselineMetrics().get("proxy_greedy_win_rate_vs_pi0")).isEqualTo(0.5);
    assertThat(result.last().metric("eval/proxy_greedy_win_rate_vs_pi0")).isGreaterThan(0.5);
    assertThat(result.last().metric("eval/mean_proxy_greedy_reward"))
        .isGreaterThan(result.baselineMetrics().get("mean_proxy_greedy_reward"));
  }

  @Test
  void run_sameSeed_samePairsAndMetrics() {
    Fixture f = new Fixture(tmp);
    LoopResult a = f.loop("a").build().run();
    LoopResult b = f.loop("b").build().run();

    for (int t = 1; t <= Fixture.ITERATIONS; t++) {
      assertThat(Fixture.lines(a.iterations().get(t - 1).directory().resolve("pairs.jsonl")))
          .isEqualTo(Fixture.lines(b.iterations().get(t - 1).directory().resolve("pairs.jsonl")));
    }
    assertThat(metricsOf(a)).isEqualTo(metricsOf(b));
  }

  @Test
  void run_differentSeed_differentPairs() {
    Fixture f = new Fixture(tmp);
    LoopResult a = f.loop("a").seed(1).build().run();
    LoopResult b = f.loop("b").seed(2).build().run();

    List<String> pairsA = new ArrayList<>();
    List<String> pairsB = new ArrayList<>();
    for (int t = 1; t <= Fixture.ITERATIONS; t++) {
      pairsA.addAll(Fixture.lines(a.iterations().get(t - 1).directory().resolve("pairs.jsonl")));
      pairsB.addAll(Fixture.lines(b.iterations().get(t - 1).directory().resolve("pairs.jsonl")));
    }
    assertThat(pairsA).isNotEqualTo(pairsB);
  }

  @Test
  void run_slicesPromptsDisjointlyInSourceOrder() {
    Fixture f = new Fixture(tmp);
    f.loop("run").build().run();

    List<Prompt> all = Fixture.prompts(Fixture.ITERATIONS * Fixture.PER_ITERATION);
    Set<Prompt> seen = new HashSet<>();
    for (int t = 1; t <= Fixture.ITERATIONS; t++) {
      List<Prompt> used =
          Fixture.promptsOf(new RunLayout(tmp.resolve("run")).iteration(t).generated());
      int m = Fixture.PER_ITERATION;
      assertThat(used).isEqualTo(all.subList((t - 1) * m, t * m));
      for (Prompt p : used) {
        assertThat(seen.add(p)).as("prompt %s used twice", p.id()).isTrue();
      }
    }
  }

  @Test
  void run_tooFewPrompts_saysHowManyAreNeeded() {
    Fixture f = new Fixture(tmp);
    IterativeLoop loop = f.loop("run").prompts(PromptSource.of(Fixture.prompts(17))).build();

    assertThatThrownBy(loop::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds 17 prompts")
        .hasMessageContaining("3 iterations × 6 prompts per iteration need 18");
  }

  @Test
  void run_duplicatePromptIds_areRejected() {
    Fixture f = new Fixture(tmp);
    List<Prompt> prompts = new ArrayList<>(Fixture.prompts(18));
    prompts.set(9, prompts.get(2));
    IterativeLoop loop = f.loop("run").prompts(PromptSource.of(prompts)).build();

    assertThatThrownBy(loop::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompts 2 and 9 share the id");
  }

  @Test
  void run_defaultReferenceAndWarmStart_trainFromLastIterationAgainstInitialPolicy() {
    Fixture f = new Fixture(tmp);
    f.loop("run").build().run();

    RunLayout layout = new RunLayout(tmp.resolve("run"));
    assertThat(f.backend.requests).hasSize(3);
    assertThat(f.backend.requests.get(0).initialCheckpoint()).isEqualTo(f.initialPolicy);
    for (int t = 2; t <= 3; t++) {
      TrainRequest r = f.backend.requests.get(t - 1);
      assertThat(r.iteration()).isEqualTo(t);
      assertThat(r.initialCheckpoint()).isEqualTo(layout.iteration(t - 1).checkpoint());
      assertThat(r.referenceCheckpoint()).isEqualTo(f.initialPolicy);
    }
  }

  @Test
  void run_previousReferenceWithoutWarmStart_trainFromInitialAgainstLastIteration() {
    Fixture f = new Fixture(tmp);
    f.loop("run").reference(ReferencePolicy.PREVIOUS).warmStart(false).build().run();

    RunLayout layout = new RunLayout(tmp.resolve("run"));
    assertThat(f.backend.requests.get(0).referenceCheckpoint()).isEqualTo(f.initialPolicy);
    for (int t = 2; t <= 3; t++) {
      TrainRequest r = f.backend.requests.get(t - 1);
      assertThat(r.initialCheckpoint()).isEqualTo(f.initialPolicy);
      assertThat(r.referenceCheckpoint()).isEqualTo(layout.iteration(t - 1).checkpoint());
    }
  }

  @Test
  void run_trainsOnEveryPairCollectedSoFar_withSeedsPerIteration() {
    Fixture f = new Fixture(tmp);
    LoopResult result = f.loop("run").build().run();

    int sofar = 0;
    Set<Long> seeds = new HashSet<>();
    for (int t = 1; t <= 3; t++) {
      sofar += (int) result.iterations().get(t - 1).metric("explore/pairs");
      TrainRequest r = f.backend.requests.get(t - 1);
      assertThat(r.pairs()).hasSize(sofar);
      assertThat(r.pairs().get(0).source()).isEqualTo("iteration-1");
      assertThat(r.pairs().get(r.pairs().size() - 1).source()).isEqualTo("iteration-" + t);
      assertThat(result.iterations().get(t - 1).metric("train/pairs")).isEqualTo(sofar);
      seeds.add(r.dpo().optimization().seed());
    }
    assertThat(seeds).hasSize(3);
  }

  @Test
  void run_hybrid_trainsOnOfflinePairsFirstInEveryIteration() {
    Fixture f = new Fixture(tmp);
    List<PreferencePair> offline =
        List.of(
            PreferencePair.of(
                List.of(Message.user("offline 0")), FakeBackend.candidate(4),
                FakeBackend.candidate(0)).withSource("offline"),
            PreferencePair.of(
                List.of(Message.user("offline 1")), FakeBackend.candidate(3),
                FakeBackend.candidate(1)).withSource("offline"));
    LoopResult result = f.loop("run").offlinePairs(offline).build().run();

    int online = 0;
    for (int t = 1; t <= 3; t++) {
      online += (int) result.iterations().get(t - 1).metric("explore/pairs");
      TrainRequest r = f.backend.requests.get(t - 1);
      assertThat(r.pairs().subList(0, 2)).isEqualTo(offline);
      assertThat(r.pairs()).hasSize(2 + online);
    }
  }

  @Test
  void run_throwingListener_doesNotBreakTheRun() {
    Fixture f = new Fixture(tmp);
    List<Object> events = new ArrayList<>();
    ProgressListener broken =
        new ProgressListener() {
          @Override
          public void onStageStarted(StageStarted e) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onStep(StepMetrics e) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onIterationFinished(IterationSummary e) {
            throw new IllegalStateException("listener bug");
          }
        };
    ProgressListener recorder =
        new ProgressListener() {
          @Override
          public void onStageStarted(StageStarted e) {
            events.add(e);
          }

          @Override
          public void onStageFinished(StageFinished e) {
            events.add(e);
          }

          @Override
          public void onIterationFinished(IterationSummary e) {
            events.add(e);
          }
        };

    LoopResult result = f.loop("run").listener(broken).listener(recorder).build().run();

    assertThat(result.iterations()).hasSize(3);
    List<Stage> iterationOneStages =
        events.stream()
            .filter(e -> e instanceof StageStarted s && s.iteration() == 1)
            .map(e -> ((StageStarted) e).stage())
            .toList();
    assertThat(iterationOneStages)
        .containsExactly(
            Stage.GENERATE, Stage.ANNOTATE, Stage.SELECT, Stage.TRAIN, Stage.CHECKPOINT,
            Stage.DRIFT, Stage.EVALUATE);
    assertThat(events).filteredOn(e -> e instanceof IterationSummary).hasSize(3);
  }

  @Test
  void run_settingsMismatch_listsEachDifferenceWithBothValues() {
    Fixture f = new Fixture(tmp);
    f.loop("run").iterations(1).seed(1).build().run();

    IterativeLoop other = f.loop("run").iterations(1).seed(2).warmStart(false).build();

    assertThatThrownBy(other::run)
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("seed: recorded 1, now 2")
        .hasMessageContaining("warm_start: recorded true, now false")
        .hasMessageNotContaining("iterations:");
  }

  @Test
  void run_completeDirectory_returnsTheSameResultWithoutWork() {
    Fixture f = new Fixture(tmp);
    LoopResult first = f.loop("run").build().run();
    int trained = f.backend.requests.size();
    f.backend.liveSampleCalls.clear();

    LoopResult again = f.loop("run").build().run();

    assertThat(again).isEqualTo(first);
    assertThat(f.backend.requests).hasSize(trained);
    assertThat(f.backend.liveSampleCalls).isEmpty();
  }

  @Test
  void run_preferenceModelOnly_defaultsToKnockoutAndJudgesWithIt() {
    Fixture f = new Fixture(tmp);
    LoopResult result =
        IterativeLoop.builder()
            .policy(f.initialPolicy)
            .backend(f.backend)
            .preferenceModel(
                batch ->
                    batch.stream()
                        .mapToDouble(c -> c.first().length() > c.second().length() ? 0.9
                            : c.first().length() < c.second().length() ? 0.1 : 0.5)
                        .toArray())
            .prompts(PromptSource.of(Fixture.prompts(12)))
            .iterations(2)
            .promptsPerIteration(6)
            .evaluation(Evaluation.of(Fixture.heldOut()))
            .runDirectory(tmp.resolve("pm"))
            .build()
            .run();

    assertThat(result.last().metric("explore/preference_comparisons")).isPositive();
    assertThat(result.last().metrics()).containsKey("eval/proxy_greedy_win_rate_vs_pi0")
        .doesNotContainKey("eval/mean_proxy_greedy_reward");
    assertThat(Files.exists(new RunLayout(tmp.resolve("pm")).iteration(1).annotated())).isTrue();
  }

  @Test
  void build_missingRequiredSetting_saysWhich() {
    assertThatThrownBy(() -> IterativeLoop.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policy(...) is required");
    assertThatThrownBy(() -> IterativeLoop.builder().iterations(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("iterations must be >= 1 but was 0");
  }

  @Test
  void run_batchPrompts_splitsCallsWithProgressButKeepsThePairs() {
    Fixture f = new Fixture(tmp);
    LoopResult whole = f.loop("whole").build().run();
    f.backend.liveSampleCalls.clear();
    List<StageProgress> progress = new ArrayList<>();
    ProgressListener recorder =
        new ProgressListener() {
          @Override
          public void onProgress(StageProgress e) {
            progress.add(e);
          }
        };

    LoopResult split = f.loop("split").batchPrompts(4).listener(recorder).build().run();

    for (int t = 1; t <= Fixture.ITERATIONS; t++) {
      assertThat(Fixture.lines(split.iterations().get(t - 1).directory().resolve("pairs.jsonl")))
          .isEqualTo(
              Fixture.lines(whole.iterations().get(t - 1).directory().resolve("pairs.jsonl")));
    }
    assertThat(metricsOf(split)).isEqualTo(metricsOf(whole));
    // π0: the baseline's 4 held-out prompts in one call, iteration 1's 6 prompts in 4 + 2
    assertThat(f.backend.liveSampleCalls(f.initialPolicy)).isEqualTo(3);
    assertThat(progress)
        .filteredOn(e -> e.iteration() == 1 && e.stage() == Stage.GENERATE)
        .extracting(StageProgress::doneUnits, StageProgress::totalUnits)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(4L, 6L),
            org.assertj.core.groups.Tuple.tuple(6L, 6L));
  }

  @Test
  void run_consoleProgress_printsEveryStageWithBarsAndEta() {
    Fixture f = new Fixture(tmp);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    f.loop("run")
        .listener(
            new dev.rlhf4j.api.event.ConsoleProgress(
                new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8)))
        .build()
        .run();

    String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(out)
        .contains("baseline evaluate   done in")
        .contains("iter 3   generate   done in")
        .contains("iter 3   annotate   done in")
        .contains("iter 3   select     done in")
        .contains("iter 3   train      [")
        .contains("ETA ")
        .contains("iteration 3: eval/mean_length=");
  }

  @Test
  void run_nonDeterministicStrategy_failsOnResumeSayingWhichRecordDiffers() {
    Fixture f = new Fixture(tmp);
    f.rewardModel.failOnceWhen(
        batch -> batch.get(0).prompt().get(0).content().startsWith("question"));
    int[] calls = {0};
    dev.rlhf4j.api.exploration.ExplorationStrategy unseeded =
        (prompts, ctx) -> {
          List<Prompt> order = new ArrayList<>(prompts);
          if (calls[0]++ % 2 == 1) {
            java.util.Collections.reverse(order);
          }
          ctx.annotate(ctx.policy().sample(order, 2, ctx.sampling()));
          return List.of();
        };
    IterativeLoop loop = f.loop("run").exploration(unseeded).build();
    assertThatThrownBy(loop::run).hasMessageContaining("injected");

    assertThatThrownBy(loop::run)
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("generated.jsonl does not match this run's exploration")
        .hasMessageContaining("record 1 is prompt " + Prompt.ofUser("question 0").id())
        .hasMessageContaining("ExplorationContext.random()");
  }

  @Test
  void run_directoryWithRunFoldersButNoRunJson_isAnError() throws Exception {
    Fixture f = new Fixture(tmp);
    Files.createDirectories(tmp.resolve("run/iter-1"));

    assertThatThrownBy(() -> f.loop("run").build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("holds run folders but no run.json");
  }

  private static List<Object> metricsOf(LoopResult r) {
    List<Object> out = new ArrayList<>();
    out.add(r.baselineMetrics());
    r.iterations().forEach(i -> out.add(i.metrics()));
    return out;
  }
}
