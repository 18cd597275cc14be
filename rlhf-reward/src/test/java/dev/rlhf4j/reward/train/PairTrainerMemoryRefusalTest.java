package dev.rlhf4j.reward.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.InsufficientMemoryException;
import dev.rlhf4j.models.memory.MemoryEstimator;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.TinyModels;
import dev.rlhf4j.reward.preference.LmPreferenceModel;
import dev.rlhf4j.reward.preference.PreferenceTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bradley–Terry and the pairwise preference trainer refuse a micro-batch whose memory
 * estimate does not fit, before allocating, with the figures and what to change.
 */
class PairTrainerMemoryRefusalTest {
  @TempDir static Path dir;
  private static HfTokenizer tokenizer;

  @BeforeAll
  static void loadTokenizer() {
    tokenizer =
        HfTokenizer.load(
            TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
  }

  @AfterAll
  static void closeTokenizer() {
    tokenizer.close();
  }

  /** Pairs whose inputs all render to the same length (same-length responses). */
  private static List<PreferencePair> pairs() {
    List<PreferencePair> out = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      out.add(PreferencePair.of(List.of(Message.user("pick")), "abcd", "wxyz"));
    }
    return out;
  }

  @Test
  void rewardTrainer_refusesAMicroBatchThatDoesNotFit_namingOneThatDoes() {
    try (SequenceClassifier model =
        SequenceClassifier.randomInit(TinyModels.rewardModel(32, 1), 3, ModelOptions.cpu())) {
      int length;
      try (DjlRewardModel view = DjlRewardModel.of(model, tokenizer).build()) {
        length = view.tokenize(new ScoreRequest(List.of(Message.user("pick")), "abcd")).length;
      }
      MemoryEstimator estimator = MemoryEstimator.builder(model).build();
      long resident = MemoryEstimator.residentBytes(model);
      // room for one pair per micro-batch (2 sequences) but not for four
      long room = estimator.trainingStep(2, length, 0).total() - resident;
      assertThat(estimator.trainingStep(8, length, 0).total() - resident).isGreaterThan(room);
      RewardTrainer trainer =
          RewardTrainer.builder(model, tokenizer)
              .trainPairs(pairs()).microBatchSize(4).globalBatchSize(8)
              .availableMemory(AvailableMemory.fixed(room))
              .build();
      int before = liveArrays();
      assertThatThrownBy(trainer::train)
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageStartingWith(
              "reward model step (4 pairs x 2 x up to " + length + " tokens per micro-batch)"
                  + " needs ~")
          .hasMessageContaining(" MiB available (a fixed budget of " + room + " bytes)")
          .hasMessageMatching("(?s).*: use microBatchSize\\([123]\\) or LoRA \\[weights .*");
      assertThat(liveArrays()).isEqualTo(before);
    }
  }

  @Test
  void rewardTrainer_whereNothingFits_advisesLora() {
    try (SequenceClassifier model =
        SequenceClassifier.randomInit(TinyModels.rewardModel(32, 1), 3, ModelOptions.cpu())) {
      RewardTrainer trainer =
          RewardTrainer.builder(model, tokenizer)
              .trainPairs(pairs()).microBatchSize(2).globalBatchSize(8)
              .availableMemory(AvailableMemory.fixed(0))
              .build();
      assertThatThrownBy(trainer::train)
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageContaining(", 0 MiB available (a fixed budget of 0 bytes)")
          .hasMessageContaining(
              "even microBatchSize(1) does not fit: use LoRA, freeze layers or shorten the"
                  + " sequences");
    }
  }

  @Test
  void preferenceTrainer_refusesAMicroBatchThatDoesNotFit_namingOneThatDoes() {
    try (CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(32, 1), 2, ModelOptions.cpu())) {
      int length;
      try (LmPreferenceModel view = LmPreferenceModel.of(lm, tokenizer).build()) {
        length = view.tokenize(new Comparison(List.of(Message.user("pick")), "abcd", "wxyz"))
            .length;
      }
      MemoryEstimator estimator = MemoryEstimator.builder(lm).build();
      long resident = MemoryEstimator.residentBytes(lm);
      long room = estimator.trainingStep(1, length, 1).total() - resident;
      assertThat(estimator.trainingStep(4, length, 4).total() - resident).isGreaterThan(room);
      PreferenceTrainer trainer =
          PreferenceTrainer.builder(lm, tokenizer)
              .trainPairs(pairs()).microBatchSize(4).globalBatchSize(8)
              .availableMemory(AvailableMemory.fixed(room))
              .build();
      int before = liveArrays();
      assertThatThrownBy(trainer::train)
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageStartingWith(
              "preference model step (4 comparisons x up to " + length
                  + " tokens per micro-batch) needs ~")
          .hasMessageContaining(" MiB available (a fixed budget of " + room + " bytes)")
          .hasMessageMatching("(?s).*: use microBatchSize\\([123]\\) or LoRA \\[weights .*");
      assertThat(liveArrays()).isEqualTo(before);
    }
  }

  @Test
  void preferenceTrainer_whereNothingFits_advisesLora() {
    try (CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(32, 1), 2, ModelOptions.cpu())) {
      PreferenceTrainer trainer =
          PreferenceTrainer.builder(lm, tokenizer)
              .trainPairs(pairs()).microBatchSize(2).globalBatchSize(8)
              .availableMemory(AvailableMemory.fixed(1024))
              .build();
      assertThatThrownBy(trainer::train)
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageContaining(", 1 MiB available (a fixed budget of 1024 bytes)")
          .hasMessageContaining("even microBatchSize(1) does not fit: use LoRA");
    }
  }

  private static int liveArrays() {
    try (NDManager any = NDManager.newBaseManager()) {
      NDManager root = any;
      while (root.getParentManager() != null && root.getParentManager() != root) {
        root = root.getParentManager();
      }
      return ((BaseNDManager) root).getManagedArrays().size();
    }
  }
}
