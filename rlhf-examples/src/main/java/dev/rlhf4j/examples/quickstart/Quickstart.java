package dev.rlhf4j.examples.quickstart;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.LengthUnit;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.examples.quickstart.QuickstartReport.IterationDiagnostics;
import dev.rlhf4j.examples.quickstart.QuickstartReport.RewardModelFigures;
import dev.rlhf4j.examples.quickstart.QuickstartReport.Row;
import dev.rlhf4j.examples.quickstart.internal.ReportFiles;
import dev.rlhf4j.examples.sorting.SortingTask;
import dev.rlhf4j.examples.synthetic.SyntheticTask;
import dev.rlhf4j.iterative.Evaluation;
import dev.rlhf4j.iterative.Evaluators;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.IterativeDpo;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import dev.rlhf4j.iterative.run.RunLayout;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.train.DpoTrainer;
import dev.rlhf4j.iterative.train.SftConfig;
import dev.rlhf4j.iterative.train.SftExample;
import dev.rlhf4j.iterative.train.SftTrainer;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.eval.LengthBias;
import dev.rlhf4j.reward.eval.LengthControlledWinRate;
import dev.rlhf4j.reward.eval.PairAccuracy;
import dev.rlhf4j.reward.train.RewardTrainer;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import dev.rlhf4j.sampling.exploration.SelectionRules;
import dev.rlhf4j.sampling.generate.Generator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The paper's workflow in miniature ("RLHF Workflow", Dong et al. 2024) on the embedded {@link
 * SyntheticTask}, whose gold reward stands in for human judgement:
 *
 * <ol>
 *   <li><b>SFT</b> (§3.1): a random tiny Llama learns the noisy demonstrations ({@link
 *       SftTrainer});
 *   <li><b>proxy reward model</b> (§2): a Bradley–Terry model initialised from the SFT policy,
 *       trained on the offline, length-biased preference labels ({@link RewardTrainer}); reported:
 *       held-out accuracy against gold labels and the length–reward Pearson correlation of SFT
 *       samples (Fig. 5, {@link LengthBias});
 *   <li><b>offline DPO</b> (the "DPO baseline" of Table 4): DPO on the offline pairs ({@link
 *       DpoTrainer});
 *   <li><b>iterative DPO</b> (§3.3): three iterations of best-of-8 vs worst-of-8 under the proxy
 *       ({@link IterativeDpo} with {@link DjlDpoBackend}), warm-started, π0 = SFT as reference;
 *   <li><b>the same with a length penalty</b> (§5, eq. 8, Table 6): r − λ·characters at selection.
 * </ol>
 *
 * <p>Every policy is evaluated on the same held-out prompts (4 samples each at temperature 1, the
 * same seeds): mean gold reward, gold win rate against SFT, mean proxy reward and mean length in
 * characters. Beside them, each iteration of both loops shows the loop's own diagnostics, which need
 * no gold reward ({@link dev.rlhf4j.iterative.LoopDiagnostics}): the proxy's margins on the kept
 * pairs and the share of near-ties, the chosen and rejected lengths in tokens, and Monte Carlo KL
 * estimates from SFT and from the previous iteration; and, judged by the task's gold reward
 * ({@link GoldDiagnostics}), how often the proxy's best-vs-worst pairs agree with the gold, the
 * proxy's accuracy on the policy's own samples next to its held-out accuracy, and the gold reward
 * of chosen and rejected. The results go to {@code <out>/report.json},
 * {@code report.md} (the tables) and
 * {@code report.png} (gold win rate and mean length per iteration); models and run directories
 * stay under {@code <out>}.
 *
 * <p><b>Measured</b> (seed 42, a 2-core CPU shared with a test build, one engine thread): the full
 * run takes 244 s after the build, {@code --fast} about 2 minutes; two runs give identical
 * figures. The proxy reaches held-out accuracy 0.898 against gold labels and length–reward
 * Pearson 0.154. Gold win rates against SFT (600 held-out prompts, 4 samples each): offline DPO
 * (12,000 pairs, one pass) 0.526; iterative DPO 0.498 → 0.529 → 0.560 over iterations 1–3,
 * answers growing from 18 to 21 characters (SFT: 14); with the length penalty 0.511 → 0.560 →
 * 0.540 at 11–14 characters. So the paper's Table 4 ordering (iterative above offline above
 * SFT, rising over iterations) and Table 6's effect of the penalty on length hold. They are
 * sensitive to the settings: with the task's default labels (length bias 0.3, rationality 5)
 * or DPO β 0.5, iterative DPO ended level with or below offline DPO (0.54–0.59 against
 * 0.56–0.58, 16 configurations tried); with β 0.1 offline DPO fell below SFT (0.46). Under the
 * gold reward itself the loop gains more (see {@code OnlineVersusOfflineTest}).
 *
 * <p><b>Two tasks.</b> {@code --task list} (the default) runs on {@link SyntheticTask}, {@code
 * --task sort} on {@link SortingTask}, a second domain with its own gold reward and labeller
 * written against the public API only (issue 18: the library is judged on both). Measured there
 * ({@code --fast}, seed 42, under load): proxy held-out accuracy 0.849; gold win rate vs SFT
 * offline DPO 0.663, iterative DPO 0.520 → 0.490 → 0.474 while answers grow from 10.4 to 17.1
 * characters (SFT 8.5) and the proxy reward rises from 0.40 to 0.87, with the length penalty
 * 0.542 → 0.599 → 0.606 at 7.7 characters: the proxy's length bias beats the loop unless it is
 * penalised. The diagnostics table shows it without the gold: chosen answers 5.8 → 8.0 tokens, KL
 * from SFT 0.33 → 2.08, margins wide throughout.
 *
 * <p>Usage: {@code Quickstart [--seed N] [--out DIR] [--fast | --smoke] [--length-penalty λ]
 * [--task list|sort]}; {@code --fast} runs a smaller configuration for CI, {@code --smoke} a
 * minimal one that only checks every stage runs (its figures mean nothing). Not thread-safe: one run per process (DJL trains one model
 * at a time per JVM).
 */
