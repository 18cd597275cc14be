package dev.rlhf4j.reward.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageFinished;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.SyntheticPreferences;
import dev.rlhf4j.reward.TinyModels;
import dev.rlhf4j.reward.eval.PairAccuracy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardTrainerTest {
  @TempDir Path dir;

  /**
   * The "done when" of issue #6: on a synthetic preference set whose labels are drawn from a
   * known Bradley–Terry model, the trained reward model's held-out accuracy is within 3 points of
   * the ground truth's own accuracy on the same pairs (the best any model can expect, since the
   * labels are noisy).
   */
  @Test
  void train_reachesGroundTruthAccuracyOnHeldOutPairs() {
    SyntheticPreferences task = new SyntheticPreferences(2.0);
    Random random = new Random(7);
    List<PreferencePair> train = task.pairs(2000, random);
    List<PreferencePair> heldOut = task.pairs(500, random);
    double gold = task.goldAccuracy(heldOut);
    List<StepMetrics> steps = new ArrayList<>();
    List<Object> stages = new ArrayList<>();
    Path out = dir.resolve("rm");
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(32, 1), 3, ModelOptions.cpu())) {
      PairTrainingResult result =
          RewardTrainer.builder(model, tokenizer)
              .trainPairs(train)
              .evalPairs(heldOut)
              .evaluateBeforeTraining(true)
              .epochs(1)
              .learningRate(1e-2)
              .microBatchSize(32)
              .globalBatchSize(64)
              .warmupRatio(0.03)
              .seed(11)
              .outputDirectory(out)
              .listener(
                  new ProgressListener() {
                    @Override
                    public void onStageStarted(StageStarted event) {
                      stages.add(event);
                    }

                    @Override
                    public void onStep(StepMetrics event) {
                      steps.add(event);
                    }

                    @Override
                    public void onStageFinished(StageFinished event) {
                      stages.add(event);
                    }
                  })
              .build()
              .train();

      System.out.printf("ground truth %.4f, reward model %s%n", gold, result);
      assertThat(result.heldOutAccuracyBefore().getAsDouble()).isLessThan(gold - 0.1);
      assertThat(result.finalHeldOutAccuracy().getAsDouble()).isGreaterThanOrEqualTo(gold - 0.03);
      assertThat(result.steps()).isEqualTo(32); // ceil(2000 / 64)
      assertThat(steps).hasSize(32);
      assertThat(steps.get(0).stage()).isEqualTo(Stage.REWARD_TRAINING);
      assertThat(steps.get(0).get("learning_rate")).isZero(); // warm-up starts at 0
      assertThat(steps.get(1).get("learning_rate")).isEqualTo(1e-2);
      assertThat(steps.get(0).metrics())
          .containsKeys("loss", "accuracy", "rewards/margins", "grad_norm", "epoch");
      assertThat(stages).hasSize(2);
      assertThat(((StageStarted) stages.get(0)).totalUnits()).isEqualTo(32);
      assertThat(result.savedTo()).contains(out);

      // the saved directory scores exactly as the trained model did
      try (DjlRewardModel trained = DjlRewardModel.of(model, tokenizer).build();
          DjlRewardModel loaded =
              DjlRewardModel.fromDirectory(out).modelOptions(ModelOptions.cpu()).build()) {
        List<ScoreRequest> requests =
            heldOut.subList(0, 20).stream()
                .map(p -> new ScoreRequest(p.prompt(), p.chosen()))
                .toList();
        assertThat(loaded.score(requests)).containsExactly(trained.score(requests));
        List<PreferencePair> some = heldOut.subList(0, 20);
        assertThat(PairAccuracy.create().evaluate(loaded, some).accuracy())
            .isEqualTo(PairAccuracy.create().evaluate(trained, some).accuracy());
      }
    }
    assertThat(Files.exists(out.resolve("tokenizer.json"))).isTrue();
  }

  @Test
  void train_accumulatedMicroBatchesGiveTheSameStepAsOneBatch() {
    List<PreferencePair> pairs = new SyntheticPreferences(1.0).pairs(8, new Random(5));
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier whole =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 3, ModelOptions.cpu());
        SequenceClassifier accumulated =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 3, ModelOptions.cpu());
        NDManager scratch = NDManager.newBaseManager()) {
      for (SequenceClassifier model : List.of(whole, accumulated)) {
        RewardTrainer.builder(model, tokenizer)
            .trainPairs(pairs)
            .microBatchSize(model == whole ? 8 : 2)
            .globalBatchSize(8)
            .warmupRatio(0)
            .learningRate(1e-3)
            .maxGradNorm(Double.POSITIVE_INFINITY)
            .build()
            .train();
      }
      Map<String, NDArray> a = whole.stateDict(scratch);
      Map<String, NDArray> b = accumulated.stateDict(scratch);
      for (String name : a.keySet()) {
        float[] x = a.get(name).toFloatArray();
        float[] y = b.get(name).toFloatArray();
        for (int i = 0; i < x.length; i++) {
          assertThat(y[i]).as("%s[%s]", name, i).isCloseTo(x[i], within(2e-6f));
        }
      }
    }
  }

  @Test
  void train_leavesTheLiveArrayCountUnchanged() {
    List<PreferencePair> pairs = new SyntheticPreferences(1.0).pairs(12, new Random(6));
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 3, ModelOptions.cpu())) {
      RewardTrainer trainer =
          RewardTrainer.builder(model, tokenizer)
              .trainPairs(pairs)
              .evalPairs(pairs.subList(0, 4))
              .epochs(2)
              .microBatchSize(2)
              .globalBatchSize(4)
              .build();
      trainer.train();
      int before = liveArrays();
      PairTrainingResult result = trainer.train();
      assertThat(result.steps()).isEqualTo(6);
      assertThat(liveArrays()).isEqualTo(before);
    }
  }

  private static int liveArrays() {
    try (NDManager any = NDManager.newBaseManager()) {
      NDManager root = any;
      while (root.getParentManager() != null && root.getParentManager() != root) {
        root = root.getParentManager();
      }
      return ((ai.djl.ndarray.BaseNDManager) root).getManagedArrays().size();
    }
  }

  @Test
  void train_nonFiniteLossNamesTheStep() {
    List<PreferencePair> pairs =
        List.of(
            PreferencePair.of(List.of(Message.user("q")), "good", "bad"),
            PreferencePair.of(List.of(Message.user("q")), "fine", "poor"));
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 3, ModelOptions.cpu())) {
      try (NDManager scratch = NDManager.newBaseManager()) {
        Map<String, NDArray> weights = new HashMap<>(model.stateDict(scratch));
        weights.put("model.norm.weight", scratch.full(new Shape(16), Float.NaN));
        model.loadStateDict(weights);
      }
      RewardTrainer trainer =
          RewardTrainer.builder(model, tokenizer)
              .trainPairs(pairs)
              .microBatchSize(1)
              .globalBatchSize(2)
              .build();
      assertThatThrownBy(trainer::train)
          .isInstanceOf(dev.rlhf4j.api.Rlhf4jException.class)
          .hasMessageContaining("REWARD_TRAINING step 1 (batch 1 of 1 in epoch 1): loss is NaN");
    }
  }

  @Test
  void builder_rejectsGlobalBatchThatIsNotAMultiple() {
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 3, ModelOptions.cpu())) {
      RewardTrainer.Builder builder =
          RewardTrainer.builder(model, tokenizer)
              .trainPairs(List.of(PreferencePair.of(List.of(Message.user("q")), "a", "b")))
              .microBatchSize(3)
              .globalBatchSize(8);
      assertThatThrownBy(builder::build)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "globalBatchSize must be a multiple of microBatchSize, but 8 is not a multiple of"
                  + " 3; set globalBatchSize to 6 or 9");
    }
  }
}
