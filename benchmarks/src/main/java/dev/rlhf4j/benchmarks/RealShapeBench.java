package dev.rlhf4j.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.models.ComputeThreads;
import dev.rlhf4j.models.config.ModelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real-shape benchmarks of issue 17 ({@code bin/bench --real}): rlhf4j against a plain
 * PyTorch eager peer ({@code benchmarks/peer/peer.py}) at the SmolLM2-135M and Qwen2.5-0.5B
 * shapes, interleaved in one invocation so that the ratios hold on a machine whose absolute
 * speed drifts.
 *
 * <p>Each workload ({@link RealShapeWorker} lists them) runs in a fresh process per side and
 * round, rlhf4j and PyTorch alternating (which goes first alternates too), with the same number
 * of threads on both sides: {@code -Dai.djl.pytorch.num_threads} and {@code OMP_NUM_THREADS} for
 * rlhf4j; {@code torch.set_num_threads}, {@code OMP_NUM_THREADS}, {@code OPENBLAS_NUM_THREADS}
 * and {@code MKL_NUM_THREADS} for PyTorch (OpenBLAS ignores {@code torch.set_num_threads}); each
 * side reports the threads it used. The report gives per workload the medians over rounds of
 * each side's median step time, throughput and peak resident memory, the rlhf4j/PyTorch ratios,
 * and the load average around each run.
 *
 * <p>The peer runs with the Python of {@code PEER_PYTHON} (default {@code /usr/bin/python3});
 * when it cannot import torch the peer is skipped with a note saying how to install it. Model
 * directories with random BF16 weights are written once under {@code
 * benchmarks/target/real-shapes}.
 *
 * <p>Usage: {@code RealShapeBench [--shapes a,b] [--workloads prefill,decode,dpo,reward]
 * [--rounds N] [--threads N] [--quick] [--out DIR]}.
 */
