package dev.rlhf4j.benchmarks;

import ai.djl.ndarray.NDArray;
import java.util.OptionalInt;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.models.ClassifierOutput;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.reward.onnx.OnnxExport;
import dev.rlhf4j.reward.onnx.OnnxRewardModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Reward-scoring throughput of the same model on DJL (PyTorch) and on ONNX Runtime: a random
 * Llama-style sequence classifier (hidden 256, 4 layers, 4 query / 2 key-value heads, SwiGLU
 * 688, vocabulary 32,000, one label) is built, exported with {@link OnnxExport}, and both
 * backends score batches of 16 sequences of 256 tokens (8 chosen/rejected pairs) in the same
 * process. Each backend is warmed up, then the two are timed alternately over several repeats
 * (so load changes on a shared machine hit both alike); the median is reported as pairs per
 * second (a pair is two scored responses), with the largest relative difference between the two
 * backends' rewards as a check that they compute the same thing.
 *
 * <p>The harness's {@code reward} section calls {@link #measure}. A plain {@code main}, not a JMH
 * benchmark: one forward pass takes hundreds of milliseconds,
 * far above timer resolution. Run with
 * {@code java -cp <benchmarks classpath> dev.rlhf4j.benchmarks.RewardScoringBenchmark [repeats]}.
 * Both backends use every available core.
 */
public final class RewardScoringBenchmark {
  private static final int BATCH = 16;
  private static final int LENGTH = 256;
  private static final int WARMUP = 2;

  private RewardScoringBenchmark() {}

  /**
   * What one comparison measured.
   *
   * @param djlPairsPerSec DJL (PyTorch) throughput, pairs (two scored sequences) per second
   * @param ortPairsPerSec ONNX Runtime throughput on the same model and batches
   * @param maxRelativeDifference the largest difference between the two backends' rewards,
   *     relative to the largest DJL reward
   * @param parameters the model's parameter count
   * @param repeats the number of timed passes per backend
   */
  public record Measurement(
      double djlPairsPerSec,
      double ortPairsPerSec,
      double maxRelativeDifference,
      long parameters,
      int repeats) {}

  /**
   * Runs the comparison and prints the figures.
   *
   * @param args optionally the number of timed repeats (default 7)
   * @throws IOException if the temporary export cannot be written
   */
  public static void main(String[] args) throws IOException {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    Measurement m = measure(repeats);
    System.out.printf(
        Locale.ROOT,
        "model: %s (%.1f M parameters); batch %d x %d tokens; %d cores; median of %d%n",
        describeModel(), m.parameters() / 1e6, BATCH, LENGTH,
        Runtime.getRuntime().availableProcessors(), m.repeats());
    report("DJL (PyTorch 2.7.1)", m.djlPairsPerSec());
    report("ONNX Runtime 1.23.2", m.ortPairsPerSec());
    System.out.printf(
        Locale.ROOT,
        "ONNX Runtime / DJL throughput: %.2fx; max relative reward difference %.2e%n",
        m.ortPairsPerSec() / m.djlPairsPerSec(), m.maxRelativeDifference());
  }

  /** The model and batch the comparison uses, in words. */
  public static String describeModel() {
    ModelConfig c = config();
    return String.format(
        Locale.ROOT,
        "%s hidden %d, %d layers, %d/%d heads, vocab %d, batch %d x %d tokens",
        c.architecture().hfName(), c.hiddenSize(), c.numLayers(), c.numHeads(), c.numKvHeads(),
        c.vocabSize(), BATCH, LENGTH);
  }

