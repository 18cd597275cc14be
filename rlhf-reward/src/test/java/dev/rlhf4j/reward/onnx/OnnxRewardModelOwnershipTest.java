package dev.rlhf4j.reward.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.RewardModels;
import dev.rlhf4j.reward.TinyModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ONNX reward model follows the package's ownership rule like the DJL one. */
class OnnxRewardModelOwnershipTest {
  @TempDir Path dir;

  private static final List<Message> PROMPT = List.of(Message.user("How are you?"));

  @Test
  void withoutAGivenTokenizer_loadsTheOneBesideTheModel_andClosesIt() {
    Path exported = dir.resolve("onnx");
    double djlScore;
    try (SequenceClassifier classifier =
            SequenceClassifier.randomInit(TinyModels.rewardModel(32, 1), 3, ModelOptions.cpu());
        HfTokenizer tok =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        DjlRewardModel djl = DjlRewardModel.of(classifier, tok).build()) {
      djlScore = djl.score(PROMPT, "hello");
      OnnxExport.export(classifier, exported);
    }
    TinyModels.writeTokenizer(exported, TinyModels.Variant.DISTINCT_PAD);

    OnnxRewardModel owning = RewardModels.onnx(exported).build();
    HfTokenizer loaded = owning.tokenizer();
    assertThat(loaded).isNotNull();
    assertThat(owning.score(PROMPT, "hello")).isCloseTo(djlScore, within(1e-4));
    owning.close();
    assertThatThrownBy(() -> loaded.encode("hello", false))
        .isInstanceOf(IllegalStateException.class);

    try (HfTokenizer given = HfTokenizer.load(exported)) {
      try (OnnxRewardModel borrowing = RewardModels.onnx(exported).tokenizer(given).build()) {
        assertThat(borrowing.tokenizer()).isSameAs(given);
        assertThat(borrowing.score(PROMPT, "hello")).isCloseTo(djlScore, within(1e-4));
      }
      assertThat(given.encode("hello", false)).isNotEmpty();
    }
  }

  @Test
  void withoutTokenizerFiles_scoresIdsOnly_andSaysWhereTheTokenizerWasLookedFor() {
    Path exported = dir.resolve("ids-only");
    try (SequenceClassifier classifier =
        SequenceClassifier.randomInit(TinyModels.rewardModel(32, 1), 3, ModelOptions.cpu())) {
      OnnxExport.export(classifier, exported);
    }
    try (OnnxRewardModel model = RewardModels.onnx(exported).build()) {
      assertThat(model.tokenizer()).isNull();
      assertThat(model.scoreIds(List.of(new long[] {1, 2, 3}))).hasSize(1);
      assertThatThrownBy(() -> model.score(PROMPT, "hello"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no tokenizer.json beside it")
          .hasMessageContaining("ids-only");
    }
  }
}
