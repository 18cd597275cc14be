package dev.rlhf4j.spark;

import dev.rlhf4j.api.exploration.SamplingParams;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The {@code spark-submit} entry point of {@link SparkJobs}:
 *
 * <pre>
 * spark-submit --class dev.rlhf4j.spark.SparkJobsMain --jars "$(ls rlhf4j-jars/*.jar | paste -sd,)" \
 *   rlhf-spark.jar generate --policy hdfs:///models/sft --prompts hdfs:///data/prompts.jsonl \
 *   --output hdfs:///runs/gen.jsonl --n 8 --temperature 1.0 --max-new-tokens 512 --seed 7
 * spark-submit ... rlhf-spark.jar annotate --model hdfs:///models/rm --engine djl \
 *   --input hdfs:///runs/gen.jsonl --output hdfs:///runs/annotated.jsonl
 * </pre>
 *
 * <p>{@code generate} options: {@code --policy --prompts --output} (required), {@code --n} (8),
 * {@code --temperature} (1.0), {@code --top-p} (1.0), {@code --top-k} (0: off), {@code
 * --max-new-tokens} (256), {@code --seed} (0), {@code --max-batch-rows} (64), {@code
 * --partitions} (default parallelism), {@code --prompts-per-round} (4096). {@code annotate}
 * options: {@code --model --input --output} (required), {@code --engine} ({@code djl} or {@code
 * onnx}; djl), {@code --max-batch-size} (engine default), {@code --block-size} (64), {@code
 * --partitions}, {@code --samples-per-round} (4096).
 */
public final class SparkJobsMain {
  private static final Set<String> GENERATE = Set.of("policy", "prompts", "output", "n",
      "temperature", "top-p", "top-k", "max-new-tokens", "seed", "max-batch-rows", "partitions",
      "prompts-per-round");
  private static final Set<String> ANNOTATE = Set.of("model", "engine", "input", "output",
      "max-batch-size", "block-size", "partitions", "samples-per-round");

  private SparkJobsMain() {}

  /**
   * Runs the job the arguments name on a context built from {@code spark-submit}'s settings.
   *
   * @throws IllegalArgumentException with the usage if the arguments are wrong
   */
  public static void main(String[] args) {
    Command command = parse(args);
    try (JavaSparkContext sc =
        new JavaSparkContext(new SparkConf().setAppName("rlhf4j " + command.name()))) {
      long n = run(sc, command);
      System.out.println(command.name() + ": " + n + " records written to "
          + command.options().get("output"));
    }
  }

  /** A parsed command line. */
  record Command(String name, Map<String, String> options) {}

  /** Runs a parsed command on {@code sc}; returns the records written. */
  static long run(JavaSparkContext sc, Command c) {
    Map<String, String> o = c.options();
    var hadoop = sc.hadoopConfiguration();
    int partitions = integer(o, "partitions", sc.defaultParallelism());
    if (c.name().equals("generate")) {
      SamplingParams sampling = SamplingParams.builder()
          .temperature(real(o, "temperature", 1.0))
          .topP(real(o, "top-p", 1.0))
          .topK(integer(o, "top-k", 0))
          .maxNewTokens(integer(o, "max-new-tokens", 256))
          .seed(Long.parseLong(o.getOrDefault("seed", "0")))
          .build();
      return SparkJobs.generate(sc, new GenerateJob(o.get("prompts"), o.get("output"),
          ModelStore.existing(URI.create(o.get("policy")), hadoop),
          SamplerFactory.generator(integer(o, "max-batch-rows", 64)), integer(o, "n", 8),
          sampling, partitions, integer(o, "prompts-per-round", 4096)));
    }
    ModelLocation model = ModelStore.existing(URI.create(o.get("model")), hadoop);
    String engine = o.getOrDefault("engine", "djl");
    ScoringModelSpec spec = switch (engine) {
      case "djl" -> ScoringModelSpec.djlReward(model);
      case "onnx" -> ScoringModelSpec.onnxReward(model);
      default -> throw new IllegalArgumentException(
          "--engine must be djl or onnx but was " + engine + "\n" + usage());
    };
    spec = spec.withMaxBatchSize(integer(o, "max-batch-size", 0));
    return SparkJobs.annotate(sc, new AnnotateJob(o.get("input"), o.get("output"), spec,
        integer(o, "block-size", 64), partitions, integer(o, "samples-per-round", 4096)));
  }

  /**
   * Parses {@code generate|annotate --name value ...}.
   *
   * @throws IllegalArgumentException with the usage if a command, option or value is wrong
   */
  static Command parse(String[] args) {
    if (args.length == 0 || !(args[0].equals("generate") || args[0].equals("annotate"))) {
      throw new IllegalArgumentException("the first argument must be generate or annotate but was "
          + (args.length == 0 ? "missing" : args[0]) + "\n" + usage());
    }
    Set<String> known = args[0].equals("generate") ? GENERATE : ANNOTATE;
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name == null || !known.contains(name)) {
        throw new IllegalArgumentException("unknown option " + args[i] + " for " + args[0]
            + "; known: " + known + "\n" + usage());
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value\n" + usage());
      }
      options.put(name, args[i + 1]);
    }
    List<String> required = args[0].equals("generate")
        ? List.of("policy", "prompts", "output") : List.of("model", "input", "output");
    for (String r : required) {
      if (!options.containsKey(r)) {
        throw new IllegalArgumentException(args[0] + " needs --" + r + "\n" + usage());
      }
    }
    return new Command(args[0], Map.copyOf(options));
  }

  private static int integer(Map<String, String> o, String name, int fallback) {
    String v = o.get(name);
    try {
      return v == null ? fallback : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer but was " + v, e);
    }
  }

  private static double real(Map<String, String> o, String name, double fallback) {
    String v = o.get(name);
    try {
      return v == null ? fallback : Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number but was " + v, e);
    }
  }

  static String usage() {
    return "usage: SparkJobsMain generate --policy URI --prompts URI --output URI [--n 8]"
        + " [--temperature 1.0] [--top-p 1.0] [--top-k 0] [--max-new-tokens 256] [--seed 0]"
        + " [--max-batch-rows 64] [--partitions N] [--prompts-per-round 4096]\n"
        + "       SparkJobsMain annotate --model URI --input URI --output URI [--engine djl|onnx]"
        + " [--max-batch-size N] [--block-size 64] [--partitions N] [--samples-per-round 4096]";
  }
}
