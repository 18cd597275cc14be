package dev.rlhf4j.reward.preference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.losses.PairwisePreferenceLoss;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.TinyModels;
import dev.rlhf4j.reward.train.PairTrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferenceTrainerTest {
  @TempDir Path dir;

  private static final String GOOD = "abcd";
  private static final String BAD = "wxyz";

  /** Pairs whose preferred response is a "good" letter and the other a "bad" one. */
  private static List<PreferencePair> pairs(int n, Random random) {
    List<PreferencePair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          PreferencePair.of(
              List.of(Message.user("pick")),
              String.valueOf(GOOD.charAt(random.nextInt(GOOD.length()))),
              String.valueOf(BAD.charAt(random.nextInt(BAD.length())))));
    }
    return out;
  }

  @Test
  void train_lowersTheLossAndRaisesHeldOutAccuracy() {
    Random random = new Random(1);
    List<PreferencePair> train = pairs(256, random);
    List<PreferencePair> heldOut = pairs(64, random);
    List<StepMetrics> steps = new ArrayList<>();
    Path out = dir.resolve("pm");
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(32, 1), 2, ModelOptions.cpu())) {
      PairTrainingResult result =
          PreferenceTrainer.builder(lm, tokenizer)
              .trainPairs(train)
              .evalPairs(heldOut)
              .evaluateBeforeTraining(true)
              .epochs(4)
              .learningRate(1e-2)
              .softmax(PairwisePreferenceLoss.Softmax.ANSWER_TOKENS)
              .microBatchSize(16)
              .globalBatchSize(32)
              .seed(3)
              .outputDirectory(out)
              .listener(
                  new ProgressListener() {
                    @Override
                    public void onStep(StepMetrics event) {
                      steps.add(event);
                    }
                  })
              .build()
              .train();
      System.out.println("preference model: " + result);
      assertThat(result.steps()).isEqualTo(32);
      assertThat(result.trainLoss().get(3)).isLessThan(result.trainLoss().get(0));
      assertThat(result.finalHeldOutAccuracy().getAsDouble())
          .isGreaterThan(result.heldOutAccuracyBefore().getAsDouble() + 0.2)
          .isGreaterThanOrEqualTo(0.9);
      assertThat(steps.get(0).metrics()).containsKeys("loss", "probability_preferred");
      try (LmPreferenceModel loaded =
          LmPreferenceModel.fromDirectory(out).modelOptions(ModelOptions.cpu()).build()) {
        assertThat(loaded.probabilityFirstPreferred(List.of(Message.user("pick")), "a", "z"))
            .isGreaterThan(0.5);
      }
    }
  }

  @Test
  void preferredShownFirst_isAFairSeededCoin() {
    boolean[] orders = PreferenceTrainer.preferredShownFirst(2000, 5);
    int first = 0;
    for (boolean b : orders) {
      first += b ? 1 : 0;
    }
    assertThat(first).isBetween(900, 1100);
    assertThat(PreferenceTrainer.preferredShownFirst(2000, 5)).containsExactly(orders);
    assertThat(PreferenceTrainer.preferredShownFirst(2000, 6)).isNotEqualTo(orders);
  }
}
