package dev.rlhf4j.examples.quickstart;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.TaskHead;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.eval.PairAccuracy;
import dev.rlhf4j.reward.train.PairTrainingResult;
import dev.rlhf4j.reward.train.RewardTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 18's reward-model investigation: how close the quickstart's Bradley–Terry proxy comes to
 * what its labels allow, under a few training settings, at the quickstart's {@code --fast} sizes
 * (3,000 demonstrations for SFT, 12,000 offline pairs, 300 held out).
 *
 * <p>Per setting it reports the held-out accuracy after each epoch against the gold-relabelled
 * pairs (the quickstart's figure) and, at the end, against the offline labels themselves. Beside
 * them, two ceilings that need no model: the labeller's own expected accuracy against its draws
 * (mean of max(p, 1 − p) over the held-out pairs, the best any scorer can do against noisy
 * labels) and the accuracy against the gold of a scorer that learned the labeller perfectly (its
 * preference p &gt; ½; ties ½). Writes {@code study.md} into the output directory.
 *
 * <p>Usage: {@code RewardModelStudy [--task list|sort] [--seed N] [--out DIR] [--variants
 * a,b,...]} with variants {@code sft} (the quickstart's: SFT initialisation, learning rate
 * 2e-3, 4 epochs), {@code random} (random initialisation), {@code lr5e-4}, {@code lr5e-3} and
 * {@code epochs8}. Not thread-safe: one run per process.
 */
public final class RewardModelStudy {
  private static final int PAIRS = 12_000;
  private static final int HELD_OUT = 300;

  /** One training setting. */
  private record Variant(String name, boolean fromSft, double learningRate, int epochs) {}

  private static final List<Variant> VARIANTS =
      List.of(
          new Variant("sft", true, 2e-3, 4),
          new Variant("random", false, 2e-3, 4),
          new Variant("lr5e-4", true, 5e-4, 4),
          new Variant("lr5e-3", true, 5e-3, 4),
          new Variant("epochs8", true, 2e-3, 8));

  private RewardModelStudy() {}

  /**
   * Runs the study from the command line.
   *
   * @param args see the class description
   * @throws IllegalArgumentException on an unknown option or a missing value
   * @throws IOException if the table cannot be written
   */
  public static void main(String[] args) throws IOException {
    System.setProperty("ai.djl.pytorch.num_threads",
        System.getProperty("ai.djl.pytorch.num_threads", "1"));
    String task = "list";
    long seed = QuickstartOptions.DEFAULT_SEED;
    Path out = Path.of("target", "rm-study");
    List<String> names = VARIANTS.stream().map(Variant::name).toList();
    for (int i = 0; i < args.length; i++) {
      checkArgument(i + 1 < args.length, "%s needs a value", args[i]);
      switch (args[i]) {
        case "--task" -> task = args[++i];
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--variants" -> names = List.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String md = run(task, seed, out, names, System.out);
    System.out.print(md);
  }

  /**
   * Trains the SFT policy once, then one reward model per variant, and returns (and writes) the
   * Markdown table ({@code study-<task>.md} in {@code out}).
   *
   * @param taskName {@code list} or {@code sort}
   * @param seed the seed of the task, the SFT policy and every reward model
   * @param out the output directory (the SFT policy goes to {@code out/sft})
   * @param names the variants, in run order
   * @param log where progress goes
   * @return the table
   * @throws IllegalArgumentException if the task or a variant is unknown
   * @throws IOException if the table cannot be written
   */
  public static String run(String taskName, long seed, Path out, List<String> names, PrintStream log)
      throws IOException {
    QuickstartOptions options =
        QuickstartOptions.parse("--task", taskName, "--seed", Long.toString(seed), "--fast",
            "--out", out.toString());
    Quickstart quickstart = new Quickstart(options, log);
    QuickstartTask task = quickstart.task();
    Path sftDir = out.resolve("sft");
    long start = System.nanoTime();
    quickstart.stage("sft", "fast sizes");
    quickstart.trainSft(task, sftDir);
    log.printf(Locale.ROOT, "sft took %.0f s%n", (System.nanoTime() - start) / 1e9);

    List<PreferencePair> offline = task.offlinePreferences(PAIRS + HELD_OUT);
    List<PreferencePair> train = offline.subList(0, PAIRS);
    List<PreferencePair> heldOutLabels = offline.subList(PAIRS, offline.size());
    List<PreferencePair> heldOutGold = Quickstart.goldRelabelled(task.goldReward(), heldOutLabels);
    double ceilingVsLabels = labellerSelfAccuracy(task.labeller(), heldOutLabels);
    double labellerVsGold = labellerAccuracy(task.labeller(), heldOutGold);
    double goldVsLabels = PairAccuracy.create().evaluate(task.goldReward(), heldOutLabels)
        .accuracy();

    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT,
        "Task %s, seed %d, %d train pairs, %d held out (%d gold-decided). Ceilings: labeller vs"
            + " its own labels %.3f, labeller's preference vs gold %.3f, gold vs the labels %.3f.%n%n",
        taskName, seed, train.size(), heldOutLabels.size(), heldOutGold.size(), ceilingVsLabels,
        labellerVsGold, goldVsLabels));
    md.append("| Setting | init | lr | epochs | held-out acc vs gold per epoch | vs labels |"
        + " train acc (last epoch) | seconds |\n|---|---|---|---|---|---|---|---|\n");
    for (String name : names) {
      Variant v = VARIANTS.stream().filter(x -> x.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown variant " + name));
      quickstart.stage("reward model", v.toString());
      long t0 = System.nanoTime();
      try (HfTokenizer tokenizer = HfTokenizer.load(sftDir);
          SequenceClassifier classifier = classifier(v, task, sftDir, seed);
          DjlRewardModel rm = DjlRewardModel.of(classifier, tokenizer).build()) {
        PairTrainingResult r =
            RewardTrainer.builder(classifier, tokenizer)
                .trainPairs(train)
                .evalPairs(heldOutGold)
                .epochs(v.epochs())
                .learningRate(v.learningRate())
                .microBatchSize(32)
                .globalBatchSize(32)
                .maxLength(64)
                .seed(seed)
                .listener(ProgressListener.none())
                .build()
                .train();
        double vsLabels = PairAccuracy.create().evaluate(rm, heldOutLabels).accuracy();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String line = String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %.3f | %.3f | %.0f |%n",
            v.name(), v.fromSft() ? "SFT" : "random", v.learningRate(), v.epochs(),
            join(r.heldOutAccuracy()), vsLabels,
            r.trainAccuracy().get(r.trainAccuracy().size() - 1), seconds);
        log.print(line);
        md.append(line);
      }
    }
    Files.createDirectories(out);
    Files.writeString(out.resolve("study-" + taskName + ".md"), md.toString());
    return md.toString();
  }

  private static SequenceClassifier classifier(
      Variant v, QuickstartTask task, Path sftDir, long seed) {
    if (v.fromSft()) {
      try (CausalLm sft = CausalLm.load(sftDir)) {
        return SequenceClassifier.fromCausalLm(sft, 1, seed);
      }
    }
    ModelConfig lm = task.modelConfig();
    ModelConfig config =
        lm.withArchitecture(lm.architecture().withHead(TaskHead.SEQUENCE_CLASSIFICATION))
            .toBuilder().numLabels(1).build();
    return SequenceClassifier.randomInit(config, seed);
  }

  /** Mean max(p, 1 − p): the expected accuracy of the labeller's own preference on its draws. */
  static double labellerSelfAccuracy(PreferenceModel labeller, List<PreferencePair> pairs) {
    checkArgument(!pairs.isEmpty(), "pairs must not be empty");
    double[] p = labeller.probabilityFirstPreferred(comparisons(pairs));
    double sum = 0;
    for (double x : p) {
      sum += Math.max(x, 1 - x);
    }
    return sum / p.length;
  }

  /** The fraction of pairs whose chosen response the labeller prefers (p &gt; ½), ½ at p = ½. */
  static double labellerAccuracy(PreferenceModel labeller, List<PreferencePair> pairs) {
    checkArgument(!pairs.isEmpty(), "pairs must not be empty");
    double[] p = labeller.probabilityFirstPreferred(comparisons(pairs));
    double sum = 0;
    for (double x : p) {
      sum += x > 0.5 ? 1 : x == 0.5 ? 0.5 : 0;
    }
    return sum / p.length;
  }

  private static List<Comparison> comparisons(List<PreferencePair> pairs) {
    List<Comparison> c = new ArrayList<>();
    for (PreferencePair p : pairs) {
      c.add(new Comparison(p.prompt(), p.chosen(), p.rejected()));
    }
    return c;
  }

  private static String join(List<Double> values) {
    StringBuilder s = new StringBuilder();
    for (double v : values) {
      s.append(s.length() == 0 ? "" : " → ").append(String.format(Locale.ROOT, "%.3f", v));
    }
    return s.toString();
  }
}
