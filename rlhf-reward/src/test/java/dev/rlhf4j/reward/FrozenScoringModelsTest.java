package dev.rlhf4j.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.reward.preference.LmPreferenceModel;
import dev.rlhf4j.reward.preference.PreferenceTrainer;
import dev.rlhf4j.reward.train.PairTrainingResult;
import dev.rlhf4j.reward.train.RewardTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring models loaded from a directory hold their weights only (no gradient arrays); the
 * trainers refuse such a model with a message that says how to load a trainable one, and
 * {@code trainable(true)} gives one that trains.
 */
class FrozenScoringModelsTest {
  @TempDir Path dir;

  private static final List<Message> PROMPT = List.of(Message.user("How are you?"));

  private Path lmDirectory() {
    Path saved = dir.resolve("sft");
    try (CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(32, 1), 8, ModelOptions.cpu())) {
      lm.save(saved);
    }
    return TinyModels.writeTokenizer(saved, TinyModels.Variant.DISTINCT_PAD);
  }

  private Path rewardModelDirectory() {
    Path saved = dir.resolve("rm");
    try (DjlRewardModel rm =
        RewardModels.djlFromCausalLm(lmDirectory(), 9).modelOptions(ModelOptions.cpu()).build()) {
      rm.save(saved);
    }
    return saved;
  }

  @Test
  void rewardModelFromDirectory_isFrozen_andTheTrainerSaysHowToTrainIt() {
    Path saved = rewardModelDirectory();
    List<PreferencePair> pairs = new SyntheticPreferences(2.0).pairs(16, new Random(3));
    try (DjlRewardModel frozen = RewardModels.djl(saved).modelOptions(ModelOptions.cpu()).build()) {
      assertThat(frozen.classifier().isTrainable()).isFalse();
      assertThat(frozen.classifier().parameters().values()).noneMatch(NDArray::hasGradient);
      assertThatThrownBy(() -> RewardTrainer.builder(frozen).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("loaded frozen")
          .hasMessageContaining("trainable(true)");
    }
    try (DjlRewardModel trainable =
        RewardModels.djl(saved).modelOptions(ModelOptions.cpu()).trainable(true).build()) {
      assertThat(trainable.classifier().parameters().values()).allMatch(NDArray::hasGradient);
      double before = trainable.score(PROMPT, pairs.get(0).chosen());
      PairTrainingResult result =
          RewardTrainer.builder(trainable)
              .trainPairs(pairs)
              .learningRate(1e-2)
              .microBatchSize(8)
              .globalBatchSize(8)
              .build()
              .train();
      assertThat(result.steps()).isEqualTo(2);
      assertThat(trainable.score(PROMPT, pairs.get(0).chosen())).isNotEqualTo(before);
    }
  }

  @Test
  void frozenAndTrainableLoads_scoreTheSame() {
    Path saved = rewardModelDirectory();
    try (DjlRewardModel frozen = RewardModels.djl(saved).modelOptions(ModelOptions.cpu()).build();
        DjlRewardModel trainable =
            RewardModels.djl(saved).modelOptions(ModelOptions.cpu()).trainable(true).build()) {
      assertThat(frozen.score(PROMPT, "hello"))
          .isCloseTo(trainable.score(PROMPT, "hello"), within(1e-6));
    }
  }

  @Test
  void preferenceModelFromDirectory_isFrozen_andTheTrainerSaysHowToTrainIt() {
    Path sft = lmDirectory();
    try (LmPreferenceModel frozen =
        PreferenceModels.lm(sft).modelOptions(ModelOptions.cpu()).build()) {
      assertThat(frozen.lm().isTrainable()).isFalse();
      assertThat(frozen.lm().parameters().values()).noneMatch(NDArray::hasGradient);
      assertThatThrownBy(() -> PreferenceTrainer.builder(frozen).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("loaded frozen")
          .hasMessageContaining("trainable(true)");
    }
    try (LmPreferenceModel trainable =
        PreferenceModels.lm(sft).modelOptions(ModelOptions.cpu()).trainable(true).build()) {
      assertThat(trainable.lm().parameters().values()).allMatch(NDArray::hasGradient);
      assertThat(PreferenceTrainer.builder(trainable)).isNotNull();
    }
  }
}
