package dev.rlhf4j.benchmarks;

import dev.rlhf4j.api.Message;
import java.util.OptionalInt;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import dev.rlhf4j.sampling.generate.GenerationResult;
import dev.rlhf4j.sampling.generate.GenerationStats;
import dev.rlhf4j.sampling.generate.Generator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Macro-benchmark of {@link Generator} on a small random-init Llama (hidden 256, 4 layers, 8
 * heads, 2 key/value heads, vocabulary 32000) with a character-level tokenizer padded to 32000
 * ids and a ChatML template, written to a temporary directory. Prints the medians of a few
 * repeats after a warm-up:
 *
 * <ol>
 *   <li>generated tokens per second at batch 1, 8 and 64 (distinct 32-token prompts, 64 new
 *       tokens, temperature 1), for the whole call and for the decoding steps alone;
 *   <li>the cost of one decoding step at batch 1 with 32 and with 512 tokens of context;
 *   <li>prefill time for n = 8 samples of a 256-token prompt: one prefill and a cache expansion
 *       against eight separate prefills (and against one batched prefill of eight copies).
 * </ol>
 *
 * <p>The harness's {@code generation} section calls {@link #measure}. Run alone: {@code java -cp ... dev.rlhf4j.benchmarks.GenerationBenchmark [repeats]} (default 5).
 * On a machine shared with other work, pin the engine's threads ({@code
 * -Dai.djl.pytorch.num_threads=N -Dai.djl.pytorch.num_interop_threads=1}): OpenMP threads that
 * spin on oversubscribed cores slow small models down many times. Timings come from {@link
 * GenerationStats}. Nothing is masked: a random model ends a response early only with probability
 * ~1/32000 per token, and the rates use the tokens actually generated.
 */
public final class GenerationBenchmark {
  private static final int VOCAB = 32000;
  private static final List<String> SPECIAL =
      List.of("<unk>", "<s>", "</s>", "<pad>", "<|im_start|>", "<|im_end|>");
  private static final String CHATML =
      "{% for message in messages %}"
          + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
          + "{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  private GenerationBenchmark() {}

  /**
   * The figures of one run.
   *
   * @param tokensPerSecB1 generated tokens per second (whole call) at batch 1
   * @param tokensPerSecB8 the same at batch 8
   * @param tokensPerSecB64 the same at batch 64
   * @param msPerToken32 one decoding step at batch 1 with 32 tokens of context, milliseconds
   * @param msPerToken512 the same with 512 tokens of context
   * @param sharedPrefillMs one prefill of a 256-token prompt expanded to 8 rows, milliseconds
   * @param separatePrefillMs eight separate prefills of that prompt, milliseconds
   * @param batchedPrefillMs one batched prefill of eight copies, milliseconds
   * @param parameters the model's parameter count
   * @param repeats timed runs per figure (after one warm-up)
   */
  public record Measurement(
      double tokensPerSecB1,
      double tokensPerSecB8,
      double tokensPerSecB64,
      double msPerToken32,
      double msPerToken512,
      double sharedPrefillMs,
      double separatePrefillMs,
      double batchedPrefillMs,
      long parameters,
      int repeats) {

    /** Decoding cost per token at 512 tokens of context over that at 32. */
    public double costRatio512vs32() {
      return msPerToken512 / msPerToken32;
    }

    /** Eight separate prefills over one shared prefill expanded to eight rows. */
    public double sharedPrefillSpeedup() {
      return separatePrefillMs / sharedPrefillMs;
    }
  }

  /** Runs the benchmark and prints the figures. */
  public static void main(String[] args) throws IOException {
    measure(args.length > 0 ? Integer.parseInt(args[0]) : 5, System.out);
  }

  /** The model the benchmark generates with, in words. */
  public static String describeModel() {
    return "Llama hidden 256, 4 layers, 8 heads / 2 kv heads, vocab " + VOCAB
        + "; 32-token prompts, 64 new tokens";
  }

