package dev.rlhf4j.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.train.DpoTrainer;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.ProjectedLogProbs;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.memory.MemoryEstimate;
import dev.rlhf4j.models.memory.MemoryEstimator;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.sampling.generate.GenerationResult;
import dev.rlhf4j.sampling.generate.Generator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measured peaks beside {@link MemoryEstimator}'s estimates (issue 16), one workload per JVM so
 * that each peak resident set ({@code VmHWM}, reset through {@code /proc/self/clear_refs} after
 * loading) is its own. Run it with the benchmarks' runtime classpath, one workload at a time:
 *
 * <ul>
 *   <li>{@code projection [--vocab 151936] [--hidden 896] [--rows 2] [--tokens 256] [--chunks
 *       0,512,256,128,64]}: the vocabulary projection of {@code rows × tokens} completion
 *       positions, forward and backward, through a one-layer Qwen2 with that vocabulary and width
 *       (tied, random weights): chunk 0 is the unchunked path (the {@code [K, vocab]} logits and
 *       log-softmax kept by autograd), the others {@link CausalLm#logProbsAt} with that {@link
 *       ModelOptions#vocabularyChunk}. Prints the median time of 3 steps after one warm-up and the
 *       peak resident growth over one step.
 *   <li>{@code dpo --shape smollm2-135m [--pairs 2] [--micro-batch pairs] [--tokens 256] [--steps
 *       2] [--lora-rank 0]}: DPO steps ({@link DpoTrainer}) of {@code pairs} pairs each, gradients
 *       accumulated over micro-batches of {@code micro-batch} pairs, on random weights of the shape
 *       (written once under {@code benchmarks/target/real-shapes}). Rank 0 is full fine-tuning
 *       with a precomputed reference; a positive rank trains a {@link LoraConfig} adapter of that
 *       rank, alpha 2 × rank, dropout 0, on all seven Llama projections ({@link
 *       LoraConfig#LLAMA_ALL_LINEAR}), the reference being the base with the adapter off. Prints
 *       {@link DpoTrainer#estimateMemory}, the measured peak and nominal tokens per second.
 *   <li>{@code generate --shape smollm2-135m [--rows 8] [--prompt 256] [--new 256]}: one {@link
 *       Generator} call of {@code rows} responses (one batch) to a prompt of about {@code prompt}
 *       tokens, {@code new} tokens each (the cache holds them all even if EOS stops a row); prints the generator's estimate and the
 *       measured peak.
 * </ul>
 *
 * <p>Not part of {@code mvn verify}; heavy: run under {@code flock /work/wt/notes/heavy.lock}.
 */
public final class MemoryEstimateCheck {
  private static final Pattern HWM = Pattern.compile("VmHWM:\\s+(\\d+) kB");
  private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
  private static final double GIB = 1024.0 * 1024 * 1024;

  private MemoryEstimateCheck() {}

  /**
   * Runs one workload.
   *
   * @param args the workload name, then its options
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: projection|dpo|generate [--option value ...]");
    }
    String workload = args[0];
    switch (workload) {
      case "projection" -> projection(args);
      case "dpo" -> dpo(args);
      case "generate" -> generate(args);
      default -> throw new IllegalArgumentException(
          "workload must be projection, dpo or generate but was '" + workload + "'");
    }
  }

  private static void projection(String[] args) throws Exception {
    int vocab = intArg(args, "--vocab", 151_936);
    int hidden = intArg(args, "--hidden", 896);
    int rows = intArg(args, "--rows", 2);
    int tokens = intArg(args, "--tokens", 256);
    int[] chunks =
        Arrays.stream(stringArg(args, "--chunks", "0,512,256,128,64").split(","))
            .mapToInt(Integer::parseInt).toArray();
    ModelConfig config =
        ModelConfig.builder(Architecture.QWEN2_CAUSAL_LM)
            .vocabSize(vocab).hiddenSize(hidden).numLayers(1).numHeads(14).numKvHeads(2)
            .intermediateSize(256).tieWordEmbeddings(true).maxPositionEmbeddings(4096)
            .bosTokenId(OptionalInt.empty()).eosTokenIds(List.of(0)).build();
    int length = tokens + 1;
    long[][] ids = new long[rows][length];
    SplittableRandom random = new SplittableRandom(3);
    for (long[] row : ids) {
      for (int t = 0; t < length; t++) {
        row[t] = random.nextInt(vocab);
      }
    }
    long[][] mask = new long[rows][length];
    boolean[][] select = new boolean[rows][length];
    long[] labels = new long[rows * tokens];
    for (int b = 0; b < rows; b++) {
      Arrays.fill(mask[b], 1);
      for (int t = 0; t < tokens; t++) {
        select[b][t] = true;
        labels[b * tokens + t] = ids[b][t + 1];
      }
    }
    System.out.printf(
        Locale.ROOT,
        "projection: vocab %d, hidden %d, %d x %d projected positions, one-layer Qwen2 (tied),"
            + " %d cores%n",
        vocab, hidden, rows, tokens, Runtime.getRuntime().availableProcessors());
    for (int chunk : chunks) {
      ModelOptions options =
          chunk == 0 ? ModelOptions.cpu() : ModelOptions.cpu().withVocabularyChunk(chunk);
      try (CausalLm lm = CausalLm.randomInit(config, 5, options);
          NDManager root = NDManager.newBaseManager()) {
        step(lm, root, ids, mask, select, labels, chunk == 0); // warm-up: gradients exist
        List<Double> seconds = new ArrayList<>();
        long growth = 0;
        for (int r = 0; r < 3; r++) {
          System.gc();
          long before = rss();
          boolean reset = resetPeak();
          long start = System.nanoTime();
          step(lm, root, ids, mask, select, labels, chunk == 0);
          seconds.add((System.nanoTime() - start) / 1e9);
          if (reset) {
            growth = Math.max(growth, peak() - before);
          }
        }
        MemoryEstimator estimator = MemoryEstimator.builder(lm).build();
        long estimated =
            estimator.trainingStep(rows, length, (long) rows * tokens).vocabularyProjection();
        System.out.printf(
            Locale.ROOT,
            "  %-10s step %.3f s (median of 3), peak resident growth %.2f GiB; estimator's"
                + " vocabulary projection %.2f GiB%n",
            chunk == 0 ? "unchunked" : "chunk " + chunk,
            median(seconds),
            growth / GIB,
            chunk == 0
                ? 3.0 * rows * tokens * vocab * 4 / GIB
                : estimated / GIB);
      }
    }
  }

  /** One forward and backward pass of the mean completion log-probability. */
  private static void step(
      CausalLm lm, NDManager root, long[][] ids, long[][] mask, boolean[][] select,
      long[] labels, boolean unchunked) {
    try (NDManager scope = root.newSubManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray idArray = scope.create(ids);
      NDArray maskArray = scope.create(mask);
      NDArray selectArray = scope.create(select);
      NDArray labelArray = scope.create(labels);
      if (unchunked) {
        NDArray logits = lm.logitsAt(idArray, maskArray, selectArray);
        NDArray picked =
            logits.logSoftmax(-1).gather(labelArray.expandDims(-1), -1).squeeze(-1);
        logits.close();
        collector.backward(picked.mean().neg());
      } else {
        try (ProjectedLogProbs p = lm.logProbsAt(idArray, maskArray, selectArray, labelArray)) {
          NDArray loss = p.values().mean().neg();
          collector.backward(p.lossForBackward(loss));
        }
      }
    }
  }

  private static void dpo(String[] args) throws IOException {
    RealShape shape = RealShape.of(stringArg(args, "--shape", "smollm2-135m"));
    int pairs = intArg(args, "--pairs", 2);
    int microBatch = intArg(args, "--micro-batch", pairs);
    int tokens = intArg(args, "--tokens", 256);
    int steps = intArg(args, "--steps", 2);
    int loraRank = intArg(args, "--lora-rank", 0);
    double loraDropout = Double.parseDouble(stringArg(args, "--lora-dropout", "0"));
    if (microBatch < 1 || pairs % microBatch != 0) {
      throw new IllegalArgumentException(
          "--micro-batch must be in [1, pairs] and divide --pairs (" + pairs + ") but was "
              + microBatch);
    }
    if (loraRank < 0) {
      throw new IllegalArgumentException("--lora-rank must be >= 0 but was " + loraRank);
    }
    Optional<LoraConfig> lora =
        loraRank == 0
            ? Optional.empty()
            : Optional.of(
                new LoraConfig(
                    loraRank, 2.0 * loraRank, loraDropout, LoraConfig.LLAMA_ALL_LINEAR));
    Path lmDir = shape.write(Path.of("benchmarks", "target", "real-shapes", shape.id())).get(0);
    Path tokenizerDir = Files.createTempDirectory("memory-check-tokenizer");
    try (HfTokenizer tokenizer = BenchmarkTokenizer.write(tokenizerDir);
        CausalLm policy = CausalLm.load(lmDir)) {
      List<PreferencePair> data = DpoTrainingBenchmark.pairs(tokenizer, pairs * steps, tokens);
      DpoConfig.Builder builder =
          DpoConfig.builder()
              .microBatchSize(microBatch).globalBatchSize(pairs).epochs(1).warmupRatio(0)
              .learningRate(1e-6).weightDecay(0).maxLength(tokens).maxPromptLength(tokens / 2);
      lora.ifPresent(builder::lora);
      DpoConfig config = builder.build();
      DpoTrainer trainer = DpoTrainer.builder(policy, tokenizer).config(config).build();
      MemoryEstimate estimate = trainer.estimateMemory(data);
      System.gc();
      long loaded = rss();
      boolean reset = resetPeak();
      long start = System.nanoTime();
      trainer.train(data);
      double seconds = (System.nanoTime() - start) / 1e9;
      String training =
          lora.map(
                  l -> "LoRA r=" + l.rank() + " alpha " + (int) l.alpha() + " dropout " + l.dropout() + " on "
                      + l.targetModules() + " (" + l.parameterCount(policy.config())
                      + " trainable parameters), reference = the base with the adapter off")
              .orElse("full fine-tuning, precomputed reference");
      report(
          "dpo " + shape.id() + ": " + steps + " steps of " + pairs + " pairs x 2 x " + tokens
              + " tokens, micro-batch " + microBatch + ", " + training
              + " (from the second step on, gradients and AdamW moments are live during the"
              + " forward pass)",
          estimate, loaded, peak(), reset, seconds);
      long nominal = (long) steps * pairs * 2 * tokens;
      System.out.printf(
          Locale.ROOT,
          "  %.1f s per step, %.1f tokens/s (nominal: steps x pairs x 2 x %d tokens, the whole"
              + " train() call including the reference pass)%n",
          seconds / steps, nominal / seconds, tokens);
    } finally {
      deleteTree(tokenizerDir);
    }
  }

  private static void generate(String[] args) throws IOException {
    RealShape shape = RealShape.of(stringArg(args, "--shape", "smollm2-135m"));
    int rows = intArg(args, "--rows", 8);
    int promptTokens = intArg(args, "--prompt", 256);
    int newTokens = intArg(args, "--new", 256);
    Path lmDir = shape.write(Path.of("benchmarks", "target", "real-shapes", shape.id())).get(0);
    Path tokenizerDir = Files.createTempDirectory("memory-check-tokenizer");
    try (HfTokenizer tokenizer = BenchmarkTokenizer.write(tokenizerDir);
        CausalLm lm = CausalLm.loadFrozen(lmDir)) {
      StringBuilder text = new StringBuilder();
      SplittableRandom random = new SplittableRandom(9);
      List<Message> messages = List.of(Message.user(""));
      while (tokenizer.encodeChat(messages, true).length < promptTokens) {
        text.append((char) ('a' + random.nextInt(26)));
        messages = List.of(Message.user(text.toString()));
      }
      int prompt = tokenizer.encodeChat(messages, true).length;
      Generator generator =
          Generator.builder(lm, tokenizer).maxBatchRows(rows)
              .contextLength(prompt + newTokens + 1).build();
      MemoryEstimate estimate =
          MemoryEstimator.builder(lm).trainableParameters(0).build()
              .generation(rows, 1, prompt, newTokens);
      SamplingParams params =
          SamplingParams.builder().maxNewTokens(newTokens).temperature(1.0).seed(4).build();
      System.gc();
      long loaded = rss();
      boolean reset = resetPeak();
      long start = System.nanoTime();
      GenerationResult result =
          generator.generate(List.of(new Prompt("p", messages)), rows, params);
      double seconds = (System.nanoTime() - start) / 1e9;
      long generated = result.stats().generatedTokens();
      report(
          "generate " + shape.id() + ": " + rows + " rows x (" + prompt + " prompt + up to "
              + newTokens + " new) tokens, one batch, " + generated + " tokens generated",
          estimate, loaded, peak(), reset, seconds);
    } finally {
      deleteTree(tokenizerDir);
    }
  }

  private static void report(
      String what, MemoryEstimate estimate, long loaded, long peak, boolean reset,
      double seconds) {
    System.out.println(what);
    System.out.printf(
        Locale.ROOT,
        "  estimate %.2f GiB (%s)%n  measured peak resident %.2f GiB%s (%.2f GiB resident after"
            + " loading), %.1f s%n  estimate / measured = %.2f%n",
        estimate.total() / GIB,
        estimate.breakdown(),
        peak / GIB,
        reset ? " over the job" : " over the process (peak reset not allowed)",
        loaded / GIB,
        seconds,
        estimate.total() / (double) peak);
  }

  private static boolean resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static long peak() {
    return status(HWM);
  }

  private static long rss() {
    return status(RSS);
  }

  private static long status(Pattern field) {
    try {
      Matcher m = field.matcher(Files.readString(Path.of("/proc/self/status")));
      return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static int intArg(String[] args, String name, int fallback) {
    return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (int i = 1; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
