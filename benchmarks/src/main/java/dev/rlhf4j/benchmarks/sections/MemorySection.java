package dev.rlhf4j.benchmarks.sections;

import ai.djl.engine.Engine;
import java.util.OptionalInt;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.benchmarks.harness.BenchContext;
import dev.rlhf4j.benchmarks.harness.EngineThreads;
import dev.rlhf4j.benchmarks.harness.MacroBenchmark;
import dev.rlhf4j.benchmarks.harness.SectionResult;
import dev.rlhf4j.losses.SequenceLogProbs;
import dev.rlhf4j.training.optim.AdamW;
import dev.rlhf4j.training.optim.LearningRateSchedule;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.CausalLmOutput;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Native memory over many training steps of a tiny Llama (hidden 64, 2 layers, 4 query / 2
 * key-value heads, vocabulary 512): next-token log-likelihood of fresh random 32-token
 * sequences each step, batch 4, learning rate 3e-4, backward in a {@link GradientCollector},
 * {@link AdamW} step, each step in its own sub-manager. The resident set size ({@code VmRSS} of
 * {@code /proc/self/status}), the Java heap and the count of live native arrays are read after a
 * garbage collection at three points: after 200 warm-up steps (system property {@code
 * rlhf4j.bench.memoryWarmupSteps}), after {@code n} = 500 more steps (system property {@code
 * rlhf4j.bench.memorySteps}) and after {@code n} more again.
 *
 * <p>{@code memory.rssGrowthPct} is the steady-state growth, over the last {@code n} steps (a
 * baseline after 200 + {@code n} steps); the cold growth over the first {@code n} steps after the
 * warm-up, the figure reported before, is printed next to it in the notes. The first window
 * contains one-off settling: G1 enlarges its young generation over the first few hundred steps,
 * and the heap regions it touches for the first time count into the RSS although the committed
 * heap does not change. {@code memory.liveArraysDelta} counts over both windows. One PyTorch
 * intra-op thread ({@link EngineThreads}): the figures are about memory, and a tiny model's steps
 * only slow down with more threads on a shared machine. {@code memory.rssGrowthPct} is absent
 * where there is no {@code /proc}; the quick run uses the same sizes.
 */
public final class MemorySection implements MacroBenchmark {
  private static final int BATCH = 4;
  private static final int LENGTH = 32;
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public SectionResult run(BenchContext context) throws Exception {
    return EngineThreads.withIntraOpThreads(1, this::measure);
  }

  private SectionResult measure() throws IOException, InterruptedException {
    ModelConfig config =
        ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
            .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
            .vocabSize(512).hiddenSize(64).numLayers(2).numHeads(4).numKvHeads(2)
            .intermediateSize(128).maxPositionEmbeddings(128).build();
    int warmupSteps = warmupSteps();
    int steps = Integer.getInteger("rlhf4j.bench.memorySteps", 500);
    if (steps < 1) {
      throw new IllegalArgumentException("rlhf4j.bench.memorySteps must be >= 1 but was " + steps);
    }
    Map<String, Double> figures = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    try (CausalLm model = CausalLm.randomInit(config, 3, ModelOptions.cpu());
        AdamW optimizer = AdamW.builder(LearningRateSchedule.constant(3e-4)).build();
        NDManager data = NDManager.newBaseManager()) {
      Random random = new Random(11);
      NDArray mask = data.ones(new Shape(BATCH, LENGTH), DataType.INT64);
      double firstLoss = 0;
      for (int i = 0; i < warmupSteps; i++) {
        double loss = step(model, optimizer, batch(random, config.vocabSize()), mask);
        firstLoss = i == 0 ? loss : firstLoss;
      }
      Reading cold = Reading.take();
      long start = System.nanoTime();
      double lastLoss = 0;
      for (int i = 0; i < steps; i++) {
        lastLoss = step(model, optimizer, batch(random, config.vocabSize()), mask);
      }
      double stepMs = (System.nanoTime() - start) / 1e6 / steps;
      Reading settled = Reading.take();
      for (int i = 0; i < steps; i++) {
        lastLoss = step(model, optimizer, batch(random, config.vocabSize()), mask);
      }
      Reading after = Reading.take();
      if (cold.rss().isPresent() && settled.rss().isPresent() && after.rss().isPresent()) {
        double coldGrowth = growthPct(cold.rss(), settled.rss());
        double steadyGrowth = growthPct(settled.rss(), after.rss());
        figures.put("memory.rssGrowthPct", steadyGrowth);
        notes.add(
            String.format(
                Locale.ROOT,
                "RSS growth over %d steps after %d warm-up steps (steady state): %.1f%%"
                    + " (%.1f -> %.1f MiB); the same %d steps right after the first %d steps"
                    + " (cold): %.1f%% (%.1f -> %.1f MiB)",
                steps,
                warmupSteps + steps,
                steadyGrowth,
                mib(settled.rss().getAsLong()),
                mib(after.rss().getAsLong()),
                steps,
                warmupSteps,
                coldGrowth,
                mib(cold.rss().getAsLong()),
                mib(settled.rss().getAsLong())));
        notes.add(
            String.format(
                Locale.ROOT,
                "Java heap committed %.1f -> %.1f -> %.1f MiB; its resident part grows while"
                    + " G1 enlarges the young generation over the first few hundred steps,"
                    + " one-off, which is why the steady-state window starts later",
                mib(cold.heapCommitted()),
                mib(settled.heapCommitted()),
                mib(after.heapCommitted())));
      } else {
        notes.add("rssGrowthPct n/a: no /proc/self/status on this platform");
      }
      if (cold.jvmNative().isPresent() && after.jvmNative().isPresent()) {
        notes.add(
            String.format(
                Locale.ROOT,
                "the JVM's own memory (native memory tracking, committed) %.1f -> %.1f -> %.1f"
                    + " MiB",
                mib(cold.jvmNative().getAsLong()),
                mib(settled.jvmNative().getAsLong()),
                mib(after.jvmNative().getAsLong())));
      }
      figures.put("memory.liveArraysDelta", (double) (after.arrays() - cold.arrays()));
      notes.add(
          String.format(
              Locale.ROOT,
              "live native arrays %d after warm-up, %d after %d more steps; %.1f ms per step;"
                  + " loss %.3f -> %.3f",
              cold.arrays(),
              after.arrays(),
              2 * steps,
              stepMs,
              firstLoss,
              lastLoss));
      return new SectionResult(
          figures,
          String.format(
              Locale.ROOT,
              "tiny Llama (%,d parameters), batch %d x %d tokens, %d warm-up + %d + %d steps"
                  + " (RSS growth over the last %d), 1 PyTorch thread",
              model.numParameters(),
              BATCH,
              LENGTH,
              warmupSteps,
              steps,
              steps,
              steps),
          notes);
    }
  }