public final class Quickstart {
  private static final int EVAL_SAMPLES = 4;
  private static final int MAX_NEW_TOKENS = 16;
  private static final String[] ITERATIVE_ROWS = {
    "iterative-dpo-1", "iterative-dpo-2", "iterative-dpo-3"
  };

  private final QuickstartOptions options;
  private final Scale scale;
  private final PrintStream out;
  private final ProgressListener progress;

  /** Sizes of one configuration. */
  private record Scale(
      int demonstrations,
      int offlinePairs,
      int heldOutPairs,
      int promptsPerIteration,
      int evalPrompts,
      int biasPrompts,
      int sftEpochs,
      double sftLearningRate,
      int rewardEpochs) {}

  private static final Scale FULL = new Scale(3000, 12000, 600, 1024, 600, 100, 3, 5e-3, 8);
  private static final Scale FAST = new Scale(3000, 12000, 300, 768, 200, 32, 3, 5e-3, 4);
  /** Just enough to run every stage: for tests that the workflow runs end to end. */
  private static final Scale SMOKE = new Scale(300, 600, 64, 48, 32, 8, 1, 5e-3, 1);

  /**
   * The simulated labeller of the quickstart: per-word length bias λ = 0.15 and rationality β = 8
   * (the task's defaults are 0.3 and 5). With the defaults the proxy reached held-out accuracy
   * 0.79 and length–reward Pearson 0.40, and by iteration 3 its best-vs-worst pairs agreed with
   * the gold only 56% of the time (seed 42); with these labels 0.86–0.89 and 0.12–0.14, and
   * 77–84% over the three iterations: still length-biased, and still drifting out of
   * distribution as the policy improves, but a proxy the loop can follow.
   */
  private static final double LABEL_LENGTH_BIAS = 0.15;

  private static final double LABEL_RATIONALITY = 8;

