package dev.rlhf4j.iterative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.exploration.ExplorationContext;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.iterative.run.RunLayout;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills the loop in iteration 2 at each stage and checks that running it again in the same
 * directory reproduces the uninterrupted run's files and metrics exactly, without redoing the
 * completed stages.
 */
class ResumeTest {
  private static final int CRASH_ITERATION = 2;

  @TempDir Path tmp;

  enum CrashPoint {
    /** generated.jsonl written, the reward model fails while annotating. */
    AFTER_GENERATION,
    /** annotated.jsonl written, the strategy fails before returning its pairs. */
    AFTER_ANNOTATION,
    /** pairs.jsonl written, the backend fails at training step 3. */
    MID_TRAINING,
    /** checkpoint/ written, the evaluation fails. */
    AFTER_CHECKPOINT
  }

  /** Rejection sampling that can fail once in one iteration, after its samples were scored. */
  static final class CrashingStrategy implements ExplorationStrategy {
    private final ExplorationStrategy delegate = ExplorationStrategies.rejectionSampling(4);
    boolean armed;

    @Override
    public List<PreferencePair> explore(List<Prompt> prompts, ExplorationContext context) {
      List<PreferencePair> pairs = delegate.explore(prompts, context);
      if (armed && context.iteration() == CRASH_ITERATION) {
        armed = false;
        throw new Rlhf4jException("injected failure after annotation");
      }
      return pairs;
    }
  }

  /** The standard evaluation that can fail once, on a given call (1 = the baseline). */
  static final class CrashingEvaluator implements Evaluator {
    private final Evaluator delegate;
    int failOnCall;
    int calls;

    CrashingEvaluator(Evaluator delegate) {
      this.delegate = delegate;
    }

    @Override
    public Map<String, Double> evaluate(
        List<GeneratedSample> responses, List<GeneratedSample> baseline) {
      calls++;
      if (calls == failOnCall) {
        throw new Rlhf4jException("injected failure in evaluation");
      }
      return delegate.evaluate(responses, baseline);
    }
  }

  private static final class Setup {
    final Fixture fixture;
    final CrashingStrategy strategy = new CrashingStrategy();
    final CrashingEvaluator evaluator;

    Setup(Path root) {
      fixture = new Fixture(root);
      evaluator = new CrashingEvaluator(Evaluators.standard("proxy_greedy", fixture.rewardModel));
    }

    IterativeLoop loop(String dir) {
      return fixture
          .loop(dir)
          .exploration(strategy)
          .evaluation(Evaluation.of(Fixture.heldOut()).withEvaluator(evaluator))
          .build();
    }
  }

  private static final Predicate<List<ScoreRequest>> CRASH_SLICE =
      batch ->
          batch.stream()
              .anyMatch(
                  r ->
                      r.prompt()
                          .get(0)
                          .content()
                          .equals("question " + (CRASH_ITERATION - 1) * Fixture.PER_ITERATION));

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void rerunAfterCrash_reproducesTheUninterruptedRun(CrashPoint point) throws Exception {
    LoopResult expected = new Setup(tmp.resolve("a")).loop("run").run();

    Setup s = new Setup(tmp.resolve("b"));
    switch (point) {
      case AFTER_GENERATION -> s.fixture.rewardModel.failOnceWhen(CRASH_SLICE);
      case AFTER_ANNOTATION -> s.strategy.armed = true;
      case MID_TRAINING -> s.fixture.backend.failOnceInTraining(CRASH_ITERATION, 3);
      // evaluation calls: the baseline, iteration 1, then the crash iteration
      case AFTER_CHECKPOINT -> s.evaluator.failOnCall = 1 + CRASH_ITERATION;
    }
    assertThatThrownBy(() -> s.loop("run").run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("injected");

    RunLayout layout = new RunLayout(tmp.resolve("b/run"));
    RunLayout.IterationFiles crashed = layout.iteration(CRASH_ITERATION);
    assertThat(crashed.generated()).exists();
    assertThat(crashed.annotated().toFile().exists())
        .isEqualTo(point != CrashPoint.AFTER_GENERATION);
    assertThat(crashed.pairs().toFile().exists())
        .isEqualTo(point.compareTo(CrashPoint.MID_TRAINING) >= 0);
    assertThat(crashed.checkpoint().toFile().exists())
        .isEqualTo(point == CrashPoint.AFTER_CHECKPOINT);
    assertThat(crashed.metrics()).doesNotExist();
    assertThat(Fixture.tree(crashed.directory()))
        .extracting(Path::toString)
        .noneMatch(name -> name.endsWith(".tmp"));

    s.fixture.backend.liveSampleCalls.clear();
    int trainedBefore = s.fixture.backend.requests.size();
    int scoredBefore = s.fixture.rewardModel.batches.size();
    LoopResult resumed = s.loop("run").run();

    // completed work is not redone
    Path explored = layout.iteration(CRASH_ITERATION - 1).checkpoint();
    assertThat(s.fixture.backend.liveSampleCalls(explored))
        .as("iteration %s's samples come from its journal", CRASH_ITERATION)
        .isZero();
    List<List<ScoreRequest>> rescored =
        s.fixture.rewardModel.batches.subList(scoredBefore,
            s.fixture.rewardModel.batches.size());
    assertThat(rescored.stream().filter(CRASH_SLICE).count())
        .isEqualTo(point == CrashPoint.AFTER_GENERATION ? 1 : 0);
    List<TrainRequest> retrained =
        s.fixture.backend.requests.subList(trainedBefore, s.fixture.backend.requests.size());
    assertThat(retrained.get(0).iteration())
        .isEqualTo(point == CrashPoint.AFTER_CHECKPOINT ? CRASH_ITERATION + 1 : CRASH_ITERATION);

    // and what is redone comes out the same
    assertThat(resumed.baselineMetrics()).isEqualTo(expected.baselineMetrics());
    for (int t = 1; t <= Fixture.ITERATIONS; t++) {
      IterationResult want = expected.iterations().get(t - 1);
      IterationResult got = resumed.iterations().get(t - 1);
      assertThat(got.metrics()).as("iteration %s metrics", t).isEqualTo(want.metrics());
      for (String file : List.of("generated.jsonl", "annotated.jsonl", "pairs.jsonl",
          "eval.jsonl", "metrics.json", "checkpoint/policy.json")) {
        assertThat(Files.readAllBytes(got.directory().resolve(file)))
            .as("iteration %s %s", t, file)
            .isEqualTo(Files.readAllBytes(want.directory().resolve(file)));
      }
    }
  }
}