public final class RealShapeBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INSTALL =
      "apt-get install -y python3-torch libopenblas0-pthread (Debian: torch 1.13 CPU; without"
          + " libopenblas0-pthread it multiplies matrices with the reference BLAS, ~40x slower)";

  private RealShapeBench() {}

  /** One workload at one size, the same arguments for both sides. */
  record Run(String label, String workload, List<String> args, double tokensPerCall) {}

  /**
   * Runs the benchmark and exits 0, or 1 when a run failed, 2 on a usage error.
   *
   * @param args see the class description
   */
  public static void main(String[] args) throws Exception {
    List<RealShape> shapes = List.of(RealShape.values());
    List<String> workloads = List.of("prefill", "decode", "dpo", "reward");
    int rounds = 2;
    int threads = 1;
    boolean quick = false;
    Path out = Path.of("benchmarks", "target", "results");
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--shapes" -> {
          shapes = Arrays.stream(need(value, "--shapes").split(",")).map(RealShape::of).toList();
          i++;
        }
        case "--workloads" -> {
          workloads = Arrays.asList(need(value, "--workloads").split(","));
          i++;
        }
        case "--rounds" -> {
          rounds = Integer.parseInt(need(value, "--rounds"));
          i++;
        }
        case "--threads" -> {
          threads = Integer.parseInt(need(value, "--threads"));
          i++;
        }
        case "--out" -> {
          out = Path.of(need(value, "--out"));
          i++;
        }
        case "--quick" -> quick = true;
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
      }
    }
    if (rounds < 1 || threads < 1) {
      throw new IllegalArgumentException(
          "--rounds and --threads must be >= 1 but were " + rounds + " and " + threads);
    }
    System.exit(run(shapes, workloads, rounds, threads, quick, out));
  }

  private static String need(String value, String option) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }

  /** The runs of one shape. */
  static List<Run> runs(List<String> workloads, boolean quick) {
    List<Run> runs = new ArrayList<>();
    for (String w : workloads) {
      switch (w) {
        case "prefill" -> runs.add(new Run("prefill 8×496", "prefill",
            List.of("--batch", "8", "--tokens", "496", "--repeats", "1"), 8 * 496));
        case "decode" -> {
          int[] batches = quick ? new int[] {8} : new int[] {1, 8, 64};
          int[] contexts = quick ? new int[] {32} : new int[] {32, 512};
          for (int c : contexts) {
            for (int b : batches) {
              runs.add(new Run("decode b" + b + " ctx " + c, "decode",
                  List.of("--batch", "" + b, "--context", "" + c, "--steps",
                      quick ? "6" : "12"), b));
            }
          }
        }
        case "dpo" -> runs.add(new Run("DPO step 2 pairs×2×256, full FT", "dpo",
            List.of("--pairs", "2", "--tokens", "256", "--steps", quick ? "1" : "2"), 4 * 256));
        case "reward" -> runs.add(new Run("reward 8×256", "reward",
            List.of("--batch", "8", "--tokens", "256", "--repeats", quick ? "1" : "2"), 8 * 256));
        default -> throw new IllegalArgumentException(
            "unknown workload '" + w + "'; workloads are prefill, decode, dpo, reward");
      }
    }
    return runs;
  }

  static int run(List<RealShape> shapes, List<String> workloads, int rounds, int threads,
      boolean quick, Path out) throws Exception {
    Instant start = Instant.now();
    String python = System.getenv().getOrDefault("PEER_PYTHON",
        Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
    Path peerScript = Path.of(System.getProperty("rlhf4j.peer",
        Path.of("benchmarks", "peer", "peer.py").toString()));
    String peerProblem = peerProblem(python, peerScript);
    if (peerProblem != null) {
      System.out.println("[real] PyTorch peer skipped: " + peerProblem + "; install: " + INSTALL);
    }
    ComputeThreads.setIntraOpThreads(threads);
    double peak = matmulPeakGflops();
    System.out.printf(Locale.ROOT,
        "[real] %d rounds, %d thread(s) per side, rlhf4j fp32 matmul peak %.1f GFLOP/s, load %s%n",
        rounds, threads, peak, load());
    ObjectNode report = JSON.createObjectNode();
    report.put("started", start.toString());
    report.put("threads", threads);
    report.put("rounds", rounds);
    report.put("matmulPeakGflops", peak);
    report.put("cores", Runtime.getRuntime().availableProcessors());
    report.put("peer", peerProblem == null ? "PyTorch eager via " + python : "skipped: "
        + peerProblem);
    ArrayNode rows = report.putArray("rows");
    StringBuilder md = new StringBuilder();
    md.append("# rlhf4j vs PyTorch eager at real model shapes\n\n");
    boolean failed = false;
    for (RealShape shape : shapes) {
      List<Path> dirs = shape.write(Path.of("benchmarks", "target", "real-shapes", shape.id()));
      md.append("## ").append(shape.describe()).append("\n\n");
      md.append("| workload | rlhf4j | PyTorch eager | rlhf4j / PyTorch time | throughput ratio"
          + " | rlhf4j peak RSS | PyTorch peak RSS | memory ratio |\n");
      md.append("|---|---|---|---|---|---|---|---|\n");
      for (Run run : runs(workloads, quick)) {
        Path dir = run.workload().equals("reward") ? dirs.get(1) : dirs.get(0);
        List<JsonNode> ours = new ArrayList<>();
        List<JsonNode> theirs = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          boolean peerFirst = r % 2 == 1;
          for (int side = 0; side < 2; side++) {
            boolean peer = (side == 0) == peerFirst;
            if (peer && peerProblem != null) {
              continue;
            }
            loads.add(load());
            JsonNode result = peer
                ? launch(peerCommand(python, peerScript, dir, run, threads), threads, run, true)
                : launch(javaCommand(dir, run, threads), threads, run, false);
            if (result == null) {
              failed = true;
            } else {
              (peer ? theirs : ours).add(result);
            }
          }
        }
        loads.add(load());
        ObjectNode row = rows.addObject();
        row.put("shape", shape.id());
        row.put("workload", run.label());
        row.put("loadAverages", String.join(" ", loads));
        Figures o = Figures.of(ours, run.tokensPerCall());
        Figures p = Figures.of(theirs, run.tokensPerCall());
        o.put(row.putObject("rlhf4j"), ours);
        p.put(row.putObject("pytorch"), theirs);
        String timeRatio = ratio(o.seconds, p.seconds);
        String throughputRatio = ratio(p.seconds, o.seconds);
        String memoryRatio = ratio(o.peakGiB, p.peakGiB);
        row.put("timeRatio", timeRatio);
        row.put("throughputRatio", throughputRatio);
        row.put("memoryRatio", memoryRatio);
        if (run.workload().equals("dpo")) {
          peak = Math.max(peak, matmulPeakGflops()); // again, after the workloads: the higher
          report.put("matmulPeakGflops", peak);
          flops(shape.config(), row, o, p, peak);
        }
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
            run.label(), o.describe(run), p.describe(run), timeRatio, throughputRatio,
            gib(o.peakGiB), gib(p.peakGiB), memoryRatio));
        System.out.printf(Locale.ROOT, "[real] %s %s: rlhf4j %s, PyTorch %s, time ratio %s,"
                + " memory %s vs %s; load %s%n",
            shape.id(), run.label(), o.describe(run), p.describe(run), timeRatio,
            gib(o.peakGiB), gib(p.peakGiB), String.join(" ", loads));
      }
      md.append('\n');
      for (JsonNode row : rows) {
        if (row.path("shape").asText().equals(shape.id()) && row.has("mfu")) {
          md.append(row.get("mfu").asText()).append("\n\n");
        }
      }
    }
    md.append(String.format(Locale.ROOT,
        "Medians over %d interleaved rounds, %d thread(s) per side (threads each side reported:"
            + " see real.json), %d cores, load averages (1 min) around the runs in real.json;"
            + " %s. Total %d s.%n",
        rounds, threads, Runtime.getRuntime().availableProcessors(),
        peerProblem == null ? "PyTorch eager peer: benchmarks/peer/peer.py with " + python
            : "PyTorch peer skipped (" + peerProblem + ")",
        Duration.between(start, Instant.now()).toSeconds()));
    Files.createDirectories(out);
    Files.writeString(out.resolve("real.json"),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    Files.writeString(out.resolve("real.md"), md.toString());
    System.out.println();
    System.out.print(md);
    System.out.println("[real] report: " + out.resolve("real.md") + " and "
        + out.resolve("real.json"));
    return failed ? 1 : 0;
  }

  /**
   * Executed FLOPs of a DPO step (2 pairs × 2 × 256 tokens, half prompt, live reference) for each
   * side, beside the 6·N convention, and the MFU of each side against the matmul peak. The sides
   * execute different work: the peer runs the 4 sequences of 256 tokens one per row (what TRL's
   * concatenated forward does); rlhf4j packs each pair in one row of 128 prompt + 128 + 128
   * response tokens, so its layers run on 768 tokens and its attention on two 384×384 rows. The
   * 6·N convention counts every sequence's tokens and is the same number for both sides.
   */
  private static void flops(ModelConfig c, ObjectNode row, Figures o, Figures p, double peak) {
    long t = 256;
    long responseSlots = 4 * (t / 2);
    long d = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    long layerParams = c.numLayers() * (d * q + 2 * d * kv + q * d + 3 * d * c.intermediateSize());
    long total = layerParams + (long) c.vocabSize() * d;
    double peer = 4 * forwardFlops(c, layerParams, q, 4, t, responseSlots);
    double packed = 4 * forwardFlops(c, layerParams, q, 2, t / 2 * 3, responseSlots);
    double convention = 8.0 * total * 4 * t; // 6N policy + 2N reference, per token
    row.put("executedFlopsPerStepRlhf4j", packed);
    row.put("executedFlopsPerStepPeer", peer);
    row.put("conventionFlopsPerStep", convention);
    String text = String.format(Locale.ROOT,
        "DPO step FLOPs (×3 for the policy's forward+backward, +1 for the live reference; layers"
            + " on every computed slot, full T×T attention, the vocabulary only at the %d response"
            + " slots): PyTorch executes %.2f TFLOP (4 rows × 256), rlhf4j %.2f TFLOP (the prompt"
            + " once per pair: 2 rows × 384); the 6·N+2·N convention with N = %.1f M says %.2f"
            + " TFLOP for both. MFU against executed FLOPs and the %.1f GFLOP/s fp32 sgemm peak"
            + " (best of the calibration matmuls at the run's thread count): rlhf4j %s, PyTorch"
            + " %s. By the convention (useful work, not what ran): rlhf4j %s, PyTorch %s.",
        responseSlots, peer / 1e12, packed / 1e12, total / 1e6, convention / 1e12, peak,
        mfu(packed, o.seconds, peak), mfu(peer, p.seconds, peak),
        mfu(convention, o.seconds, peak), mfu(convention, p.seconds, peak));
    row.put("mfu", text);
  }

  /** One forward pass over {@code rows} rows of {@code width} slots. */
  private static double forwardFlops(
      ModelConfig c, long layerParams, long q, long rows, long width, long responseSlots) {
    return 2.0 * layerParams * rows * width
        + 4.0 * c.numLayers() * rows * width * width * q
        + 2.0 * c.hiddenSize() * c.vocabSize() * responseSlots;
  }

  private static String mfu(double flops, double seconds, double peakGflops) {
    return Double.isNaN(seconds) ? "n/a"
        : String.format(Locale.ROOT, "%.1f%%", 100 * flops / seconds / (peakGflops * 1e9));
  }

  /** Medians of one side's runs. */
  private static final class Figures {
    double seconds = Double.NaN;
    double peakGiB = Double.NaN;

    static Figures of(List<JsonNode> results, double tokensPerCall) {
      Figures f = new Figures();
      if (results.isEmpty()) {
        return f;
      }
      f.seconds = median(results.stream()
          .mapToDouble(r -> median(doubles(r.get("seconds")))).toArray());
      f.peakGiB = median(results.stream()
          .mapToDouble(r -> r.get("peakRssBytes").asDouble() / (1L << 30)).toArray());
      return f;
    }

    void put(ObjectNode node, List<JsonNode> results) {
      node.put("medianSeconds", seconds);
      node.put("medianPeakGiB", peakGiB);
      ArrayNode all = node.putArray("runs");
      results.forEach(all::add);
    }

    String describe(Run run) {
      if (Double.isNaN(seconds)) {
        return "n/a";
      }
      return switch (run.workload()) {
        case "decode" -> String.format(Locale.ROOT, "%.1f ms/step (%.0f tok/s)",
            1000 * seconds, run.tokensPerCall() / seconds);
        case "dpo" -> String.format(Locale.ROOT, "%.2f s/step (%.1f tok/s)", seconds,
            run.tokensPerCall() / seconds);
        default -> String.format(Locale.ROOT, "%.2f s (%.0f tok/s)", seconds,
            run.tokensPerCall() / seconds);
      };
    }
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? "n/a"
        : String.format(Locale.ROOT, "%.2f×", a / b);
  }

  private static String gib(double value) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.2f GiB", value);
  }

  private static List<String> javaCommand(Path dir, Run run, int threads) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java,
        "-Xmx2g",
        "-Dai.djl.pytorch.num_threads=" + threads,
        "-Dai.djl.pytorch.num_interop_threads=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
        "-cp", System.getProperty("java.class.path"),
        RealShapeWorker.class.getName(),
        "--dir", dir.toString(), "--workload", run.workload(), "--threads", "" + threads));
    cmd.addAll(run.args());
    return cmd;
  }

  private static List<String> peerCommand(String python, Path script, Path dir, Run run,
      int threads) {
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(),
        "--dir", dir.toString(), "--workload", run.workload(), "--threads", "" + threads));
    cmd.addAll(run.args());
    return cmd;
  }

  /** Runs one side once and returns its JSON line, or null (printed) when it failed. */
  private static JsonNode launch(List<String> cmd, int threads, Run run, boolean peer)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    Map<String, String> env = pb.environment();
    String n = Integer.toString(threads);
    env.put("OMP_NUM_THREADS", n);
    if (peer) {
      env.put("OPENBLAS_NUM_THREADS", n);
      env.put("MKL_NUM_THREADS", n);
    }
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process process = pb.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(2, TimeUnit.HOURS) || process.exitValue() != 0) {
      System.out.println("[real] " + (peer ? "PyTorch" : "rlhf4j") + " " + run.label()
          + " failed (exit " + process.exitValue() + "): " + output);
      return null;
    }
    String last = output.strip().lines().reduce((a, b) -> b).orElse("");
    return JSON.readTree(last);
  }

  /** Why the peer cannot run, or null when it can. */
  private static String peerProblem(String python, Path script) {
    if (!Files.isRegularFile(script)) {
      return script + " not found (run from the repository root)";
    }
    try {
      Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true)
          .start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
        return python + " cannot import torch";
      }
      return null;
    } catch (IOException | InterruptedException e) {
      return python + " cannot be started (" + e.getMessage() + ")";
    }
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "n/a";
    }
  }

  /**
   * The rlhf4j engine's fp32 sgemm peak, n = 1024, at the threads set: the best of 10 products (a
   * peak is the best the machine reaches; a median under load understates it and inflates MFU).
   * Measured before and after the workloads; the report uses the higher.
   */
  private static double matmulPeakGflops() {
    int n = 1024;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
      NDArray b = m.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
      a.matMul(b).close();
      double[] s = new double[10];
      for (int i = 0; i < s.length; i++) {
        long t0 = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
          c.getFloat(0, 0);
        }
        s[i] = (System.nanoTime() - t0) / 1e9;
      }
      return 2.0 * n * n * n / java.util.Arrays.stream(s).min().orElseThrow() / 1e9;
    }
  }
}