  /**
   * Builds the model, exports it, and times both backends alternately: {@code repeats} timed
   * passes each after two warm-up passes; the figures are the medians. Everything created is
   * closed and the temporary export deleted before returning.
   *
   * @param repeats timed passes per backend, at least 1
   * @return the medians and the agreement check
   * @throws IllegalArgumentException if {@code repeats < 1}
   * @throws IOException if the temporary export cannot be written
   */
  public static Measurement measure(int repeats) throws IOException {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be >= 1 but was " + repeats);
    }
    ModelConfig config = config();
    List<long[]> sequences = sequences(new Random(42), config.vocabSize());
    Path dir = Files.createTempDirectory("rlhf4j-reward-bench");
    int threads = Runtime.getRuntime().availableProcessors();
    try (SequenceClassifier trainable = SequenceClassifier.randomInit(config, 7);
        SequenceClassifier djl = trainable.copyFrozen()) {
      OnnxExport.export(djl, dir);
      try (OnnxRewardModel onnx =
          OnnxRewardModel.builder(dir).maxBatchSize(BATCH).intraOpThreads(threads)
              .build()) {
        double[] djlRewards = djlScores(djl, sequences);
        double[] onnxRewards = onnx.scoreIds(sequences);
        double[][] seconds =
            interleavedSeconds(
                repeats, () -> djlScores(djl, sequences), () -> onnx.scoreIds(sequences));
        return new Measurement(
            BATCH / 2.0 / median(seconds[0]),
            BATCH / 2.0 / median(seconds[1]),
            maxRelativeDifference(djlRewards, onnxRewards),
            djl.numParameters(),
            repeats);
      }
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(dir);
    }
  }

  private static ModelConfig config() {
    return ModelConfig.builder(Architecture.LLAMA_SEQUENCE_CLASSIFICATION)
        .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
        .vocabSize(32_000).hiddenSize(256).numLayers(4).numHeads(4).numKvHeads(2)
        .intermediateSize(688).numLabels(1).build();
  }

  private static List<long[]> sequences(Random random, int vocab) {
    List<long[]> out = new ArrayList<>();
    for (int b = 0; b < BATCH; b++) {
      long[] ids = new long[LENGTH];
      for (int t = 0; t < LENGTH; t++) {
        ids[t] = 1 + random.nextInt(vocab - 1);
      }
      out.add(ids);
    }
    return out;
  }

  /** One DJL forward pass over the batch, from host ids to host rewards. */
  private static double[] djlScores(SequenceClassifier model, List<long[]> sequences) {
    long[][] ids = sequences.toArray(new long[0][]);
    long[][] mask = new long[ids.length][LENGTH];
    for (long[] row : mask) {
      Arrays.fill(row, 1);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray idArray = manager.create(ids);
      NDArray maskArray = manager.create(mask);
      try (ClassifierOutput out = model.forward(idArray, maskArray)) {
        float[] scores = out.scores().toFloatArray();
        double[] rewards = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
          rewards[i] = scores[i];
        }
        return rewards;
      }
    }
  }

  /**
   * Times the passes alternately, after warming each up, so that a change in machine load
   * affects both backends alike.
   */
  private static double[][] interleavedSeconds(int repeats, Runnable... passes) {
    for (Runnable pass : passes) {
      for (int i = 0; i < WARMUP; i++) {
        pass.run();
      }
    }
    double[][] seconds = new double[passes.length][repeats];
    for (int i = 0; i < repeats; i++) {
      for (int p = 0; p < passes.length; p++) {
        long start = System.nanoTime();
        passes[p].run();
        seconds[p][i] = (System.nanoTime() - start) / 1e9;
      }
    }
    return seconds;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static void report(String backend, double pairsPerSec) {
    double seconds = BATCH / 2.0 / pairsPerSec;
    System.out.printf(
        Locale.ROOT, "%-22s %8.1f ms/batch %8.1f sequences/s %8.1f pairs/s%n",
        backend, seconds * 1e3, BATCH / seconds, pairsPerSec);
  }

  private static double maxRelativeDifference(double[] expected, double[] actual) {
    double scale = Arrays.stream(expected).map(Math::abs).max().orElse(1);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    return worst / scale;
  }
}
