package dev.rlhf4j.spark;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.IterativeLoop;
import dev.rlhf4j.iterative.PolicyBackend;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.IterativeDpo;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Test fixtures: a tiny word-level policy and reward model saved as Hugging Face directories, the
 * loop the tests run (2 iterations, rejection sampling), and local Spark contexts.
 */
final class Tiny {
  static final List<String> SPECIAL =
      List.of("<|pad|>", "<|unk|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>");
  static final List<String> WORDS =
      List.of("yes", "no", "maybe", "say", "one", "two", "three", "red", "blue", "cat", "dog",
          "ok", "A", "B");
  static final String TEMPLATE =
      "{% for message in messages %}{% if not loop.first %}{{ ' ' }}{% endif %}"
          + "<|{{ message['role'] }}|> {{ message['content'] }} <|end|>{% endfor %}"
          + "{% if add_generation_prompt %} <|assistant|>{% endif %}";
  static final SamplingParams SAMPLING =
      SamplingParams.builder().temperature(1).maxNewTokens(6).seed(5).build();
  static final DpoConfig DPO =
      DpoConfig.builder().beta(0.1).learningRate(5e-3).epochs(1).globalBatchSize(4)
          .microBatchSize(2).maxLength(32).maxPromptLength(16).warmupRatio(0).build();
  /** Rows per decoding batch, in process and on executors. */
  static final int ROWS = 8;

  private Tiny() {}

  /** Writes the tokenizer and a random two-layer Llama policy with {@code seed} into dir. */
  static Path policy(Path dir, long seed) {
    writeTokenizer(dir);
    try (CausalLm model = CausalLm.randomInit(config(Architecture.LLAMA_CAUSAL_LM), seed,
        ModelOptions.cpu())) {
      model.save(dir);
    }
    return dir;
  }

  /** Writes a random one-label reward model over the same tokenizer into dir. */
  static Path rewardModel(Path dir, long seed) {
    Path lmDir = policy(dir.resolveSibling(dir.getFileName() + "-lm"), seed);
    try (CausalLm lm = CausalLm.load(lmDir);
        HfTokenizer tokenizer = HfTokenizer.load(lmDir);
        DjlRewardModel rm = DjlRewardModel.fromCausalLm(lm, tokenizer, seed + 1).build()) {
      rm.save(dir);
    }
    return dir;
  }

  private static void writeTokenizer(Path dir) {
    List<String> vocabulary = new ArrayList<>(SPECIAL);
    vocabulary.addAll(WORDS);
    HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.WORDS)
        .vocabulary(vocabulary)
        .specialTokens(SPECIAL)
        .eosToken("<|end|>")
        .padToken("<|pad|>")
        .unkToken("<|unk|>")
        .chatTemplate(TEMPLATE)
        .build()
        .write(dir);
  }

  private static ModelConfig config(Architecture architecture) {
    return ModelConfig.builder(architecture)
        .vocabSize(SPECIAL.size() + WORDS.size())
        .hiddenSize(32)
        .numLayers(2)
        .numHeads(2)
        .numKvHeads(2)
        .intermediateSize(64)
        .maxPositionEmbeddings(64)
        .tieWordEmbeddings(true)
        .padTokenId(OptionalInt.of(0))
        .eosTokenIds(List.of(5))
        .bosTokenId(OptionalInt.empty())
        .initializerRange(0.1)
        .build();
  }

  static List<Prompt> prompts(String prefix, int n) {
    String[] words = {"say yes", "say one", "say red cat", "say two dog", "say blue", "ok"};
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Prompt(prefix + i, List.of(Message.user(words[i % words.length]))));
    }
    return out;
  }

  /** The DJL backend both the in-process and the Spark runs train with. */
  static DjlDpoBackend djl() {
    return DjlDpoBackend.builder().maxBatchRows(ROWS).build();
  }

  /** The loop of the tests: 2 iterations of 6 prompts x 4 responses, rejection sampling. */
  static IterativeLoop.Builder loop(Path pi0, PolicyBackend backend,
      dev.rlhf4j.api.feedback.RewardModel rm, Path runDirectory) {
    return IterativeDpo.builder()
        .policy(pi0)
        .backend(backend)
        .rewardModel(rm)
        .prompts(PromptSource.of(prompts("train-", 12)))
        .iterations(2)
        .promptsPerIteration(6)
        .exploration(ExplorationStrategies.rejectionSampling(4))
        .sampling(SAMPLING)
        .dpo(DPO)
        .seed(11)
        .runDirectory(runDirectory);
  }

  /** A local Spark context with {@code master} and no UI. */
  static JavaSparkContext spark(String master) {
    return new JavaSparkContext(new SparkConf()
        .setMaster(master)
        .setAppName("rlhf-spark-test")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1"));
  }

  /** The files of an iteration directory that must not depend on where sampling ran. */
  static List<String> handOffFiles(Path run) {
    List<String> out = new ArrayList<>();
    for (int t = 1; t <= 2; t++) {
      for (String f : List.of("generated.jsonl", "annotated.jsonl", "pairs.jsonl",
          "selection.json")) {
        out.add(read(run.resolve("iter-" + t).resolve(f)));
      }
    }
    return out;
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
