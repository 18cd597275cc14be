package dev.rlhf4j.iterative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageFinished;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each stage's events enclose the work of that stage: slow work is marked in the same event log
 * as the listener's events, so the test checks where the work happened, not how long it took.
 */
class StageAttributionTest {
  private static final long SLOW_MILLIS = 40;

  @TempDir Path tmp;

  /** A log of stage events and of markers the slow fake work writes. */
  private static final class Log implements ProgressListener {
    final List<String> entries = new ArrayList<>();
    final List<StageFinished> finished = new ArrayList<>();

    @Override
    public void onStageStarted(StageStarted e) {
      if (e.iteration() == 1) {
        entries.add("start " + e.stage());
      }
    }

    @Override
    public void onStageFinished(StageFinished e) {
      if (e.iteration() == 1) {
        entries.add("finish " + e.stage());
        finished.add(e);
      }
    }

    void mark(String what) {
      entries.add(what);
    }

    Duration elapsed(Stage stage) {
      return finished.stream().filter(e -> e.stage() == stage).findFirst().orElseThrow().elapsed();
    }
  }

  /** The fixture's backend, with a slow save that marks the log. */
  private static PolicyBackend slowSaving(FakeBackend fake, Log log) {
    return new PolicyBackend() {
      @Override
      public PolicySampler sampler(Path checkpoint) {
        return fake.sampler(checkpoint);
      }

      @Override
      public TrainedPolicy train(TrainRequest request) {
        TrainedPolicy trained = fake.train(request);
        log.mark("trained");
        return new TrainedPolicy() {
          @Override
          public Map<String, Double> metrics() {
            return trained.metrics();
          }

          @Override
          public void save(Path directory) {
            log.mark("saving");
            sleep();
            trained.save(directory);
          }
        };
      }
    };
  }

  private static void sleep() {
    try {
      Thread.sleep(SLOW_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void selectionAndCheckpointWork_fallInsideTheirOwnStages() {
    Fixture f = new Fixture(tmp);
    Log log = new Log();
    ExplorationStrategy slowSelection =
        (prompts, ctx) -> {
          List<AnnotatedSample> scored =
              ctx.annotate(ctx.policy().sample(prompts, 4, ctx.sampling()));
          log.mark("scored");
          ctx.beginSelection();
          log.mark("selecting");
          sleep();
          List<PreferencePair> pairs = new ArrayList<>();
          for (AnnotatedSample s : scored) {
            if (s.reward(s.argMax()) > s.reward(s.argMin())) {
              pairs.add(s.pair(s.argMax(), s.argMin(), "slow"));
            }
          }
          return pairs;
        };

    f.loop("run")
        .backend(slowSaving(f.backend, log))
        .exploration(slowSelection)
        .iterations(1)
        .listener(log)
        .build()
        .run();

    assertThat(log.entries)
        .containsExactly(
            "start GENERATE", "finish GENERATE",
            "start ANNOTATE", "scored", "finish ANNOTATE",
            "start SELECT", "selecting", "finish SELECT",
            "start TRAIN", "trained", "finish TRAIN",
            "start CHECKPOINT", "saving", "finish CHECKPOINT",
            "start DRIFT", "finish DRIFT",
            "start EVALUATE", "finish EVALUATE");
    // each slow part counts only where it happened (a lower bound: sleep never returns early)
    assertThat(log.elapsed(Stage.SELECT)).isGreaterThanOrEqualTo(Duration.ofMillis(SLOW_MILLIS));
    assertThat(log.elapsed(Stage.CHECKPOINT))
        .isGreaterThanOrEqualTo(Duration.ofMillis(SLOW_MILLIS));
  }

  @Test
  void builtInStrategy_startsSelectBeforeItSelects() {
    Fixture f = new Fixture(tmp);
    Log log = new Log();

    f.loop("run")
        .exploration(ExplorationStrategies.rejectionSampling(4))
        .iterations(1)
        .listener(log)
        .build()
        .run();

    assertThat(log.entries)
        .containsSubsequence("finish ANNOTATE", "start SELECT", "finish SELECT", "start TRAIN");
  }

  @Test
  void checkpointFailure_leavesNoCheckpoint_andTheRerunTrainsAgain() {
    Fixture f = new Fixture(tmp);
    PolicyBackend failingSave =
        new PolicyBackend() {
          @Override
          public PolicySampler sampler(Path checkpoint) {
            return f.backend.sampler(checkpoint);
          }

          @Override
          public Map<String, String> settings() {
            return f.backend.settings();
          }

          @Override
          public TrainedPolicy train(TrainRequest request) {
            TrainedPolicy trained = f.backend.train(request);
            return new TrainedPolicy() {
              @Override
              public Map<String, Double> metrics() {
                return trained.metrics();
              }

              @Override
              public void save(Path directory) {
                throw new Rlhf4jException("disk full");
              }
            };
          }
        };

    assertThatThrownBy(() -> f.loop("run").backend(failingSave).iterations(1).build().run())
        .hasMessageContaining("disk full");
    assertThat(f.root.resolve("run/iter-1/checkpoint")).doesNotExist();

    f.loop("run").iterations(1).build().run();
    assertThat(Files.isDirectory(f.root.resolve("run/iter-1/checkpoint"))).isTrue();
  }

  @Test
  void samplerReturningTooFewResponses_failsOnceNamingTheSampler() {
    Fixture f = new Fixture(tmp);
    PolicyBackend broken = brokenSampler(f, (prompts, n) -> {
      List<GeneratedSample> out = new ArrayList<>();
      prompts.forEach(p -> out.add(new GeneratedSample(p, List.of(stop("only")))));
      return out;
    });

    assertThatThrownBy(() -> f.loop("run").backend(broken).iterations(1).build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("the policy sampler")
        .hasMessageContaining("returned 1 responses for prompt")
        .hasMessageContaining("but 4 were asked");
  }

  @Test
  void samplerReturningPromptsOutOfOrder_fails() {
    Fixture f = new Fixture(tmp);
    PolicyBackend broken = brokenSampler(f, (prompts, n) -> {
      List<GeneratedSample> out = new ArrayList<>();
      for (int i = prompts.size() - 1; i >= 0; i--) {
        List<Completion> responses = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          responses.add(stop("r" + j));
        }
        out.add(new GeneratedSample(prompts.get(i), responses));
      }
      return out;
    });

    assertThatThrownBy(() -> f.loop("run").backend(broken).iterations(1).build().run())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("samples must come in prompt order");
  }

  private interface Answer {
    List<GeneratedSample> sample(List<dev.rlhf4j.api.Prompt> prompts, int n);
  }

  private static PolicyBackend brokenSampler(Fixture f, Answer answer) {
    return new PolicyBackend() {
      @Override
      public PolicySampler sampler(Path checkpoint) {
        return (prompts, n, params) -> answer.sample(prompts, n);
      }

      @Override
      public TrainedPolicy train(TrainRequest request) {
        return f.backend.train(request);
      }
    };
  }

  private static Completion stop(String text) {
    return new Completion(text, 1, FinishReason.STOP);
  }
}
