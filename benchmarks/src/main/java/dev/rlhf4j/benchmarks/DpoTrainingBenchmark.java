package dev.rlhf4j.benchmarks;

import ai.djl.ndarray.NDArray;
import java.util.OptionalInt;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.train.DpoTrainer;
import dev.rlhf4j.iterative.train.ReferenceLogProbs;
import dev.rlhf4j.iterative.train.TrainingResult;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * DPO training throughput and model FLOP utilisation (MFU) of {@link DpoTrainer} on a small
 * Llama-style policy: hidden 512, 8 layers, 8 query and 2 key/value heads, MLP 1408, vocabulary
 * 32,000; 8 preference pairs per optimizer step (one micro-batch: 16 sequences of exactly 256
 * tokens, no padding), reference log-probabilities precomputed before the timed steps.
 *
 * <p>MFU = {@code 6 · N · tokens/s / peak}, where {@code 6N} FLOPs per token is the usual
 * forward-plus-backward estimate (Kaplan et al. 2020; PaLM's MFU, Chowdhery et al. 2022, without
 * the attention term) with N the total parameter count, and the peak is the fp32 matmul rate
 * measured in this process: the median of several {@code 2048 × 2048} products, {@code 2n³/t},
 * measured before and after the DPO steps; the higher of the two is used, so that a machine busier
 * during one measurement does not inflate the MFU. The same figure with N without the token
 * embedding is printed too. Tokens per second is the mean of the steps after the first (warm-up)
 * step.
 *
 * <p>The harness's {@code dpo} section calls {@link #measure}. A plain program: {@code java -cp
 * <benchmarks classpath> dev.rlhf4j.benchmarks.DpoTrainingBenchmark [steps]} (default 4 steps). It writes a throw-away character-level tokenizer to a temporary
 * directory; nothing is downloaded.
 */
public final class DpoTrainingBenchmark {
  private static final int MATMUL_N = 2048;
  private static final int MATMUL_RUNS = 7;
  private static final int PAIRS_PER_STEP = 8;
  private static final int SEQUENCE_TOKENS = 256;

  private DpoTrainingBenchmark() {}

  /**
   * The figures of one run.
   *
   * @param tokensPerSec training tokens (chosen and rejected) per second, the mean of the steps
   *     after the first
   * @param mfu {@code 6 · N · tokensPerSec / peak}, N the total parameter count
   * @param mfuNonEmbedding the same with N without the token embedding
   * @param parameters the policy's total parameter count
   * @param parametersWithoutEmbedding the same without the token embedding
   * @param pairsPerStep preference pairs per optimizer step
   * @param steps optimizer steps run (the first is warm-up)
   * @param peakFlops the fp32 matmul peak the MFU divides by, FLOP/s: the higher of the one
   *     given and the one measured after the steps
   */
  public record Measurement(
      double tokensPerSec,
      double mfu,
      double mfuNonEmbedding,
      long parameters,
      long parametersWithoutEmbedding,
      int pairsPerStep,
      int steps,
      double peakFlops) {}

  /**
   * Runs the benchmark and prints its figures.
   *
   * @param args optional: the number of DPO steps (at least 2)
   * @throws IOException if the temporary tokenizer cannot be written
   */
  public static void main(String[] args) throws IOException {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    measure(PAIRS_PER_STEP, steps, matmulPeakFlops(), System.out);
  }

  /** The policy and batch shape, in words. */
  public static String describeModel(int pairsPerStep) {
    return String.format(Locale.ROOT,
        "Llama d=512, 8 layers, 8/2 heads, MLP 1408, vocab 32000; %d pairs x 2 x %d tokens per"
            + " step, reference precomputed", pairsPerStep, SEQUENCE_TOKENS);
  }

