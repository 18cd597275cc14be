package dev.rlhf4j.reward.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.SyntheticPreferences;
import dev.rlhf4j.reward.TinyModels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reward-model run killed at step 5 of 8 (an {@link Error} from a listener, which listener
 * isolation does not swallow) and rerun on a fresh model with the same checkpoint directory ends
 * with the weights and per-epoch figures of an uninterrupted run; same shapes and machine, so
 * exactly.
 */
class RewardTrainerResumeTest {
  @TempDir Path dir;

  private static final class Killed extends Error {
    Killed() {
      super("killed");
    }
  }

  private PairTrainingResult train(
      HfTokenizer tokenizer, SequenceClassifier model, List<PreferencePair> pairs,
      Path checkpoints, ProgressListener listener) {
    RewardTrainer.Builder b =
        RewardTrainer.builder(model, tokenizer)
            .trainPairs(pairs)
            .evalPairs(pairs.subList(0, 8))
            .epochs(2)
            .microBatchSize(2)
            .globalBatchSize(4)
            .learningRate(1e-2)
            .checkpointEvery(2)
            .listener(listener);
    if (checkpoints != null) {
      b.checkpointDirectory(checkpoints);
    }
    return b.build().train();
  }

  private static Map<String, float[]> weights(SequenceClassifier model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      out.put(e.getKey(), e.getValue().toFloatArray());
    }
    return out;
  }

  @Test
  void killedAtStep5Of8_resumesToTheSameWeightsAndFigures() {
    List<PreferencePair> pairs = new SyntheticPreferences(1.0).pairs(16, new Random(5));
    Path checkpoints = dir.resolve("checkpoints");
    try (HfTokenizer tokenizer =
        HfTokenizer.load(
            TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD))) {
      PairTrainingResult expected;
      Map<String, float[]> expectedWeights;
      try (SequenceClassifier model = fresh()) {
        expected = train(tokenizer, model, pairs, null, ProgressListener.none());
        expectedWeights = weights(model);
      }
      try (SequenceClassifier model = fresh()) {
        ProgressListener kill =
            new ProgressListener() {
              @Override
              public void onStep(StepMetrics event) {
                if (event.step() == 5) {
                  throw new Killed();
                }
              }
            };
        assertThatThrownBy(() -> train(tokenizer, model, pairs, checkpoints, kill))
            .isInstanceOf(Killed.class);
      }
      assertThat(checkpoints.resolve("checkpoint-4")).isDirectory();
      try (SequenceClassifier model = fresh()) {
        PairTrainingResult resumed =
            train(tokenizer, model, pairs, checkpoints, ProgressListener.none());
        Map<String, float[]> actual = weights(model);
        assertThat(actual.keySet()).containsExactlyElementsOf(expectedWeights.keySet());
        expectedWeights.forEach((name, w) -> assertThat(actual.get(name)).containsExactly(w));
        assertThat(resumed.trainLoss()).containsExactlyElementsOf(expected.trainLoss());
        assertThat(resumed.heldOutAccuracy())
            .containsExactlyElementsOf(expected.heldOutAccuracy());
        assertThat(resumed.steps()).isEqualTo(8);
      }
    }
  }

  private static SequenceClassifier fresh() {
    return SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 3, ModelOptions.cpu());
  }
}