  /**
   * Runs the three measurements, printing each figure to {@code out} as it comes, and returns
   * them. The model, tokenizer and temporary directory are released before returning.
   *
   * @param repeats timed runs per figure, at least 1 (each after one warm-up run)
   * @param out where the figures are printed
   * @throws IllegalArgumentException if {@code repeats < 1}
   * @throws IOException if the temporary tokenizer cannot be written
   */
  public static Measurement measure(int repeats, PrintStream out) throws IOException {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be >= 1 but was " + repeats);
    }
    double[] tokensPerSec = new double[3];
    Path dir = Files.createTempDirectory("rlhf4j-generation-benchmark");
    writeTokenizer(dir);
    ModelConfig config = config();
    try (CausalLm model = CausalLm.randomInit(config, 1, ModelOptions.cpu());
        HfTokenizer tokenizer = HfTokenizer.load(dir)) {
      Generator generator = Generator.builder(model, tokenizer).maxBatchRows(64).build();
      int overhead = tokenizer.encodeChat(List.of(Message.user("")), true).length;
      out.printf(
          Locale.ROOT,
          "GenerationBenchmark: Llama hidden 256, 4 layers, 8 heads / 2 kv heads, vocab %d"
              + " (%,d parameters), %d repeats, CPU threads %d%n",
          VOCAB, model.numParameters(), repeats, Runtime.getRuntime().availableProcessors());

      SamplingParams sampling = SamplingParams.builder().maxNewTokens(64).seed(1).build();
      out.println("\n1) throughput, 32-token prompts, 64 new tokens, temperature 1");
      int[] batches = {1, 8, 64};
      for (int b = 0; b < batches.length; b++) {
        int batch = batches[b];
        List<Prompt> prompts = prompts(batch, 32 - overhead, "b" + batch);
        List<GenerationStats> runs = measure(repeats, () -> generator.generate(prompts, 1,
            sampling));
        tokensPerSec[b] = median(runs, GenerationStats::tokensPerSecond);
        out.printf(
            Locale.ROOT,
            "   batch %2d: %8.1f tokens/s overall, %8.1f tokens/s decoding (%.1f ms per step)%n",
            batch,
            tokensPerSec[b],
            median(runs, s -> (s.generatedTokens() - batch) * 1e9 / s.decodeNanos()),
            median(runs, s -> s.decodeNanos() / 1e6 / s.decodeSteps()));
      }

      out.println("\n2) decoding step at batch 1 by context length (64 new tokens)");
      double[] perStep = new double[2];
      int[] contexts = {32, 512};
      for (int c = 0; c < 2; c++) {
        List<Prompt> prompts = prompts(1, contexts[c] - overhead, "ctx" + contexts[c]);
        List<GenerationStats> runs = measure(repeats, () -> generator.generate(prompts, 1,
            sampling));
        perStep[c] = median(runs, s -> s.decodeNanos() / 1e6 / s.decodeSteps());
        out.printf(
            Locale.ROOT, "   context %3d: %.2f ms per token%n", contexts[c], perStep[c]);
      }
      out.printf(Locale.ROOT, "   ratio 512/32: %.2f%n", perStep[1] / perStep[0]);

      out.println("\n3) prefill of a 256-token prompt for n = 8 samples");
      SamplingParams one = SamplingParams.builder().maxNewTokens(1).seed(1).build();
      List<Prompt> single = prompts(1, 256 - overhead, "shared");
      List<Prompt> copies = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        copies.add(new Prompt("copy" + i, single.get(0).messages()));
      }
      Generator oneRow = Generator.builder(model, tokenizer).maxBatchRows(1).build();
      double shared =
          median(measure(repeats, () -> generator.generate(single, 8, one)), GenerationBenchmark::prefillMs);
      double separate =
          median(measure(repeats, () -> oneRow.generate(copies, 1, one)), GenerationBenchmark::prefillMs);
      double batched =
          median(measure(repeats, () -> generator.generate(copies, 1, one)), GenerationBenchmark::prefillMs);
      out.printf(Locale.ROOT, "   shared prefill + expand to 8 rows: %8.1f ms%n", shared);
      out.printf(
          Locale.ROOT, "   eight separate prefills:           %8.1f ms  (speed-up %.1fx)%n",
          separate, separate / shared);
      out.printf(
          Locale.ROOT, "   one batched prefill of 8 copies:   %8.1f ms  (speed-up %.1fx)%n",
          batched, batched / shared);
      return new Measurement(
          tokensPerSec[0], tokensPerSec[1], tokensPerSec[2], perStep[0], perStep[1], shared,
          separate, batched, model.numParameters(), repeats);
    }
  }

  private static double prefillMs(GenerationStats s) {
    return s.prefillNanos() / 1e6;
  }

  private interface Run {
    GenerationResult run();
  }

  /** One warm-up, then {@code repeats} timed runs. */
  private static List<GenerationStats> measure(int repeats, Run run) {
    run.run();
    List<GenerationStats> stats = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      stats.add(run.run().stats());
    }
    return stats;
  }

  private static double median(List<GenerationStats> runs, ToDoubleFunction<GenerationStats> f) {
    double[] values = runs.stream().mapToDouble(f).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  /** {@code count} single-turn prompts whose content is {@code chars} characters (= tokens). */
  /** The benchmark model's configuration (see {@link #describeModel()}). */
  private static ModelConfig config() {
    return ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(VOCAB)
        .hiddenSize(256)
        .numLayers(4)
        .numHeads(8)
        .numKvHeads(2)
        .intermediateSize(688)
        .maxPositionEmbeddings(1024)
        .build();
  }

  /**
   * Writes the benchmark model (random weights, seed 1) with its tokenizer into {@code dir} as a
   * Hugging Face checkpoint, for benchmarks that load models from directories (the Spark section).
   */
  public static Path writeCheckpoint(Path dir) {
    writeTokenizer(dir);
    try (CausalLm model = CausalLm.randomInit(config(), 1, ModelOptions.cpu())) {
      model.save(dir);
    }
    return dir;
  }

  /** {@code count} prompts of {@code chars} characters, ids {@code prefix-i}. */
  public static List<Prompt> benchmarkPrompts(int count, int chars, String prefix) {
    return prompts(count, chars, prefix);
  }

  private static List<Prompt> prompts(int count, int chars, String prefix) {
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      char[] content = new char[chars];
      for (int j = 0; j < chars; j++) {
        content[j] = (char) ('a' + (i * 7 + j * 13) % 26);
      }
      prompts.add(new Prompt(prefix + "-" + i, List.of(Message.user(new String(content)))));
    }
    return prompts;
  }

  /** A character-level BPE tokenizer padded with unreachable filler tokens to {@link #VOCAB}. */
  private static void writeTokenizer(Path dir) {
    List<String> vocabulary = new ArrayList<>(SPECIAL);
    vocabulary.add("\n");
    for (char c = 32; c < 127; c++) {
      vocabulary.add(String.valueOf(c));
    }
    for (int i = 0; vocabulary.size() < VOCAB; i++) {
      vocabulary.add("<f" + i + ">");
    }
    HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.CHARACTERS)
        .vocabulary(vocabulary)
        .specialTokens(SPECIAL)
        .bosToken("<s>")
        .eosToken("</s>")
        .padToken("<pad>")
        .unkToken("<unk>")
        .chatTemplate(CHATML)
        .build()
        .write(dir);
    // deleted in reverse order of registration: the files, then the directory
    dir.toFile().deleteOnExit();
    Arrays.asList(dir.toFile().listFiles()).forEach(f -> f.deleteOnExit());
  }
}
