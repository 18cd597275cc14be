package dev.rlhf4j.benchmarks;

import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.train.DpoTrainer;
import dev.rlhf4j.iterative.train.ReferenceLogProbs;
import dev.rlhf4j.iterative.train.TrainingResult;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ComputeThreads;
import dev.rlhf4j.models.KvCache;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real-shape workload of {@code bin/bench --real} in its own JVM, so that its peak resident
 * memory is its own: the Java side of {@code benchmarks/peer/peer.py}, with the same arguments
 * and the same JSON line on stdout ({@code seconds}, {@code tokensPerCall}, {@code peakRssBytes},
 * {@code threads}).
 *
 * <p>Workloads, each on the Hugging Face directory {@code --dir}:
 *
 * <ul>
 *   <li>{@code prefill}: {@code --batch × --tokens} random ids into a KV cache, the last slot's
 *       logits only ({@link CausalLm#nextTokenLogits}), as the generator's prefill runs;
 *   <li>{@code decode}: a {@code --context}-token prefill of one row, the cache repeated to {@code
 *       --batch} rows, then {@code --steps} greedy steps (two more first, not timed);
 *   <li>{@code dpo}: {@link DpoTrainer} with a live reference (a frozen copy), {@code --pairs}
 *       pairs of {@code --tokens}-token sequences per step (half prompt, half response), one
 *       warm-up step then {@code --steps} timed ones;
 *   <li>{@code reward}: {@link SequenceClassifier#forward} of {@code --batch × --tokens}.
 * </ul>
 *
 * <p>{@code peakRssBytes} is the process's {@code VmHWM} over the timed part: it is reset through
 * {@code /proc/self/clear_refs} after loading and warm-up where the kernel allows ({@code
 * peakReset} says whether it was). It includes the weights, the JVM and the engine, as the peer's
 * includes Python's and torch's.
 */
public final class RealShapeWorker {
  private static final Pattern HWM = Pattern.compile("VmHWM:\\s+(\\d+) kB");

  private RealShapeWorker() {}

  /**
   * Runs one workload and prints its JSON line.
   *
   * @param args {@code --dir DIR --workload NAME [--threads N] [--batch B] [--tokens T]
   *     [--context C] [--steps S] [--pairs P] [--repeats R]}
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value pairs but got '" + args[i] + "'");
      }
      a.put(args[i].substring(2), args[i + 1]);
    }
    Path dir = Path.of(required(a, "dir"));
    String workload = required(a, "workload");
    int threads = intArg(a, "threads", 1);
    ComputeThreads.setIntraOpThreads(threads);
    int batch = intArg(a, "batch", 8);
    int tokens = intArg(a, "tokens", 496);
    int context = intArg(a, "context", 32);
    int steps = intArg(a, "steps", 16);
    int pairs = intArg(a, "pairs", 2);
    int repeats = intArg(a, "repeats", 1);
    Map<String, Object> result =
        switch (workload) {
          case "prefill" -> prefill(dir, batch, tokens, repeats);
          case "decode" -> decode(dir, batch, context, steps);
          case "dpo" -> dpo(dir, pairs, tokens, steps);
          case "reward" -> reward(dir, batch, tokens, repeats);
          default -> throw new IllegalArgumentException(
              "--workload must be prefill, decode, dpo or reward but was '" + workload + "'");
        };
    result.put("side", "rlhf4j");
    result.put("workload", workload);
    result.put("peakRssBytes", peakRssBytes());
    Map<String, Object> used = new LinkedHashMap<>();
    used.put("intraOp", ComputeThreads.intraOpThreads());
    used.put("interOp", ComputeThreads.interOpThreads());
    used.put("device", Engine.getInstance().defaultDevice().toString());
    result.put("threads", used);
    result.put("version", "rlhf4j, " + Engine.getInstance().getEngineName() + " "
        + Engine.getInstance().getVersion());
    System.out.println(new ObjectMapper().writeValueAsString(result));
    System.out.flush();
  }

  private static Map<String, Object> prefill(Path dir, int batch, int tokens, int repeats) {
    try (CausalLm lm = CausalLm.load(dir)) {
      int vocab = lm.config().vocabSize();
      once(lm, 2, 16, vocab); // warm-up
      boolean fresh = resetPeak();
      List<Double> seconds = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        long start = System.nanoTime();
        once(lm, batch, tokens, vocab);
        seconds.add((System.nanoTime() - start) / 1e9);
      }
      return result(seconds, (long) batch * tokens, fresh);
    }
  }

  private static int once(CausalLm lm, int rows, int tokens, int vocab) {
    try (NDManager step = NDManager.newBaseManager(lm.options().device());
        KvCache cache = lm.newCache(rows, tokens + 32)) {
      NDArray ids = owned(step.create(randomIds(rows * tokens, vocab, 1), new Shape(rows, tokens)));
      NDArray mask = owned(step.ones(new Shape(rows, tokens), DataType.INT64));
      NDArray logits = lm.nextTokenLogits(ids, mask, null, cache);
      return (int) logits.argMax(-1).getLong(0);
    }
  }

  private static Map<String, Object> decode(Path dir, int batch, int context, int steps) {
    try (CausalLm lm = CausalLm.load(dir);
        NDManager root = NDManager.newBaseManager(lm.options().device());
        KvCache cache = lm.newCache(1, context + steps + 2)) {
      int vocab = lm.config().vocabSize();
      long[] next;
      try (NDManager step = root.newSubManager()) {
        NDArray ids = owned(step.create(randomIds(context, vocab, 2), new Shape(1, context)));
        NDArray mask = owned(step.ones(new Shape(1, context), DataType.INT64));
        long token = lm.nextTokenLogits(ids, mask, null, cache).argMax(-1).getLong(0);
        next = new long[batch];
        java.util.Arrays.fill(next, token);
      }
      cache.expand(batch);
      boolean fresh = resetPeak();
      List<Double> seconds = new ArrayList<>();
      for (int s = 0; s < steps + 2; s++) {
        long start = System.nanoTime();
        try (NDManager step = root.newSubManager()) {
          NDArray ids = owned(step.create(next, new Shape(batch, 1)));
          NDArray mask =
              owned(step.ones(new Shape(batch, cache.length() + 1),
                  DataType.INT64));
          next = lm.nextTokenLogits(ids, mask, null, cache).argMax(-1).toLongArray();
        }
        if (s >= 2) {
          seconds.add((System.nanoTime() - start) / 1e9);
        }
      }
      return result(seconds, batch, fresh);
    }
  }

  private static Map<String, Object> dpo(Path dir, int pairsPerStep, int tokens, int steps)
      throws IOException {
    Path tokenizerDir = Files.createTempDirectory("real-shape-tokenizer");
    try (HfTokenizer tokenizer = BenchmarkTokenizer.write(tokenizerDir);
        CausalLm policy = CausalLm.load(dir);
        CausalLm reference = policy.copyFrozen()) {
      List<PreferencePair> pairs =
          DpoTrainingBenchmark.pairs(tokenizer, (steps + 1) * pairsPerStep, tokens);
      DpoConfig config =
          DpoConfig.builder()
              .microBatchSize(pairsPerStep)
              .globalBatchSize(pairsPerStep)
              .epochs(1)
              .warmupRatio(0)
              .learningRate(1e-6)
              .weightDecay(0)
              .maxLength(tokens)
              .maxPromptLength(tokens / 2)
              .referenceScoring(ReferenceLogProbs.LIVE)
              .build();
      List<Double> seconds = new ArrayList<>();
      boolean fresh = resetPeak(); // the steps run in one call: the peak includes the warm-up step
      TrainingResult trained =
          DpoTrainer.builder(policy, tokenizer).reference(reference).config(config).build()
              .train(pairs);
      var history = trained.history();
      for (int i = 1; i < history.size(); i++) {
        seconds.add(2.0 * pairsPerStep * tokens / history.get(i).get("tokens_per_sec"));
      }
      return result(seconds, 2L * pairsPerStep * tokens, fresh);
    } finally {
      try (var files = Files.walk(tokenizerDir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static Map<String, Object> reward(Path dir, int batch, int tokens, int repeats) {
    try (SequenceClassifier rm = SequenceClassifier.loadFrozen(dir);
        NDManager root = NDManager.newBaseManager(rm.options().device())) {
      int vocab = rm.config().vocabSize();
      NDArray ids = owned(root.create(randomIds(batch * tokens, vocab, 3), new Shape(batch, tokens)));
      NDArray mask = owned(root.ones(new Shape(batch, tokens), DataType.INT64));
      try (NDManager warm = root.newSubManager()) {
        NDArray small = owned(warm.create(randomIds(32, vocab, 4), new Shape(2, 16)));
        rm.forward(small, owned(warm.ones(new Shape(2, 16), DataType.INT64)))
            .scores().toFloatArray();
      }
      boolean fresh = resetPeak();
      List<Double> seconds = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        long start = System.nanoTime();
        try (NDManager step = root.newSubManager()) {
          NDArray localIds = ids.duplicate();
          localIds.attach(step);
          NDArray localMask = mask.duplicate();
          localMask.attach(step);
          rm.forward(localIds, localMask).scores().toFloatArray();
        }
        seconds.add((System.nanoTime() - start) / 1e9);
      }
      return result(seconds, (long) batch * tokens, fresh);
    }
  }

  private static Map<String, Object> result(List<Double> seconds, long tokensPerCall,
      boolean fresh) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("seconds", seconds);
    out.put("tokensPerCall", tokensPerCall);
    out.put("peakReset", fresh);
    return out;
  }

  private static long[] randomIds(int n, int vocab, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = random.nextInt(vocab);
    }
    return ids;
  }

  /** Resets the process's peak resident set size (Linux 4.0+), returning whether it could. */
  static boolean resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** {@code VmHWM} of this process in bytes, or -1 where {@code /proc} has none. */
  static long peakRssBytes() {
    try {
      Matcher m = HWM.matcher(Files.readString(Path.of("/proc/self/status")));
      return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  private static String required(Map<String, String> a, String name) {
    String value = a.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  private static int intArg(Map<String, String> a, String name, int fallback) {
    String value = a.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < 1) {
        throw new IllegalArgumentException("--" + name + " must be >= 1 but was " + parsed);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer but was '" + value
          + "'", e);
    }
  }
}
