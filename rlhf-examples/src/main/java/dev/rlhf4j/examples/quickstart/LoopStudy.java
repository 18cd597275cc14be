package dev.rlhf4j.examples.quickstart;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.LengthUnit;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.examples.quickstart.QuickstartReport.Row;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.IterativeLoop;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.ReferencePolicy;
import dev.rlhf4j.losses.PreferenceLoss;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.RewardEnsemble;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import dev.rlhf4j.sampling.exploration.SelectionRules;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Issue 18's loop study: trains the SFT policy, the proxy reward model (and, for the ensemble
 * variants, two more members) and offline DPO ONCE per (task, seed) at the quickstart's {@code
 * --fast} sizes, caches them under the output directory, then runs loop variants against the
 * cache and prints, per iteration, the gold win rate against SFT, the mean length and the gold's
 * agreement with the kept pairs. Each result line is appended to {@code study-<task>-<seed>.tsv}.
 *
 * <p>Usage: {@code LoopStudy [--task list|sort] [--seed N] [--out DIR] [--variants a,b,...]}; the
 * variants are listed in {@link #variant}. Not thread-safe: one run per process.
 */
public final class LoopStudy {
  private static final int PAIRS = 12_000;
  private static final int HELD_OUT = 300;
  private static final double LP = QuickstartOptions.DEFAULT_LENGTH_PENALTY;

  private LoopStudy() {}

  /** One loop configuration. */
  private record Variant(
      ExplorationStrategy exploration, UnaryOperator<IterativeLoop.Builder> customize,
      String ranker) {}

  /**
   * Runs the study from the command line.
   *
   * @param args see the class description
   * @throws IOException if a cache or result file cannot be written
   */
  public static void main(String[] args) throws IOException {
    System.setProperty("ai.djl.pytorch.num_threads",
        System.getProperty("ai.djl.pytorch.num_threads", "1"));
    System.setProperty("ai.djl.pytorch.num_interop_threads",
        System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
    String taskName = "list";
    long seed = QuickstartOptions.DEFAULT_SEED;
    Path out = Path.of("target", "loop-study");
    List<String> names = List.of("base");
    for (int i = 0; i < args.length; i++) {
      checkArgument(i + 1 < args.length, "%s needs a value", args[i]);
      switch (args[i]) {
        case "--task" -> taskName = args[++i];
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--variants" -> names = List.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    run(taskName, seed, out.resolve(taskName + "-" + seed), names, System.out);
  }

  static void run(String taskName, long seed, Path dir, List<String> names, PrintStream log)
      throws IOException {
    QuickstartOptions options =
        QuickstartOptions.parse("--task", taskName, "--seed", Long.toString(seed), "--fast",
            "--out", dir.toString());
    Quickstart q = new Quickstart(options, log);
    QuickstartTask task = q.task();
    Path sftDir = dir.resolve("sft");
    if (!Files.exists(sftDir.resolve(".done"))) {
      q.stage("sft", "training (cached afterwards)");
      q.trainSft(task, sftDir);
      Files.writeString(sftDir.resolve(".done"), "");
    }
    List<PreferencePair> offline = task.offlinePreferences(PAIRS + HELD_OUT);
    List<PreferencePair> train = offline.subList(0, PAIRS);
    List<PreferencePair> heldOut =
        Quickstart.goldRelabelled(task.goldReward(), offline.subList(PAIRS, offline.size()));
    boolean ensemble = names.stream().anyMatch(n -> n.contains("ens"));
    int members = ensemble ? 3 : 1;
    List<Path> rmDirs = new ArrayList<>();
    for (int m = 0; m < members; m++) {
      Path rmDir = dir.resolve(m == 0 ? "reward" : "reward-" + m);
      if (!Files.exists(rmDir.resolve(".done"))) {
        q.stage("reward model", "member " + m + " (cached afterwards)");
        q.trainRewardModel(sftDir, rmDir, train, heldOut, seed + 1000L * m);
        Files.writeString(rmDir.resolve(".done"), "");
      }
      rmDirs.add(rmDir);
    }
    Path offlineDir = dir.resolve("offline-dpo");
    if (!Files.exists(offlineDir.resolve(".done"))) {
      q.stage("offline dpo", "training (cached afterwards)");
      q.trainOfflineDpo(sftDir, offlineDir, train);
      Files.writeString(offlineDir.resolve(".done"), "");
    }
    List<DjlRewardModel> rms = new ArrayList<>();
    try {
      for (Path p : rmDirs) {
        rms.add(DjlRewardModel.fromDirectory(p).maxBatchSize(256).build());
      }
      RewardModel proxy = rms.get(0);
      List<Prompt> evalPrompts = task.heldOutPrompts(200);
      Quickstart.Evaluator evaluator = q.new Evaluator(task, proxy, evalPrompts);
      List<GeneratedSample> sftSamples = evaluator.samples(sftDir);
      Path tsv = dir.resolve("study-" + taskName + "-" + seed + ".tsv");
      Row sft = evaluator.row("sft", sftSamples, sftSamples);
      Row off = evaluator.row("offline-dpo", evaluator.samples(offlineDir), sftSamples);
      append(tsv, String.format(Locale.ROOT, "%s\t%d\tsft\t-\t%.3f\t%.1f\t-%n", taskName, seed,
          sft.goldWinRateVsSft(), sft.meanLength()));
      append(tsv, String.format(Locale.ROOT, "%s\t%d\toffline\t-\t%.3f\t%.1f\t-%n", taskName,
          seed, off.goldWinRateVsSft(), off.meanLength()));
      for (String name : names) {
        long t0 = System.nanoTime();
        Variant v = variant(name, task, rms, train);
        RewardModel ranker =
            switch (v.ranker()) {
              case "gold" -> task.goldReward();
              case "ens1" -> RewardEnsemble.of(List.copyOf(rms)).penalty(1.0);
              case "ens0" -> RewardEnsemble.of(List.copyOf(rms)).penalty(0.0);
              default -> proxy;
            };
        Path runDir = dir.resolve("runs/" + name);
        deleteTree(runDir);
        q.stage("variant", name);
        LoopResult r = q.iterate(task, ranker, sftDir, runDir, v.exploration(), v.customize());
        StringBuilder line = new StringBuilder();
        for (IterationResult it : r.iterations()) {
          Row row = evaluator.row(name + "-" + it.iteration(), evaluator.samples(it.checkpoint()),
              sftSamples);
          GoldDiagnostics g = Quickstart.goldDiagnostics(name, it, task.goldReward());
          line.append(String.format(Locale.ROOT, "%.3f/%.1f/%.2f ", row.goldWinRateVsSft(),
              row.meanLength(), g.pairAgreement()));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        String text = String.format(Locale.ROOT, "%s\t%d\t%s\t%.0fs load %s\t%s\toffline %.3f%n",
            taskName, seed, name, seconds, load, line.toString().trim(), off.goldWinRateVsSft());
        log.print("RESULT " + text);
        append(tsv, text);
      }
    } finally {
      for (DjlRewardModel rm : rms) {
        rm.close();
      }
    }
  }

  /**
   * The named variant: tokens joined by {@code +}, e.g. {@code ens1+lp+p4000}: {@code base} (the
   * quickstart's loop), {@code lp} (length penalty 0.05 per character), {@code epochs2}, {@code
   * lr<x>} (DPO learning rate), {@code hybrid} / {@code hybrid<n>} (every / the first n offline
   * pairs in every iteration), {@code n<k>} (best-of-k vs worst-of-k), {@code p<n>} (n prompts per
   * iteration), {@code smooth} (cDPO label smoothing 0.1), {@code robust}, {@code ipo}, {@code
   * prevref} (reference π_{t−1}), {@code gold} (ranked by the gold: the loop's ceiling), {@code
   * ens1} / {@code ens0} (3-member ensemble, mean − std / mean), {@code margin<x>} (minimum
   * adjusted margin).
   */
  private static Variant variant(
      String name, QuickstartTask task, List<DjlRewardModel> rms, List<PreferencePair> train) {
    SelectionRules.Builder rules = SelectionRules.builder();
    int n = 8;
    String ranker = "proxy";
    List<UnaryOperator<IterativeLoop.Builder>> steps = new ArrayList<>();
    dev.rlhf4j.iterative.train.DpoConfig.Builder dpo = Quickstart.dpoSettings().toBuilder();
    double beta = Quickstart.dpoSettings().beta();
    for (String t : name.split("\\+")) {
      if (t.equals("base")) {
        continue;
      } else if (t.equals("lp")) {
        rules.lengthPenalty(LP, LengthUnit.CHARACTERS);
      } else if (t.startsWith("epochs")) {
        dpo.epochs(Integer.parseInt(t.substring(6)));
      } else if (t.startsWith("lr")) {
        dpo.learningRate(Double.parseDouble(t.substring(2)));
      } else if (t.equals("smooth")) {
        dpo.loss(PreferenceLoss.sigmoid(beta, 0.1));
      } else if (t.equals("robust")) {
        dpo.loss(PreferenceLoss.robust(beta, 0.1));
      } else if (t.equals("ipo")) {
        dpo.loss(PreferenceLoss.ipo(beta));
      } else if (t.equals("prevref")) {
        steps.add(b -> b.reference(ReferencePolicy.PREVIOUS));
      } else if (t.equals("hybrid")) {
        steps.add(b -> b.offlinePairs(train));
      } else if (t.startsWith("hybrid")) {
        int k = Integer.parseInt(t.substring(6));
        steps.add(b -> b.offlinePairs(train.subList(0, k)));
      } else if (t.startsWith("margin")) {
        rules.minMargin(Double.parseDouble(t.substring(6)));
      } else if (t.startsWith("p") && Character.isDigit(t.charAt(1))) {
        int k = Integer.parseInt(t.substring(1));
        steps.add(b -> b.prompts(PromptSource.of(task.trainPrompts(3 * k)))
            .promptsPerIteration(k));
      } else if (t.startsWith("n") && Character.isDigit(t.charAt(1))) {
        n = Integer.parseInt(t.substring(1));
      } else if (t.equals("gold") || t.equals("ens1") || t.equals("ens0")) {
        ranker = t;
      } else {
        throw new IllegalArgumentException("unknown variant token " + t + " in " + name);
      }
    }
    dev.rlhf4j.iterative.train.DpoConfig config = dpo.build();
    steps.add(0, b -> b.dpo(config));
    ExplorationStrategy exploration =
        ExplorationStrategies.rejectionSampling(n).withSelection(rules.build());
    UnaryOperator<IterativeLoop.Builder> all = b -> {
      IterativeLoop.Builder x = b;
      for (UnaryOperator<IterativeLoop.Builder> step : steps) {
        x = step.apply(x);
      }
      return x;
    };
    return new Variant(exploration, all, ranker);
  }

  private static void append(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
