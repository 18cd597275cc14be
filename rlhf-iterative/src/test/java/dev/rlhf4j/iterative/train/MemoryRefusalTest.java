package dev.rlhf4j.iterative.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.InsufficientMemoryException;
import dev.rlhf4j.models.memory.MemoryEstimate;
import dev.rlhf4j.models.memory.MemoryEstimator;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trainers refuse a configuration whose memory estimate does not fit, before allocating. */
class MemoryRefusalTest {
  @TempDir static Path shared;
  private static HfTokenizer tokenizer;

  @BeforeAll
  static void loadTokenizer() {
    tokenizer = TinyModels.tokenizer(shared.resolve("tokenizer"));
  }

  @AfterAll
  static void closeTokenizer() {
    tokenizer.close();
  }

  private static DpoConfig config(int microBatch) {
    return DpoConfig.builder()
        .learningRate(1e-3).warmupRatio(0).epochs(1)
        .microBatchSize(microBatch).globalBatchSize(4)
        .maxLength(64).maxPromptLength(32).build();
  }

  @Test
  void dpoStepThatDoesNotFitIsRefusedBeforeAnyAllocation() {
    List<PreferencePair> pairs = TinyModels.toyPairs(4);
    try (CausalLm policy = CausalLm.randomInit(TinyModels.config(), 1, ModelOptions.cpu())) {
      MemoryEstimate four =
          DpoTrainer.builder(policy, tokenizer).config(config(4)).build().estimateMemory(pairs);
      MemoryEstimate one =
          DpoTrainer.builder(policy, tokenizer).config(config(1)).build().estimateMemory(pairs);
      assertThat(four.activations()).isGreaterThan(one.activations());
      assertThat(four.gradients()).isEqualTo(4 * policy.numParameters());
      // reference log-probabilities are precomputed (the default): no reference held in training
      assertThat(four.weights()).isEqualTo(4 * policy.numParameters());
      long resident = 4 * policy.numParameters() + MemoryEstimator.DEFAULT_RUNTIME_BYTES;
      // room for one pair per micro-batch but not for four
      long room = one.total() - resident;
      DpoTrainer trainer =
          DpoTrainer.builder(policy, tokenizer)
              .config(config(4))
              .availableMemory(AvailableMemory.fixed(room))
              .build();
      int before = TinyModels.liveArrays();
      assertThatThrownBy(() -> trainer.train(pairs))
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageStartingWith("DPO step (4 pairs x 2 x up to ")
          .hasMessageContaining(" MiB available (a fixed budget of " + room + " bytes)")
          .hasMessageMatching("(?s).*: use microBatchSize\\([123]\\) or LoRA \\[weights .*");
      assertThat(TinyModels.liveArrays()).isEqualTo(before);
    }
  }

  @Test
  void dpoStepWhereNothingFitsAdvisesLora() {
    try (CausalLm policy = CausalLm.randomInit(TinyModels.config(), 1, ModelOptions.cpu())) {
      DpoTrainer trainer =
          DpoTrainer.builder(policy, tokenizer)
              .config(config(2))
              .availableMemory(AvailableMemory.fixed(0))
              .build();
      int before = TinyModels.liveArrays();
      assertThatThrownBy(() -> trainer.train(TinyModels.toyPairs(4)))
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageContaining("even microBatchSize(1) does not fit: use LoRA");
      assertThat(TinyModels.liveArrays()).isEqualTo(before);
    }
  }

  @Test
  void sftStepThatDoesNotFitIsRefusedBeforeAnyAllocation() {
    List<SftExample> examples =
        List.of(
            new SftExample(List.of(Message.user("hi")), "hello there"),
            new SftExample(List.of(Message.user("bye")), "see you"));
    try (CausalLm policy = CausalLm.randomInit(TinyModels.config(), 1, ModelOptions.cpu())) {
      SftTrainer trainer =
          SftTrainer.builder(policy, tokenizer)
              .config(SftConfig.builder().learningRate(1e-3).warmupRatio(0).microBatchSize(2)
                  .globalBatchSize(2).maxLength(64).build())
              .availableMemory(AvailableMemory.fixed(1024))
              .build();
      int before = TinyModels.liveArrays();
      assertThatThrownBy(() -> trainer.train(examples))
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageStartingWith("SFT step (2 sequences x up to ")
          .hasMessageContaining("1 MiB available (a fixed budget of 1024 bytes)")
          .hasMessageContaining("even microBatchSize(1) does not fit: use LoRA");
      assertThat(TinyModels.liveArrays()).isEqualTo(before);
    }
  }
}
