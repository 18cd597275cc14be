package dev.rlhf4j.sampling.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.InsufficientMemoryException;
import dev.rlhf4j.models.memory.MemoryEstimator;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator refuses a call whose KV cache and batch would not fit, before allocating. */
class GeneratorMemoryRefusalTest {
  @TempDir static Path dir;
  static CausalLm model;
  static HfTokenizer tokenizer;

  static final List<Prompt> PROMPTS =
      List.of(new Prompt("a", List.of(Message.user("Hello there"))));

  @BeforeAll
  static void setUp() {
    model = CausalLm.randomInit(TinyFixtures.llama(256), 11, ModelOptions.cpu());
    tokenizer = HfTokenizer.load(TinyFixtures.writeTokenizer(dir.resolve("tok")));
  }

  @AfterAll
  static void tearDown() {
    model.close();
    tokenizer.close();
  }

  @Test
  void generate_refusesABatchThatDoesNotFit_namingTheLargestMaxBatchRowsThatDoes() {
    int prompt = tokenizer.encodeChat(PROMPTS.get(0).messages(), true).length;
    MemoryEstimator estimator = MemoryEstimator.builder(model).trainableParameters(0).build();
    long resident = MemoryEstimator.residentBytes(model);
    // 8 responses of 100 new tokens in one batch; room for 2 rows only
    // one prompt: its responses share one prefill row
    long room = estimator.generation(2, 1, prompt, 100).total() - resident;
    assertThat(estimator.generation(8, prompt, 100).kvCache())
        .isEqualTo(2L * 2 * 8 * (prompt + 100) * model.config().numKvHeads()
            * model.config().headDim() * 4);
    Generator generator =
        Generator.builder(model, tokenizer).maxBatchRows(16)
            .availableMemory(AvailableMemory.fixed(room)).build();
    SamplingParams params = SamplingParams.builder().maxNewTokens(100).seed(1).build();
    int before = liveArrays();
    assertThatThrownBy(() -> generator.generate(PROMPTS, 8, params))
        .isInstanceOf(InsufficientMemoryException.class)
        .hasMessageStartingWith(
            "generation (8 rows x up to " + prompt + " prompt + 100 new tokens) needs ~")
        .hasMessageContaining(" MiB available (a fixed budget of " + room + " bytes)")
        .hasMessageContaining(": use maxBatchRows(2) or a smaller maxNewTokens [weights ")
        .hasMessageContaining("KV cache 0.00 GiB");
    assertThat(liveArrays()).isEqualTo(before);
    // the advice works: two rows at a time fit
    GenerationResult result =
        Generator.builder(model, tokenizer).maxBatchRows(2)
            .availableMemory(AvailableMemory.fixed(room)).build()
            .generate(PROMPTS, 8, SamplingParams.builder().maxNewTokens(3).seed(1).build());
    assertThat(result.prompts().get(0).generations()).hasSize(8);
  }

  @Test
  void generate_whereNotOneRowFits_advisesShorterGenerations() {
    Generator generator =
        Generator.builder(model, tokenizer).availableMemory(AvailableMemory.fixed(0)).build();
    assertThatThrownBy(
            () -> generator.generate(
                PROMPTS, 2, SamplingParams.builder().maxNewTokens(10).seed(1).build()))
        .isInstanceOf(InsufficientMemoryException.class)
        .hasMessageContaining(", 0 MiB available (a fixed budget of 0 bytes)")
        .hasMessageContaining(
            "even maxBatchRows(1) does not fit: shorten maxNewTokens or the prompts"
                + " (contextLength)");
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
