package dev.rlhf4j.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.preference.LmPreferenceModel;
import dev.rlhf4j.reward.preference.PreferenceTrainer;
import dev.rlhf4j.reward.train.RewardTrainer;
import dev.rlhf4j.reward.train.PairTrainingResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package's one ownership rule (a scoring model owns what it opens or creates and borrows what
 * it is given) through the factories, and trainers built from a model taking its input settings.
 */
class ScoringModelOwnershipTest {
  @TempDir Path dir;

  private static final List<Message> PROMPT = List.of(Message.user("How are you?"));

  /** A causal-LM Hugging Face directory with tokenizer files and a chat template. */
  private Path lmDirectory() {
    Path saved = dir.resolve("sft");
    try (CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(32, 1), 8, ModelOptions.cpu())) {
      lm.save(saved);
    }
    return TinyModels.writeTokenizer(saved, TinyModels.Variant.DISTINCT_PAD);
  }

  @Test
  void djlFromCausalLmDirectory_equalsTheInMemoryCopy_andOwnsItsTokenizer() {
    Path sft = lmDirectory();
    double inMemory;
    try (CausalLm lm = CausalLm.load(sft, ModelOptions.cpu());
        HfTokenizer tok = HfTokenizer.load(sft);
        DjlRewardModel rm = RewardModels.djlFromCausalLm(lm, tok, 9).build()) {
      inMemory = rm.score(PROMPT, "hello");
      rm.close();
      // borrowed: the caller's tokenizer and LM are still usable after the model closed
      assertThat(tok.encode("hello", false)).isNotEmpty();
      assertThat(lm.parameters()).isNotEmpty();
    }
    DjlRewardModel fromDir =
        RewardModels.djlFromCausalLm(sft, 9).modelOptions(ModelOptions.cpu()).build();
    HfTokenizer owned = fromDir.tokenizer();
    assertThat(fromDir.score(PROMPT, "hello")).isCloseTo(inMemory, within(1e-5));
    fromDir.close();
    assertThatThrownBy(() -> owned.encode("hello", false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> fromDir.score(PROMPT, "hello"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void djlFromCausalLmDirectory_namesAMissingDirectory() {
    assertThatThrownBy(() -> RewardModels.djlFromCausalLm(dir.resolve("absent"), 1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absent")
        .hasMessageContaining("is not a directory");
  }

  @Test
  void rewardTrainerFromAModel_takesItsMaxLengthAndTrainsItInPlace() {
    Path sft = lmDirectory();
    List<PreferencePair> pairs = new SyntheticPreferences(2.0).pairs(16, new Random(3));
    try (DjlRewardModel tight =
        RewardModels.djlFromCausalLm(sft, 9)
            .modelOptions(ModelOptions.cpu())
            .maxLength(6)
            .truncation(Truncation.FAIL)
            .build()) {
      // one max length: the trainer refuses inputs longer than the model's, without being told
      assertThatThrownBy(() -> RewardTrainer.builder(tight).trainPairs(pairs).build().train())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxLength 6");
    }
    try (DjlRewardModel rm =
        RewardModels.djlFromCausalLm(sft, 9).modelOptions(ModelOptions.cpu()).build()) {
      double before = rm.score(PROMPT, pairs.get(0).chosen());
      PairTrainingResult result =
          RewardTrainer.builder(rm)
              .trainPairs(pairs)
              .learningRate(1e-2)
              .microBatchSize(8)
              .globalBatchSize(8)
              .build()
              .train();
      assertThat(result.steps()).isEqualTo(2);
      assertThat(rm.score(PROMPT, pairs.get(0).chosen())).isNotEqualTo(before);
    }
  }

  @Test
  void preferenceModels_ownWhatTheyLoad_borrowWhatTheyAreGiven() {
    Path sft = lmDirectory();
    LmPreferenceModel loaded =
        PreferenceModels.lm(sft).modelOptions(ModelOptions.cpu()).build();
    HfTokenizer owned = loaded.tokenizer();
    assertThat(loaded.probabilityFirstPreferred(PROMPT, "yes", "no")).isBetween(0.0, 1.0);
    loaded.close();
    assertThatThrownBy(() -> owned.encode("yes", false)).isInstanceOf(IllegalStateException.class);

    try (CausalLm lm = CausalLm.load(sft, ModelOptions.cpu());
        HfTokenizer tok = HfTokenizer.load(sft)) {
      List<PreferencePair> pairs = new SyntheticPreferences(2.0).pairs(4, new Random(3));
      try (LmPreferenceModel borrowed =
          PreferenceModels.lm(lm, tok).maxLength(6).truncation(Truncation.FAIL).build()) {
        // the trainer takes the model's max length and truncation
        assertThatThrownBy(
                () -> PreferenceTrainer.builder(borrowed).trainPairs(pairs).build().train())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxLength 6");
      }
      assertThat(tok.encode("yes", false)).isNotEmpty();
      assertThat(lm.parameters()).isNotEmpty();
    }
  }
}
