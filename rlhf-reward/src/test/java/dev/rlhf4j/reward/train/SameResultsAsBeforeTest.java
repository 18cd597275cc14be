package dev.rlhf4j.reward.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.losses.PairwisePreferenceLoss;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.SyntheticPreferences;
import dev.rlhf4j.reward.TinyModels;
import dev.rlhf4j.reward.preference.PreferenceTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-step losses of Bradley–Terry reward training and pairwise preference training on tiny
 * seeded models, recorded on the code before the training core was unified (issue 14, commit
 * d88c7e5) and compared with what the one shared loop computes now.
 *
 * <p>The shared loop draws each epoch's order from the seed as the SFT/DPO loop always did, not
 * with the reward loop's old {@code java.util.Random}; so these runs take every pair in one
 * optimizer step (global batch = all pairs, one forward pass), where the order changes only which
 * row of the batch a pair sits in. Rows are computed independently, so only the summation order
 * of the batch mean differs: the tolerance is 1e-6 relative (float rounding of a 16-term mean,
 * far below the ~1e-3 a changed step moves the loss).
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

  private static void assertSame(List<Double> actual, double[] recorded) {
    System.out.println("losses " + Thread.currentThread().getStackTrace()[2].getMethodName() + " " + actual);
    assertThat(actual).hasSize(recorded.length);
    for (int i = 0; i < recorded.length; i++) {
      assertThat(actual.get(i))
          .as("step %s", i + 1)
          .isCloseTo(recorded[i], withinPercentage(RELATIVE * 100));
    }
  }

  @Test
  void reward_stepLosses_matchTheRecordedValues() {
    List<PreferencePair> pairs = new SyntheticPreferences(1.0).pairs(16, new Random(5));
    List<Double> losses = new ArrayList<>();
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 3, ModelOptions.cpu())) {
      RewardTrainer.builder(model, tokenizer)
          .trainPairs(pairs)
          .epochs(4)
          .microBatchSize(16)
          .globalBatchSize(16)
          .warmupRatio(0.25)
          .learningRate(1e-2)
          .seed(4)
          .listener(into(losses))
          .build()
          .train();
    }
    assertSame(losses, new double[] {0.6931363344192505, 0.6931363344192505, 0.6922352910041809, 0.686812162399292});
  }

  @Test
  void preference_stepLosses_matchTheRecordedValues() {
    List<PreferencePair> pairs = new SyntheticPreferences(1.0).pairs(16, new Random(6));
    List<Double> losses = new ArrayList<>();
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(16, 1), 2, ModelOptions.cpu())) {
      PreferenceTrainer.builder(lm, tokenizer)
          .trainPairs(pairs)
          .epochs(4)
          .learningRate(1e-2)
          .warmupRatio(0.25)
          .softmax(PairwisePreferenceLoss.Softmax.ANSWER_TOKENS)
          .microBatchSize(16)
          .globalBatchSize(16)
          .seed(3)
          .listener(into(losses))
          .build()
          .train();
    }
    assertSame(losses, new double[] {0.6852271556854248, 0.6852271556854248, 0.7024347186088562, 0.6843116879463196});
  }
}
