package dev.rlhf4j.iterative.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.models.tokenizer.PromptResponseIds;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftTrainerTest {
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

  private static SftConfig.Builder small() {
    return SftConfig.builder()
        .learningRate(1e-3)
        .warmupRatio(0)
        .microBatchSize(2)
        .globalBatchSize(2)
        .maxLength(64);
  }

  private static final List<SftExample> EXAMPLES =
      List.of(
          new SftExample(List.of(Message.user("hi")), "hello there"),
          SftExample.of(Prompt.ofUser("count to three please"), "one two three"),
          SftExample.fromConversation(
              List.of(Message.user("x"), Message.assistant("y"), Message.user("name a color"),
                  Message.assistant("red"))),
          new SftExample(List.of(Message.user("bye")), "see you"));

  /** Σ −log p(response token) of one example, from the model's logits on the host. */
  private static double[] responseNll(CausalLm model, SftExample example) {
    PromptResponseIds ids =
        tokenizer.encodePromptResponse(example.prompt(), example.response(), true);
    long[] all = ids.ids();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray input = manager.create(new long[][] {all});
      NDArray mask = manager.ones(input.getShape(), ai.djl.ndarray.types.DataType.INT64);
      float[] logits = model.forward(input, mask).logits().toFloatArray();
      int vocab = model.config().vocabSize();
      double sum = 0;
      for (int t = ids.responseStart(); t < all.length; t++) {
        int row = (t - 1) * vocab;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
          max = Math.max(max, logits[row + v]);
        }
        double z = 0;
        for (int v = 0; v < vocab; v++) {
          z += Math.exp(logits[row + v] - max);
        }
        sum -= logits[row + (int) all[t]] - max - Math.log(z);
      }
      return new double[] {sum, all.length - ids.responseStart()};
    }
  }

  @Test
  void maxLength_pastThePolicysContext_isRefused() {
    try (CausalLm policy = CausalLm.randomInit(
        TinyModels.config().toBuilder().maxPositionEmbeddings(32).build(), 1,
        dev.rlhf4j.models.ModelOptions.cpu())) {
      SftTrainer trainer = SftTrainer.builder(policy, tokenizer).config(small().build()).build();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> trainer.train(EXAMPLES))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("maxLength (64) must be <= max_position_embeddings (32) of the"
              + " LlamaForCausalLM model");
    }
  }

  @Test
  void loss_isTheTokenMeanOverResponseTokensOnly_unchangedByPadding() {
    SftExample shortOne = EXAMPLES.get(0);
    SftExample longOne = EXAMPLES.get(1);
    try (CausalLm policy = TinyModels.policy(2)) {
      double[] a = responseNll(policy, shortOne);
      double[] b = responseNll(policy, longOne);
      TrainingResult result =
          SftTrainer.builder(policy, tokenizer).config(small().build()).build()
              .train(List.of(shortOne, longOne));
      assertThat(result.steps()).isEqualTo(1);
      assertThat(result.first("loss")).isCloseTo((a[0] + b[0]) / (a[1] + b[1]), within(1e-5));
    }
  }

  @Test
  void oneStep_isTheSameForMicroBatch4AndAccumulation4() {
    SftConfig whole = small().microBatchSize(4).globalBatchSize(4).build();
    SftConfig accumulated = whole.toBuilder().microBatchSize(1).build();
    try (CausalLm a = TinyModels.policy(6);
        CausalLm b = TinyModels.policy(6)) {
      TrainingResult ra = SftTrainer.builder(a, tokenizer).config(whole).build().train(EXAMPLES);
      TrainingResult rb =
          SftTrainer.builder(b, tokenizer).config(accumulated).build().train(EXAMPLES);
      assertThat(TinyModels.maxDifference(TinyModels.weights(a), TinyModels.weights(b)))
          .isLessThan(1e-5);
      assertThat(rb.first("loss")).isCloseTo(ra.first("loss"), within(1e-5));
      assertThat(rb.first("grad_norm")).isCloseTo(ra.first("grad_norm"), within(1e-5));
    }
  }

  @Test
  void tinyMemorisationTask_lossFalls() {
    try (CausalLm policy = TinyModels.policy(8)) {
      TrainingResult result =
          SftTrainer.builder(policy, tokenizer)
              .config(small().learningRate(1e-2).microBatchSize(4).globalBatchSize(4).epochs(25)
                  .build())
              .build()
              .train(EXAMPLES);
      assertThat(result.steps()).isEqualTo(25);
      assertThat(result.finalLoss()).isLessThan(0.3 * result.first("loss"));
      StepMetrics last = result.history().get(24);
      assertThat(last.stage()).isEqualTo(Stage.SFT);
      assertThat(last.metrics().keySet())
          .contains("loss", "grad_norm", "learning_rate", "tokens_per_sec", "epoch");
      assertThat(result.tokensPerSecond()).isPositive();
    }
  }

  @Test
  void promptFillingMaxLength_isRefusedNamingTheExample() {
    try (CausalLm policy = TinyModels.policy(1)) {
      SftTrainer trainer =
          SftTrainer.builder(policy, tokenizer).config(small().maxLength(8).build()).build();
      assertThatThrownBy(() -> trainer.train(EXAMPLES))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("example 0: its prompt has ")
          .hasMessageContaining("no response token fits in maxLength 8");
    }
  }

  @Test
  void examples_checkTheirShape() {
    assertThatThrownBy(() -> new SftExample(List.of(Message.assistant("a")), "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prompt must end with a user turn but ended with assistant");
    assertThatThrownBy(() -> SftExample.fromConversation(List.of(Message.user("a"),
            Message.user("b"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("conversation must end with an assistant turn");
    assertThat(EXAMPLES.get(2).prompt()).hasSize(3);
    assertThat(EXAMPLES.get(2).response()).isEqualTo("red");
  }

  @Test
  void config_defaultsAndChecks() {
    SftConfig defaults = SftConfig.builder().build();
    assertThat(defaults.optimization().learningRate()).isEqualTo(2e-5);
    assertThat(defaults.optimization().epochs()).isEqualTo(1);
    assertThat(defaults.optimization().warmupRatio()).isEqualTo(0.03);
    assertThat(defaults.optimization().globalBatchSize()).isEqualTo(32);
    assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
    assertThatThrownBy(() -> SftConfig.builder().microBatchSize(5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "globalBatchSize must be a multiple of microBatchSize, but 32 is not a multiple of 5;"
                + " set globalBatchSize to 30 or 35");
  }
}