  /**
   * DPO's β for every DPO run of the quickstart. The paper uses 0.1; at 0.1 the offline baseline
   * fell below SFT here (gold win rate 0.46), at 0.5 offline and iterative DPO ended level (0.58
   * each: the KL term binds both near the same optimum); 0.2 lies between (seed 42; these
   * comparisons were run before {@link dev.rlhf4j.models.OwnedArrays} fixed a source of
   * run-to-run noise, which moved single figures by up to 0.03).
   */
  private static final double DPO_BETA = 0.2;

  Quickstart(QuickstartOptions options, PrintStream out) {
    this.options = options;
    this.scale = options.smoke() ? SMOKE : options.fast() ? FAST : FULL;
    this.out = out;
    this.progress = ProgressListener.console(out);
  }

  /**
   * Runs the quickstart from the command line and prints where the report went.
   *
   * @param args see {@link QuickstartOptions#parse}
   */
  public static void main(String[] args) {
    // One engine thread: the models are tiny, and on a small CPU more threads only contend.
    System.setProperty("ai.djl.pytorch.num_threads",
        System.getProperty("ai.djl.pytorch.num_threads", "1"));
    System.setProperty("ai.djl.pytorch.num_interop_threads",
        System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
    QuickstartOptions options;
    try {
      options = QuickstartOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    QuickstartReport report = run(options, System.out);
    System.out.println("report: " + options.out().toAbsolutePath().resolve("report.md"));
    System.out.printf(Locale.ROOT, "done in %.0f s%n", report.seconds());
  }

  /**
   * Runs every stage, writes the report files into {@code options.out()} (replacing an earlier
   * run's; earlier {@code models/} and {@code runs/} folders there are deleted first) and returns
   * the figures.
   *
   * @throws IllegalArgumentException if an argument is null
   * @throws UncheckedIOException if a file cannot be written
   * @throws dev.rlhf4j.api.Rlhf4jException if training fails
   */
  public static QuickstartReport run(QuickstartOptions options, PrintStream out) {
    checkArgument(options != null, "options must not be null");
    checkArgument(out != null, "out must not be null");
    return new Quickstart(options, out).run();
  }

  private QuickstartReport run() {
    long start = System.nanoTime();
    Path root = options.out();
    deleteTree(root.resolve("models"));
    deleteTree(root.resolve("runs"));
    QuickstartTask task = task();
    RewardModel gold = task.goldReward();
    List<Prompt> evalPrompts = task.heldOutPrompts(scale.evalPrompts());
    stage("setup", task + (options.fast() ? " (fast)" : options.smoke() ? " (smoke)" : ""));

    Path sftDir = root.resolve("models/sft");
    stage("sft", scale.demonstrations() + " demonstrations");
    trainSft(task, sftDir);

    List<PreferencePair> offline =
        task.offlinePreferences(scale.offlinePairs() + scale.heldOutPairs());
    List<PreferencePair> trainPairs = offline.subList(0, scale.offlinePairs());
    List<PreferencePair> heldOutPairs =
        goldRelabelled(gold, offline.subList(scale.offlinePairs(), offline.size()));
    Path rmDir = root.resolve("models/reward");
    stage("reward model", trainPairs.size() + " offline pairs");
    trainRewardModel(sftDir, rmDir, trainPairs, heldOutPairs);

    try (DjlRewardModel proxy = DjlRewardModel.fromDirectory(rmDir).maxBatchSize(256).build()) {
      Evaluator evaluator = new Evaluator(task, proxy, evalPrompts);
      RewardModelFigures rmFigures = rewardModelFigures(task, proxy, sftDir, heldOutPairs);
      out.printf(Locale.ROOT, "reward model: held-out accuracy (gold labels) %.3f, "
          + "length-reward Pearson %.3f%n", rmFigures.heldOutAccuracy(),
          rmFigures.lengthRewardPearson());

      List<Row> rows = new ArrayList<>();
      List<GeneratedSample> sftSamples = evaluator.samples(sftDir);
      rows.add(evaluator.row("sft", sftSamples, sftSamples));

      Path offlineDir = root.resolve("models/offline-dpo");
      stage("offline dpo", trainPairs.size() + " offline pairs");
      trainOfflineDpo(sftDir, offlineDir, trainPairs);
      rows.add(evaluator.row("offline-dpo", evaluator.samples(offlineDir), sftSamples));

      stage("iterative dpo", "3 iterations, best-of-8 vs worst-of-8 under the proxy");
      LoopResult iterative =
          iterate(task, proxy, sftDir, root.resolve("runs/iterative-dpo"),
              ExplorationStrategies.rejectionSampling(8));
      List<IterationDiagnostics> diagnostics = new ArrayList<>();
      List<GoldDiagnostics> goldDiagnostics = new ArrayList<>();
      for (IterationResult it : iterative.iterations()) {
        diagnostics.add(IterationDiagnostics.of("iterative-dpo", it));
        goldDiagnostics.add(goldDiagnostics("iterative-dpo", it, gold));
        rows.add(evaluator.row(ITERATIVE_ROWS[it.iteration() - 1],
            evaluator.samples(it.checkpoint()), sftSamples));
      }

      stage("iterative dpo, length penalty",
          String.format(Locale.ROOT, "λ = %s per character", options.lengthPenalty()));
      ExplorationStrategy penalised =
          ExplorationStrategies.rejectionSampling(8)
              .withSelection(
                  SelectionRules.builder()
                      .lengthPenalty(options.lengthPenalty(), LengthUnit.CHARACTERS)
                      .build());
      LoopResult lp =
          iterate(task, proxy, sftDir, root.resolve("runs/iterative-dpo-lp"), penalised);
      List<Row> lpCurve = new ArrayList<>();
      for (IterationResult it : lp.iterations()) {
        diagnostics.add(IterationDiagnostics.of("iterative-dpo-lp", it));
        goldDiagnostics.add(goldDiagnostics("iterative-dpo-lp", it, gold));
        lpCurve.add(evaluator.row("iterative-dpo-lp-" + it.iteration(),
            evaluator.samples(it.checkpoint()), sftSamples));
      }
      rows.add(lpCurve.get(lpCurve.size() - 1));

      double seconds = (System.nanoTime() - start) / 1e9;
      QuickstartReport report =
          new QuickstartReport(
              options.seed(), seconds, rmFigures, rows, lpCurve, diagnostics,
              options.task().name().toLowerCase(Locale.ROOT), goldDiagnostics);
      ReportFiles.write(root, report);
      out.println();
      out.print(ReportFiles.markdown(report));
      return report;
    }
  }

  /** Judges iteration {@code it} by the gold from its {@code pairs.jsonl} and {@code annotated.jsonl}. */
  static GoldDiagnostics goldDiagnostics(String run, IterationResult it, RewardModel gold) {
    RunLayout.IterationFiles files = new RunLayout.IterationFiles(it.iteration(), it.directory());
    return GoldDiagnostics.of(
        run,
        it.iteration(),
        gold,
        Jsonl.readAll(files.pairs(), JsonlFormats.preferencePairs(run)),
        Jsonl.readAll(files.annotated(), JsonlFormats.annotatedSamples()));
  }

  /** The task of {@code --task}, seeded with the run's seed. */
  QuickstartTask task() {
    return switch (options.task()) {
      case LIST ->
          QuickstartTask.of(
              SyntheticTask.builder()
                  .seed(options.seed())
                  .labelLengthBias(LABEL_LENGTH_BIAS)
                  .labelRationality(LABEL_RATIONALITY)
                  .build());
      case SORT -> QuickstartTask.of(SortingTask.builder().seed(options.seed()).build());
    };
  }

  void stage(String name, String detail) {
    out.println("== " + name + ": " + detail);
    out.flush();
  }

  void trainSft(QuickstartTask task, Path sftDir) {
    task.writeTokenizer(sftDir);
    List<SftExample> examples = task.sftExamples(scale.demonstrations());
    try (CausalLm policy = CausalLm.randomInit(task.modelConfig(), options.seed());
        HfTokenizer tokenizer = HfTokenizer.load(sftDir)) {
      SftTrainer.builder(policy, tokenizer)
          .config(SftConfig.builder()
              .learningRate(scale.sftLearningRate()).epochs(scale.sftEpochs())
              .warmupRatio(0.03).microBatchSize(32).globalBatchSize(32).maxLength(64)
              .seed(options.seed()).build())
          .listener(progress)
          .build()
          .train(examples);
      policy.save(sftDir);
    }
  }

  private void trainRewardModel(
      Path sftDir, Path rmDir, List<PreferencePair> train, List<PreferencePair> heldOut) {
    trainRewardModel(sftDir, rmDir, train, heldOut, options.seed());
  }

  /** The quickstart's reward model with its head and data order drawn from {@code seed}. */
  void trainRewardModel(
      Path sftDir, Path rmDir, List<PreferencePair> train, List<PreferencePair> heldOut,
      long seed) {
    try (CausalLm sft = CausalLm.load(sftDir);
        HfTokenizer tokenizer = HfTokenizer.load(sftDir);
        DjlRewardModel rm = DjlRewardModel.fromCausalLm(sft, tokenizer, seed).build()) {
      RewardTrainer.builder(rm.classifier(), tokenizer)
          .trainPairs(train)
          .evalPairs(heldOut)
          .epochs(scale.rewardEpochs())
          .learningRate(2e-3)
          .microBatchSize(32)
          .globalBatchSize(32)
          .maxLength(64)
          .seed(seed)
          .listener(progress)
          .outputDirectory(rmDir)
          .build()
          .train();
    }
  }

  private RewardModelFigures rewardModelFigures(
      QuickstartTask task, RewardModel proxy, Path sftDir, List<PreferencePair> heldOut) {
    double accuracy = PairAccuracy.create().evaluate(proxy, heldOut).accuracy();
    List<GeneratedSample> samples =
        sample(sftDir, task.heldOutPrompts(scale.biasPrompts()), 8, sampling(options.seed() + 1));
    double pearson =
        LengthBias.characters().analyze(proxy, samples).meanPearson().orElse(Double.NaN);
    return new RewardModelFigures(accuracy, pearson);
  }

  void trainOfflineDpo(Path sftDir, Path outDir, List<PreferencePair> pairs) {
    try (CausalLm policy = CausalLm.load(sftDir);
        HfTokenizer tokenizer = HfTokenizer.load(sftDir)) {
      DpoTrainer.builder(policy, tokenizer)
          .config(dpoSettings().toBuilder().seed(options.seed()).build())
          .listener(progress)
          .build()
          .train(pairs);
      policy.save(outDir);
    }
  }

  private LoopResult iterate(
      QuickstartTask task, RewardModel proxy, Path sftDir, Path runDir,
      ExplorationStrategy exploration) {
    return iterate(task, proxy, sftDir, runDir, exploration, b -> b);
  }

  /** The quickstart's loop with {@code customize} applied to its builder last (for studies). */
  LoopResult iterate(
      QuickstartTask task, RewardModel proxy, Path sftDir, Path runDir,
      ExplorationStrategy exploration,
      java.util.function.UnaryOperator<dev.rlhf4j.iterative.IterativeLoop.Builder> customize) {
    int perIteration = scale.promptsPerIteration();
    dev.rlhf4j.iterative.IterativeLoop.Builder builder = IterativeDpo.builder()
        .policy(sftDir)
        .backend(backend())
        .rewardModel(proxy)
        .prompts(PromptSource.of(task.trainPrompts(3 * perIteration)))
        .iterations(3)
        .promptsPerIteration(perIteration)
        .exploration(exploration)
        .sampling(sampling(options.seed()))
        .dpo(dpoSettings())
        .evaluation(
            Evaluation.of(task.heldOutPrompts(scale.evalPrompts()))
                .withSampling(SamplingParams.builder().temperature(0)
                    .maxNewTokens(MAX_NEW_TOKENS).build())
                .withEvaluator(
                    Evaluators.all(
                        Evaluators.standard("proxy_greedy", proxy),
                        Evaluators.meanReward("gold_reward", task.goldReward()))))
        .seed(options.seed())
        .runDirectory(runDir)
        .listener(progress);
    return customize.apply(builder).build().run();
  }

  private static DjlDpoBackend backend() {
    return DjlDpoBackend.builder().maxBatchRows(256).build();
  }

  /**
   * One DPO pass (epoch) for the offline baseline, as the paper's (appendix: 1 epoch on Nectar),
   * and one pass per iteration over the pairs collected so far for iterative DPO (the paper runs
   * 2; here a second pass follows the proxy's length bias further and the gold win rate stops
   * rising, measured).
   */
  static DpoConfig dpoSettings() {
    return DpoConfig.builder().beta(DPO_BETA).learningRate(2e-4).epochs(1).globalBatchSize(32)
        .microBatchSize(32).maxLength(64).maxPromptLength(32).warmupRatio(0.03).build();
  }

  private static SamplingParams sampling(long seed) {
    return SamplingParams.builder().temperature(1).maxNewTokens(MAX_NEW_TOKENS).seed(seed).build();
  }

  private static List<GeneratedSample> sample(
      Path checkpoint, List<Prompt> prompts, int n, SamplingParams params) {
    try (CausalLm model = CausalLm.load(checkpoint);
        HfTokenizer tokenizer = HfTokenizer.load(checkpoint)) {
      return Generator.builder(model, tokenizer).maxBatchRows(256).build()
          .sample(prompts, n, params);
    }
  }

  /** The held-out pairs with chosen and rejected set by the gold reward; gold ties dropped. */
  static List<PreferencePair> goldRelabelled(
      RewardModel gold, List<PreferencePair> pairs) {
    List<PreferencePair> out = new ArrayList<>();
    for (PreferencePair p : pairs) {
      double[] scores =
          gold.score(
              List.of(
                  new ScoreRequest(p.prompt(), p.chosen()),
                  new ScoreRequest(p.prompt(), p.rejected())));
      double a = scores[0];
      double b = scores[1];
      if (a != b) {
        out.add(a > b ? p : PreferencePair.of(p.prompt(), p.rejected(), p.chosen()));
      }
    }
    return out;
  }

  /** Evaluates policies on the held-out prompts, with the same sampling seeds for every one. */
  final class Evaluator {
    private final QuickstartTask task;
    private final RewardModel proxy;
    private final List<Prompt> prompts;

    Evaluator(QuickstartTask task, RewardModel proxy, List<Prompt> prompts) {
      this.task = task;
      this.proxy = proxy;
      this.prompts = prompts;
    }

    List<GeneratedSample> samples(Path checkpoint) {
      return sample(checkpoint, prompts, EVAL_SAMPLES, sampling(options.seed() + 2));
    }

    Row row(String name, List<GeneratedSample> samples, List<GeneratedSample> sft) {
      List<ScoreRequest> requests = new ArrayList<>();
      for (GeneratedSample s : samples) {
        for (Completion c : s.responses()) {
          requests.add(ScoreRequest.of(s.prompt(), c));
        }
      }
      double proxyMean = 0;
      for (double r : proxy.score(requests)) {
        proxyMean += r / requests.size();
      }
      Row row =
          new Row(
              name,
              task.meanGoldReward(samples),
              task.goldWinRate(samples, sft),
              LengthControlledWinRate.defaults()
                  .evaluate(task.goldReward(), samples, sft, LengthUnit.CHARACTERS)
                  .lengthControlledWinRate(),
              proxyMean,
              SyntheticTask.meanLength(samples, LengthUnit.CHARACTERS));
      out.printf(Locale.ROOT,
          "%-20s gold %.3f  win vs sft %.3f  LC win vs sft %.3f  proxy %.3f  length %.1f%n",
          row.name(), row.goldReward(), row.goldWinRateVsSft(), row.goldLcWinRateVsSft(),
          row.proxyReward(),
          row.meanLength());
      return row;
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the output directory " + dir, e);
    }
  }
}