  /**
   * Trains the benchmark policy for {@code steps} DPO steps of {@code pairsPerStep} pairs and
   * returns its throughput and MFU against the higher of {@code peakFlopsBefore} and the matmul
   * peak measured again after the steps; prints the figures to {@code out}.
   * The policy, tokenizer and temporary directory are released before returning.
   *
   * @param pairsPerStep pairs per optimizer step (the configuration has 8), at least 1
   * @param steps optimizer steps, at least 2 (the first is warm-up)
   * @param peakFlopsBefore the fp32 matmul peak in FLOP/s measured before, positive
   * @param out where the figures are printed
   * @throws IllegalArgumentException if an argument is out of range
   * @throws IOException if the temporary tokenizer cannot be written
   */
  public static Measurement measure(
      int pairsPerStep, int steps, double peakFlopsBefore, PrintStream out) throws IOException {
    if (steps < 2) {
      throw new IllegalArgumentException("steps must be >= 2 (the first is warm-up) but was "
          + steps);
    }
    if (pairsPerStep < 1) {
      throw new IllegalArgumentException("pairsPerStep must be >= 1 but was " + pairsPerStep);
    }
    if (!(peakFlopsBefore > 0)) {
      throw new IllegalArgumentException(
          "peakFlopsBefore must be > 0 but was " + peakFlopsBefore);
    }
    ModelConfig config =
        ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
            .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
            .vocabSize(32_000).hiddenSize(512).numLayers(8).numHeads(8).numKvHeads(2)
            .intermediateSize(1408).maxPositionEmbeddings(2048).build();
    Path dir = Files.createTempDirectory("dpo-benchmark-tokenizer");
    try (HfTokenizer tokenizer = BenchmarkTokenizer.write(dir);
        CausalLm policy = CausalLm.randomInit(config, 1, ModelOptions.cpu())) {
      List<PreferencePair> pairs = pairs(tokenizer, steps * pairsPerStep);
      DpoConfig dpo =
          DpoConfig.builder()
              .microBatchSize(pairsPerStep)
              .globalBatchSize(pairsPerStep)
              .epochs(1)
              .warmupRatio(0)
              .maxLength(SEQUENCE_TOKENS)
              .maxPromptLength(SEQUENCE_TOKENS / 2)
              .referenceScoring(ReferenceLogProbs.PRECOMPUTED)
              .build();
      TrainingResult result = DpoTrainer.builder(policy, tokenizer).config(dpo).build()
          .train(pairs);
      double[] perStep =
          result.history().stream().mapToDouble(m -> m.get("tokens_per_sec")).toArray();
      double tokensPerSecond =
          Arrays.stream(perStep, 1, perStep.length).average().orElseThrow();
      double peakAfter = matmulPeakFlops();
      double peak = Math.max(peakFlopsBefore, peakAfter);
      out.printf(Locale.ROOT,
          "fp32 matmul peak (n=%d, median of %d): %.1f GFLOP/s before, %.1f after the steps;"
              + " MFU uses the higher%n",
          MATMUL_N, MATMUL_RUNS, peakFlopsBefore / 1e9, peakAfter / 1e9);
      long total = policy.numParameters();
      long embedding = (long) config.vocabSize() * config.hiddenSize();
      long nonEmbedding = total - embedding;
      double mfu = 6.0 * total * tokensPerSecond / peak;
      double mfuNonEmbedding = 6.0 * nonEmbedding * tokensPerSecond / peak;
      out.printf(Locale.ROOT,
          "policy: %,d parameters (%,d without the token embedding)%n", total, nonEmbedding);
      out.printf(Locale.ROOT,
          "DPO: %d steps of %d pairs x 2 x %d tokens = %d tokens/step; per-step tokens/s %s%n",
          result.steps(), pairsPerStep, SEQUENCE_TOKENS, 2 * pairsPerStep * SEQUENCE_TOKENS,
          Arrays.toString(Arrays.stream(perStep).map(v -> Math.round(v * 10) / 10.0).toArray()));
      out.printf(Locale.ROOT, "tokens/s (steps 2..%d): %.1f; step time %.2f s%n",
          result.steps(), tokensPerSecond,
          2.0 * pairsPerStep * SEQUENCE_TOKENS / tokensPerSecond);
      out.printf(Locale.ROOT, "MFU (6·N_total): %.1f%%; MFU (6·N_non-embedding): %.1f%%%n",
          100 * mfu, 100 * mfuNonEmbedding);
      return new Measurement(
          tokensPerSecond, mfu, mfuNonEmbedding, total, nonEmbedding, pairsPerStep,
          result.steps(), peak);
    } finally {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** FLOP/s of a float32 {@code n × n} matrix product: the median of several timed runs. */
  static double matmulPeakFlops() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.randomNormal(0, 1, new Shape(MATMUL_N, MATMUL_N), DataType.FLOAT32);
      NDArray b = manager.randomNormal(0, 1, new Shape(MATMUL_N, MATMUL_N), DataType.FLOAT32);
      for (int i = 0; i < 2; i++) {
        a.matMul(b).close();
      }
      double[] seconds = new double[MATMUL_RUNS];
      for (int i = 0; i < MATMUL_RUNS; i++) {
        long start = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
          c.getFloat(0, 0);
        }
        seconds[i] = (System.nanoTime() - start) / 1e9;
      }
      Arrays.sort(seconds);
      return 2.0 * MATMUL_N * MATMUL_N * MATMUL_N / seconds[MATMUL_RUNS / 2];
    }
  }

  /**
   * Pairs whose chosen and rejected sequences are each exactly {@link #SEQUENCE_TOKENS} tokens
   * under the benchmark tokenizer (one token per character, EOS appended).
   */
  private static List<PreferencePair> pairs(HfTokenizer tokenizer, int n) {
    return pairs(tokenizer, n, SEQUENCE_TOKENS);
  }

  /**
   * {@code n} pairs whose chosen and rejected sequences are each exactly {@code sequenceTokens}
   * tokens under the benchmark tokenizer, half prompt and half response.
   */
  static List<PreferencePair> pairs(HfTokenizer tokenizer, int n, int sequenceTokens) {
    SplittableRandom random = new SplittableRandom(7);
    String probe = "x";
    int overhead =
        tokenizer.encodePromptResponse(List.of(Message.user(probe)), probe, true).length() - 2;
    int content = sequenceTokens - overhead;
    int promptChars = content / 2;
    List<PreferencePair> pairs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String prompt = letters(random, promptChars);
      String chosen = letters(random, content - promptChars);
      String rejected = letters(random, content - promptChars);
      PreferencePair pair = PreferencePair.of(List.of(Message.user(prompt)), chosen, rejected);
      int length =
          tokenizer.encodePromptResponse(pair.prompt(), pair.chosen(), true).length();
      if (length != sequenceTokens) {
        throw new IllegalStateException("benchmark sequence has " + length + " tokens, not "
            + sequenceTokens);
      }
      pairs.add(pair);
    }
    return pairs;
  }

  private static String letters(SplittableRandom random, int count) {
    StringBuilder text = new StringBuilder(count);
    for (int i = 0; i < count; i++) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }
}
