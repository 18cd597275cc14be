package dev.rlhf4j.reward.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.reward.onnx.internal.ElementType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batching, padding, validation, fallback and lifecycle of {@link OnnxRewardModel}. */
class OnnxRewardModelTest {
  @TempDir Path dir;

  private static final List<long[]> SEQUENCES =
      List.of(
          new long[] {5, 1, 2}, new long[] {7}, new long[] {1, 2, 3, 4, 5, 6},
          new long[] {10, 20}, new long[] {3, 3, 3, 3}, new long[] {9});

  private static double[] sums(List<long[]> sequences) {
    return sequences.stream().mapToDouble(s -> Arrays.stream(s).sum()).toArray();
  }

  @Test
  void scoreIds_restoresOrderAndMasksPadding_onEitherSide() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    for (PaddingSide side : PaddingSide.values()) {
      // a pad id of 100 would show in the sums if padding were not masked
      try (OnnxRewardModel model =
          OnnxRewardModel.builder(dir)
              .paddingSide(side).padTokenId(100).maxBatchSize(4).build()) {
        assertThat(model.scoreIds(SEQUENCES)).as("%s", side).containsExactly(sums(SEQUENCES));
      }
    }
  }

  @Test
  void logits_returnsEveryLabel_andRewardLabelPicksTheColumn() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    try (OnnxRewardModel model = OnnxRewardModel.builder(dir).rewardLabel(1).build()) {
      assertThat(model.numLabels()).hasValue(2);
      assertThat(model.logits(List.of(new long[] {4, 5}))[0]).containsExactly(9f, 10f);
      assertThat(model.scoreIds(List.of(new long[] {4, 5}))).containsExactly(10.0);
    }
  }

  @Test
  void build_rejectsRewardLabelBeyondTheLogits() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    assertThatThrownBy(() -> OnnxRewardModel.builder(dir).rewardLabel(2).build())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("has 2 labels")
        .hasMessageContaining("was 2");
  }

  @Test
  void scoreIds_readsHalfPrecisionLogits() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT16);
    try (OnnxRewardModel model = OnnxRewardModel.builder(dir).build()) {
      assertThat(model.scoreIds(SEQUENCES)).containsExactly(sums(SEQUENCES));
    }
  }

  @Test
  void build_listsWhatTheModelHasAndWhatWasExpected_whenNamesDiffer() {
    HandWrittenModels.wrongNames(dir);
    assertThatThrownBy(() -> OnnxRewardModel.builder(dir).build())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("input input_ids is missing")
        .hasMessageContaining("input ids is not one rlhf4j can feed")
        .hasMessageContaining("output logits is missing")
        .hasMessageContaining("ids INT64 [batch, seq]")
        .hasMessageContaining("scores FLOAT [batch, seq]")
        .hasMessageContaining("Expected inputs input_ids INT64 [batch_size, sequence_length]");
  }

  @Test
  void build_namesWrongTypesAndRanks() {
    HandWrittenModels.wrongTypes(dir);
    assertThatThrownBy(() -> OnnxRewardModel.builder(dir).build())
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("input input_ids must be INT64 of rank 2 but is input_ids INT32")
        .hasMessageContaining("output logits must be FLOAT, FLOAT16 or BFLOAT16 of rank 2")
        .hasMessageContaining("logits FLOAT [batch_size]");
  }

  @Test
  void build_rejectsAPathWithoutAModel() {
    assertThatThrownBy(() -> OnnxRewardModel.builder(dir).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no ONNX model at");
  }

  @Test
  void cuda_fallsBackToCpuAndStillScores_whenTheProviderIsMissing() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    try (OnnxRewardModel model =
        OnnxRewardModel.builder(dir).device(ExecutionDevice.CUDA).build()) {
      // the test classpath has the CPU-only onnxruntime artifact: no CUDA provider
      assertThat(model.device()).isEqualTo(ExecutionDevice.CPU);
      assertThat(model.scoreIds(SEQUENCES)).containsExactly(sums(SEQUENCES));
    }
  }

  @Test
  void scoreIds_closesEveryTensor_overManyCalls() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    try (OnnxRewardModel model =
        OnnxRewardModel.builder(dir).maxBatchSize(2).intraOpThreads(1).build()) {
      for (int i = 0; i < 300; i++) {
        model.scoreIds(SEQUENCES);
      }
      assertThat(model.openTensors()).isZero();
    }
  }

  @Test
  void scoreIds_givesTheSameRewards_fromConcurrentThreads() throws Exception {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    double[] expected = sums(SEQUENCES);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (OnnxRewardModel model = OnnxRewardModel.builder(dir).maxBatchSize(2).build()) {
      List<Future<double[]>> futures = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        futures.add(pool.submit(() -> model.scoreIds(SEQUENCES)));
      }
      for (Future<double[]> f : futures) {
        assertThat(f.get()).containsExactly(expected);
      }
      assertThat(model.openTensors()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void close_isIdempotent_andLaterCallsFail() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    OnnxRewardModel model = OnnxRewardModel.builder(dir).build();
    model.close();
    model.close();
    assertThatThrownBy(() -> model.scoreIds(SEQUENCES))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void scoreIds_rejectsAnEmptySequence() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    try (OnnxRewardModel model = OnnxRewardModel.builder(dir).build()) {
      assertThatThrownBy(() -> model.scoreIds(List.of(new long[] {1}, new long[0])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sequence 1 is null or empty");
    }
  }

  @Test
  void score_needsATokenizer() {
    HandWrittenModels.sumOfIds(dir, ElementType.FLOAT);
    try (OnnxRewardModel model = OnnxRewardModel.builder(dir).build()) {
      assertThatThrownBy(
              () -> model.score(List.of(new ScoreRequest(List.of(Message.user("hi")), "yo"))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("needs a tokenizer");
    }
  }
}
