package dev.rlhf4j.iterative.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-step losses of SFT and DPO on tiny seeded models, recorded on the code before the
 * training core was unified (issue 14, commit d88c7e5) and compared with what the one shared loop
 * computes now. The shapes, the kernels, the data order and the machine are the same, so the
 * values agree to float rounding; the tolerance is 1e-6 relative (a few float ulps of
 * accumulated difference over 6 steps, far below the ~1e-3 a changed step would move them).
 */
class SameResultsAsBeforeTest {
  private static final double RELATIVE = 1e-6;

  @TempDir Path dir;

  private static ProgressListener into(List<Double> losses) {
    return new ProgressListener() {
      @Override
      public void onStep(StepMetrics event) {
        losses.add(event.get("loss"));
      }
    };
  }

  /**
   * DPO now packs each pair's prompt once (issue 17): the same arithmetic on differently shaped
   * arrays, so the kernels round differently; 1e-5 relative still sits two orders of magnitude
   * below what a changed step moves.
   */
  private static final double RELATIVE_PACKED = 1e-5;

  static void assertSame(List<Double> actual, double[] recorded) {
    assertSame(actual, recorded, RELATIVE);
  }

  static void assertSame(List<Double> actual, double[] recorded, double relative) {
    System.out.println("losses " + Thread.currentThread().getStackTrace()[2].getMethodName() + " " + actual);
    assertThat(actual).hasSize(recorded.length);
    for (int i = 0; i < recorded.length; i++) {
      assertThat(actual.get(i))
          .as("step %s", i + 1)
          .isCloseTo(recorded[i], org.assertj.core.api.Assertions.withinPercentage(relative * 100));
    }
  }

  @Test
  void sft_stepLosses_matchTheRecordedValues() {
    List<Double> losses = new ArrayList<>();
    List<SftExample> examples = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      examples.add(
          new SftExample(List.of(Message.user("count " + i)), i % 2 == 0 ? "one two" : "three"));
    }
    try (HfTokenizer tokenizer = TinyModels.tokenizer(dir.resolve("tok"));
        CausalLm policy = TinyModels.policy(5)) {
      SftTrainer.builder(policy, tokenizer)
          .config(
              SftConfig.builder().learningRate(1e-2).warmupRatio(0.2).epochs(2)
                  .microBatchSize(2).globalBatchSize(4).maxLength(64).seed(9).build())
          .listener(into(losses))
          .build()
          .train(examples);
    }
    assertSame(losses, new double[] {3.814912294086657, 3.7210848191205192, 3.2353587680392795, 2.6598692999945746, 2.239071316189236, 2.0027002758449974});
  }

  @Test
  void dpo_stepLosses_matchTheRecordedValues() {
    List<Double> losses = new ArrayList<>();
    try (HfTokenizer tokenizer = TinyModels.tokenizer(dir.resolve("tok"));
        CausalLm policy = TinyModels.policy(6)) {
      DpoTrainer.builder(policy, tokenizer)
          .config(
              DpoConfig.builder().beta(0.1).learningRate(1e-2).warmupRatio(0.2).epochs(2)
                  .microBatchSize(2).globalBatchSize(4).maxLength(64).maxPromptLength(32)
                  .seed(9).build())
          .listener(into(losses))
          .build()
          .train(TinyModels.toyPairs(12));
    }
    assertSame(losses, new double[] {0.6931472420692444, 0.6931473612785339, 0.3334503024816513, 0.14805316179990768, 0.043603334575891495, 0.09220872819423676}, RELATIVE_PACKED);
  }
}
