package dev.rlhf4j.examples.custom;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.examples.cli.Arguments;
import dev.rlhf4j.examples.cli.Launcher;
import dev.rlhf4j.examples.synthetic.Demonstration;
import dev.rlhf4j.examples.synthetic.SyntheticTask;
import dev.rlhf4j.iterative.Evaluation;
import dev.rlhf4j.iterative.Evaluators;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.IterativeDpo;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.iterative.train.SftConfig;
import dev.rlhf4j.iterative.train.SftExample;
import dev.rlhf4j.iterative.train.SftTrainer;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Plugs a user-written {@link dev.rlhf4j.api.exploration.ExplorationStrategy} — {@link
 * MarginGatedBestVsWorst}, which keeps a prompt's best-vs-worst pair only when the reward margin
 * reaches a threshold — into online iterative DPO ({@link IterativeDpo}) on the embedded {@link
 * SyntheticTask}, at a scale that runs in well under a minute on a laptop CPU:
 *
 * <ol>
 *   <li>a tiny Llama (32 wide, 2 layers) is trained on the task's demonstrations with {@link
 *       SftTrainer}: the SFT policy π0;
 *   <li>{@link IterativeDpo} runs a few iterations with the custom strategy, ranking responses
 *       with the task's <em>gold</em> reward. A real run ranks with a trained proxy (a {@link
 *       dev.rlhf4j.reward.DjlRewardModel} or an ONNX model, see the other examples); the gold
 *       reward is used here only because it is exact and needs no training, which keeps the
 *       example fast;
 *   <li>per iteration it prints how many prompts the gate kept and skipped, and the policy's mean
 *       gold reward on held-out prompts (greedy decoding), π0's first.
 * </ol>
 *
 * <p>Everything goes under {@code --out}: {@code sft/} (π0) and {@code run/} (the run directory:
 * each {@code iter-<t>/} holds {@code annotated.jsonl} with every sampled response and its reward,
 * {@code pairs.jsonl} with the kept pairs and their scores, and {@code checkpoint/}). Both folders
 * are deleted first if they exist.
 *
 * <p>Usage: {@value #USAGE}
 *
 * <p>Not thread-safe: one run per process (DJL trains one model at a time per JVM).
 */
public final class CustomExplorationExample {
  /** The command line, as printed on a usage error. */
  public static final String USAGE =
      "usage: CustomExplorationExample [--out DIR (default target/custom-exploration)]"
          + " [--seed N (default 42)] [--iterations N (default 2)]"
          + " [--prompts-per-iteration N (default 32)] [--n N >= 2 (default 4)]"
          + " [--min-margin X > 0 (default 0.75)]";

  private static final Set<String> OPTIONS =
      Set.of("--out", "--seed", "--iterations", "--prompts-per-iteration", "--n", "--min-margin");
  private static final int MAX_NEW_TOKENS = 12;

  /**
   * What the run produced.
   *
   * @param loop the loop's result: per-iteration metrics (among them {@code explore/prompts} and
   *     {@code explore/pairs}), checkpoints and the run directory
   * @param promptsSampled prompts the strategy sampled for, over all iterations
   * @param pairsKept pairs it kept, over all iterations
   * @param minMargin the gate's threshold
   */
  public record Result(LoopResult loop, int promptsSampled, int pairsKept, double minMargin) {
    /** @throws IllegalArgumentException if loop is null or a count is negative */
    public Result {
      checkArgument(loop != null, "loop must not be null");
      checkArgument(
          promptsSampled >= 0 && pairsKept >= 0 && pairsKept <= promptsSampled,
          "counts must satisfy 0 <= pairsKept (%s) <= promptsSampled (%s)",
          pairsKept,
          promptsSampled);
    }

    /** Prompts the gate skipped because their margin was below the threshold. */
    public int promptsSkipped() {
      return promptsSampled - pairsKept;
    }
  }

  /** The parsed command line. */
  private record Options(
      Path out, long seed, int iterations, int promptsPerIteration, int n, double minMargin) {

    static Options parse(String[] args) {
      Arguments a = Arguments.parse(args, OPTIONS);
      return new Options(
          a.path("--out", Path.of("target", "custom-exploration")),
          a.longValue("--seed", 42),
          a.intAtLeast("--iterations", 2, 1),
          a.intAtLeast("--prompts-per-iteration", 32, 1),
          a.intAtLeast("--n", 4, 2),
          a.doubleAbove("--min-margin", 0.75, 0));
    }
  }

  private CustomExplorationExample() {}

  /**
   * Runs the example; on bad arguments prints the problem and the usage line to standard error and
   * exits with status 2.
   */
  public static void main(String[] args) {
    // One engine thread unless told otherwise: the models are tiny, and on a small CPU more
    // threads only contend. (Real models want the engine's default.)
    System.setProperty("ai.djl.pytorch.num_threads",
        System.getProperty("ai.djl.pytorch.num_threads", "1"));
    System.setProperty("ai.djl.pytorch.num_interop_threads",
        System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
    int status = launch(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Parses {@code args} and runs; returns the process exit status (see {@link Launcher}): 0 on
   * success, 2 on bad arguments (the message and {@link #USAGE} go to {@code err}), 1 on a
   * malformed data line.
   */
  static int launch(String[] args, PrintStream out, PrintStream err) {
    return Launcher.launch(args, USAGE, Options::parse, options -> run(options, out), err);
  }

  /**
   * Runs the example with the command line {@code args} (see {@link #USAGE}), printing progress and
   * a per-iteration summary to {@code out}.
   *
   * @throws IllegalArgumentException if an argument is unknown, missing its value or out of range
   *     (the message names it)
   * @throws UncheckedIOException if the output folders cannot be cleared
   * @throws dev.rlhf4j.api.Rlhf4jException if training or the loop fails, e.g. when the gate
   *     skipped every prompt of an iteration and there is nothing to train on
   */
  public static Result run(String[] args, PrintStream out) {
    checkArgument(out != null, "out must not be null");
    return run(Options.parse(args), out);
  }

  private static Result run(Options options, PrintStream out) {
    SyntheticTask task = SyntheticTask.builder().seed(options.seed()).build();
    Path sftDir = options.out().resolve("sft");
    Path runDir = options.out().resolve("run");
    deleteTree(sftDir);
    deleteTree(runDir);
    ProgressListener progress = ProgressListener.console(out);

    out.println("== sft: a tiny Llama learns the task's demonstrations");
    trainSft(task, sftDir, options.seed(), progress);

    MarginGatedBestVsWorst strategy =
        new MarginGatedBestVsWorst(options.n(), options.minMargin());
    out.println("== iterative dpo with " + strategy);
    // The gold reward stands in for a trained reward model here, only to keep the example fast.
    RewardModel rewardModel = task.goldReward();
    int perIteration = options.promptsPerIteration();
    LoopResult loop =
        IterativeDpo.builder()
            .policy(sftDir)
            .backend(
                DjlDpoBackend.builder().maxBatchRows(128).build())
            .rewardModel(rewardModel)
            .prompts(PromptSource.of(task.trainPrompts(options.iterations() * perIteration)))
            .iterations(options.iterations())
            .promptsPerIteration(perIteration)
            .exploration(strategy)
            .sampling(
                SamplingParams.builder().temperature(1).maxNewTokens(MAX_NEW_TOKENS).build())
            .dpo(
                DpoConfig.builder()
                    .beta(0.5).learningRate(2e-4).epochs(1).globalBatchSize(16).warmupRatio(0)
                    .microBatchSize(16).maxLength(32).maxPromptLength(16)
                    .build())
            .evaluation(
                Evaluation.of(task.heldOutPrompts(32))
                    .withSampling(
                        SamplingParams.builder().temperature(0).maxNewTokens(MAX_NEW_TOKENS)
                            .build())
                    .withEvaluator(Evaluators.meanReward("gold_reward", task.goldReward())))
            .seed(options.seed())
            .runDirectory(runDir)
            .listener(progress)
            .build()
            .run();

    out.println();
    out.printf(Locale.ROOT, "%-10s %8s %6s %8s %10s%n",
        "iteration", "prompts", "kept", "skipped", "gold");
    out.printf(Locale.ROOT, "%-10s %8s %6s %8s %10.3f%n",
        "π0", "", "", "", loop.baselineMetrics().get("mean_gold_reward"));
    int prompts = 0;
    int pairs = 0;
    for (IterationResult it : loop.iterations()) {
      int p = (int) it.metric("explore/prompts");
      int k = (int) it.metric("explore/pairs");
      prompts += p;
      pairs += k;
      out.printf(Locale.ROOT, "%-10d %8d %6d %8d %10.3f%n",
          it.iteration(), p, k, p - k, it.metric("eval/mean_gold_reward"));
    }
    out.println("final policy: " + loop.finalPolicy().toAbsolutePath());
    return new Result(loop, prompts, pairs, options.minMargin());
  }

  /** Supervised fine-tuning of a random tiny Llama: π0 of the loop. */
  private static void trainSft(SyntheticTask task, Path sftDir, long seed, ProgressListener progress) {
    task.writeTokenizer(sftDir);
    List<SftExample> examples = new ArrayList<>();
    for (Demonstration d : task.sftDemonstrations(600)) {
      examples.add(SftExample.of(d.prompt(), d.response()));
    }
    try (CausalLm policy = CausalLm.randomInit(task.modelConfig(32, 2), seed);
        HfTokenizer tokenizer = HfTokenizer.load(sftDir)) {
      SftTrainer.builder(policy, tokenizer)
          .config(
              SftConfig.builder()
                  .learningRate(1e-2).epochs(4).warmupRatio(0.03)
                  .microBatchSize(32).globalBatchSize(32).maxLength(32).seed(seed)
                  .build())
          .listener(progress)
          .build()
          .train(examples);
      // Saved next to the tokenizer files: a Hugging Face directory the loop can load.
      policy.save(sftDir);
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
      throw new UncheckedIOException("cannot clear " + dir, e);
    }
  }
}