  /** One reading of the process's memory, taken after {@link #settle()}. */
  private record Reading(
      OptionalLong rss, long heapCommitted, OptionalLong jvmNative, int arrays) {
    static Reading take() throws IOException, InterruptedException {
      settle();
      return new Reading(
          residentBytes(),
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(),
          jvmNativeCommitted(),
          liveArrays());
    }
  }

  private static double growthPct(OptionalLong before, OptionalLong after) {
    return 100.0 * (after.getAsLong() - before.getAsLong()) / before.getAsLong();
  }

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }

  /**
   * The untimed steps before the first reading (system property {@code
   * rlhf4j.bench.memoryWarmupSteps}, default 200): the allocators (the JVM's heap, the C library's
   * and PyTorch's) reach their working size during them.
   */
  public static int warmupSteps() {
    int steps = Integer.getInteger("rlhf4j.bench.memoryWarmupSteps", 200);
    if (steps < 1) {
      throw new IllegalArgumentException(
          "rlhf4j.bench.memoryWarmupSteps must be >= 1 but was " + steps);
    }
    return steps;
  }

  /**
   * Collects garbage twice with a pause between, so that the direct buffers DJL copied host data
   * through (freed by their cleaners after a collection) are released before a reading.
   */
  private static void settle() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    System.gc();
    Thread.sleep(200);
  }

  /** A fresh batch of random token ids (host memory; the step copies it to the engine). */
  private static long[][] batch(Random random, int vocab) {
    long[][] ids = new long[BATCH][LENGTH];
    for (long[] row : ids) {
      for (int t = 0; t < LENGTH; t++) {
        row[t] = random.nextInt(vocab);
      }
    }
    return ids;
  }

  /** One training step in its own sub-manager; returns the loss. */
  private static double step(CausalLm model, AdamW optimizer, long[][] ids, NDArray mask) {
    try (NDManager scope = mask.getManager().newSubManager()) {
      float loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray stepIds = scope.create(ids);
        CausalLmOutput out = model.forward(stepIds, mask);
        try (SequenceLogProbs logProbs = SequenceLogProbs.forCausalLm(out.logits(), stepIds, mask)) {
          NDArray value = logProbs.mean().mean().neg();
          value.attach(scope);
          collector.backward(value);
          loss = value.getFloat();
        }
        out.close();
      }
      optimizer.step(model.parameters());
      return loss;
    }
  }

  /**
   * The number of native arrays open anywhere in the process: every array registered under DJL's
   * system manager, through every base manager and sub-manager.
   */
  public static int liveArrays() {
    try (NDManager probe = NDManager.newBaseManager()) {
      NDManager root = probe;
      while (root.getParentManager() != null && root.getParentManager() != root) {
        root = root.getParentManager();
      }
      return ((BaseNDManager) root).getManagedArrays().size();
    }
  }

  /**
   * The memory the JVM itself has committed (heap, code cache, compiler, GC, threads, ...) as
   * native memory tracking counts it, when the JVM runs with {@code
   * -XX:NativeMemoryTracking=summary}; empty otherwise. RSS growth beyond this growth is memory
   * the engines allocated.
   */
  public static OptionalLong jvmNativeCommitted() {
    try {
      Object out =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "vmNativeMemory",
                  new Object[] {new String[] {"summary"}},
                  new String[] {String[].class.getName()});
      Matcher total = NMT_TOTAL.matcher(String.valueOf(out));
      return total.find()
          ? OptionalLong.of(Long.parseLong(total.group(1)) * 1024)
          : OptionalLong.empty();
    } catch (JMException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** This process's resident set size, where {@code /proc/self/status} exists. */
  public static OptionalLong residentBytes() throws IOException {
    if (!Files.isReadable(STATUS)) {
      return OptionalLong.empty();
    }
    for (String line : Files.readAllLines(STATUS)) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring(6).trim().split("\\s+");
        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
      }
    }
    return OptionalLong.empty();
  }
}
