package dev.rlhf4j.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a {@link DjlRewardModel} while other threads score: every call completes or fails with
 * the closed-model error, never with DJL's "Native resource has been released already". The
 * interleavings are forced with latches, not sleeps.
 */
class DjlRewardModelCloseTest {
  private static final List<Message> PROMPT = List.of(Message.user("How are you?"));
  private static final ScoreRequest REQUEST = new ScoreRequest(PROMPT, "Fine, thanks.");

  @TempDir Path dir;

  /** A model that owns its classifier and tokenizer, so that close releases native memory. */
  private DjlRewardModel ownedModel() {
    Path saved = dir.resolve("rm");
    try (HfTokenizer tok =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 21, ModelOptions.cpu());
        DjlRewardModel view = DjlRewardModel.of(model, tok).build()) {
      view.save(saved);
    }
    return DjlRewardModel.fromDirectory(saved).modelOptions(ModelOptions.cpu()).build();
  }

  /** One request; reading it signals {@code entered} and waits for {@code release}. */
  private static List<ScoreRequest> blockingBatch(CountDownLatch entered, CountDownLatch release) {
    return new AbstractList<>() {
      @Override
      public ScoreRequest get(int index) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        return REQUEST;
      }

      @Override
      public int size() {
        return 1;
      }
    };
  }

  @Test
  void close_waitsForTheRunningCallThenRefusesNewOnes() throws Exception {
    DjlRewardModel rm = ownedModel();
    double expected = rm.score(List.of(REQUEST))[0];
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<double[]> running = pool.submit(() -> rm.score(blockingBatch(entered, release)));
      entered.await(); // the call is inside score, reading its batch
      Thread closer = new Thread(rm::close, "closer");
      closer.start();
      Thread.State state;
      while ((state = closer.getState()) != Thread.State.WAITING
          && state != Thread.State.TERMINATED) {
        Thread.onSpinWait();
      }
      assertThat(state).as("close waits for the running call").isEqualTo(Thread.State.WAITING);

      release.countDown();
      assertThat(running.get()).containsExactly(expected);
      closer.join();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertThatThrownBy(() -> rm.score(List.of(REQUEST)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the DJL reward model " + dir.resolve("rm")
                + " is closed; build a new one to score again");
    assertThatThrownBy(() -> rm.scoreIds(List.of(new long[] {1, 2})))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> rm.tokenize(REQUEST))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> rm.save(dir.resolve("again")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void close_whileSeveralThreadsScore_everyCallCompletesOrGetsTheClosedError() throws Exception {
    DjlRewardModel rm = ownedModel();
    int threads = 4;
    CountDownLatch eachScoredOnce = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Throwable>>> outcomes = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        outcomes.add(
            pool.submit(
                () -> {
                  List<Throwable> failures = new ArrayList<>();
                  boolean counted = false;
                  // score until the model is closed; anything else thrown is recorded
                  while (failures.isEmpty()) {
                    try {
                      double[] scores = rm.score(List.of(REQUEST, REQUEST));
                      assertThat(scores).hasSize(2);
                    } catch (RuntimeException e) {
                      failures.add(e);
                    }
                    if (!counted) {
                      counted = true;
                      eachScoredOnce.countDown();
                    }
                  }
                  return failures;
                }));
      }
      eachScoredOnce.await();
      rm.close();
      for (Future<List<Throwable>> f : outcomes) {
        assertThat(f.get())
            .singleElement()
            .satisfies(
                e ->
                    assertThat(e)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("the DJL reward model")
                        .hasMessageContaining("is closed"));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
