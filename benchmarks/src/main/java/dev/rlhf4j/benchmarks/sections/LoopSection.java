package dev.rlhf4j.benchmarks.sections;

import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StageFinished;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.benchmarks.harness.BenchContext;
import dev.rlhf4j.benchmarks.harness.EngineThreads;
import dev.rlhf4j.benchmarks.harness.MacroBenchmark;
import dev.rlhf4j.benchmarks.harness.SectionResult;
import dev.rlhf4j.examples.synthetic.Demonstration;
import dev.rlhf4j.examples.synthetic.SyntheticTask;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.IterativeDpo;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import dev.rlhf4j.iterative.train.SftConfig;
import dev.rlhf4j.iterative.train.SftExample;
import dev.rlhf4j.iterative.train.SftTrainer;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One iteration of the online iterative loop (paper Algorithm 1) on the synthetic task, seconds per
 * stage: keys {@code loop.secondsPerStage.generate}, {@code .annotate} and {@code .train}.
 *
 * <p>The policy is the synthetic task's suggested tiny Llama (64 wide, 2 layers), briefly SFT'd on
 * the task's demonstrations (untimed) so that its samples are scored apart; the reward model is the
 * task's {@code GoldReward} (a rule, not a network: the quickstart's proxy reward model is built
 * inside its private pipeline, so the annotate figure here is the loop's own overhead plus a cheap
 * rule, not a network's scoring — the reward section measures that). Exploration is best-of-4 vs
 * worst-of-4 ({@code ExplorationStrategies.rejectionSampling(4)}); training is the quickstart's DPO
 * ({@code DjlDpoBackend}, β 0.5, 2 epochs). The loop emits {@code StageFinished} for {@code
 * GENERATE} and {@code ANNOTATE} per prompt slice (summed here) and {@code TRAIN} from both the
 * loop and the trainer (the longest, the loop's enclosing one, is taken).
 *
 * <p>Quick run: 16 prompts per iteration and 100 SFT demonstrations; full run: 128 prompts and 600
 * demonstrations; one PyTorch intra-op thread (tiny operations, as the quickstart runs). Not
 * thread-safe: the harness runs sections one at a time.
 */
public final class LoopSection implements MacroBenchmark {
  private static final long SEED = 7;
  private static final int SAMPLES = 4;

  @Override
  public String name() {
    return "loop";
  }

  @Override
  public SectionResult run(BenchContext context) throws Exception {
    int prompts = context.quick() ? 16 : 128;
    int demonstrations = context.quick() ? 100 : 600;
    Map<Stage, Double> seconds =
        EngineThreads.withIntraOpThreads(1, () -> measure(prompts, demonstrations));
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("loop.secondsPerStage.generate", seconds.get(Stage.GENERATE));
    figures.put("loop.secondsPerStage.annotate", seconds.get(Stage.ANNOTATE));
    figures.put("loop.secondsPerStage.train", seconds.get(Stage.TRAIN));
    return new SectionResult(
        figures,
        String.format(
            Locale.ROOT,
            "synthetic task, Llama 64×2 SFT'd on %d demonstrations; 1 iteration of %d prompts,"
                + " best-of-%d vs worst-of-%d, 16 new tokens; DPO β 0.5, 2 epochs; 1 PyTorch thread",
            demonstrations, prompts, SAMPLES, SAMPLES),
        List.of(
            "reward model: the synthetic task's GoldReward (a rule), not the quickstart's proxy"
                + " network; annotate is therefore mostly the loop's own bookkeeping",
            "generate and annotate: sums of the loop's per-slice StageFinished events; train: the"
                + " loop's TRAIN stage"));
  }

  /**
   * Runs one loop iteration in a temporary directory (deleted afterwards) and returns the seconds
   * each of {@code GENERATE}, {@code ANNOTATE} and {@code TRAIN} took.
   *
   * @param prompts prompts in the iteration
   * @param demonstrations SFT demonstrations for the initial policy (untimed)
   * @throws IOException if the temporary directory cannot be created
   * @throws IllegalStateException if the loop did not report one of the three stages
   */
  static Map<Stage, Double> measure(int prompts, int demonstrations) throws IOException {
    Path dir = Files.createTempDirectory("rlhf4j-bench-loop");
    try {
      SyntheticTask task = SyntheticTask.builder().seed(SEED).build();
      Path sft = dir.resolve("sft");
      trainSft(task, sft, demonstrations);
      StageTimes times = new StageTimes();
      IterativeDpo.builder()
          .policy(sft)
          .backend(
              DjlDpoBackend.builder().maxBatchRows(256).build())
          .rewardModel(task.goldReward())
          .prompts(PromptSource.of(task.trainPrompts(prompts)))
          .iterations(1)
          .promptsPerIteration(prompts)
          .exploration(ExplorationStrategies.rejectionSampling(SAMPLES))
          .sampling(SamplingParams.builder().temperature(1).maxNewTokens(16).seed(SEED).build())
          .dpo(DpoConfig.builder().beta(0.5).learningRate(2e-4).epochs(2).globalBatchSize(32)
              .microBatchSize(32).maxLength(64).maxPromptLength(32).warmupRatio(0.03).build())
          .seed(SEED)
          .runDirectory(dir.resolve("run"))
          .listener(times)
          .build()
          .run();
      return times.seconds();
    } finally {
      deleteTree(dir);
    }
  }

  private static void trainSft(SyntheticTask task, Path sftDir, int demonstrations) {
    task.writeTokenizer(sftDir);
    List<SftExample> examples = new ArrayList<>();
    for (Demonstration d : task.sftDemonstrations(demonstrations)) {
      examples.add(SftExample.of(d.prompt(), d.response()));
    }
    try (CausalLm policy = CausalLm.randomInit(task.modelConfig(), SEED);
        HfTokenizer tokenizer = HfTokenizer.load(sftDir)) {
      SftTrainer.builder(policy, tokenizer)
          .config(SftConfig.builder().learningRate(1e-2).epochs(2).warmupRatio(0.03)
              .microBatchSize(32).globalBatchSize(32).maxLength(64).seed(SEED).build())
          .build()
          .train(examples);
      policy.save(sftDir);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary directory " + dir, e);
    }
  }

  /** Collects StageFinished elapsed times: GENERATE and ANNOTATE summed, TRAIN the longest. */
  private static final class StageTimes implements ProgressListener {
    private final Map<Stage, Duration> elapsed = new EnumMap<>(Stage.class);

    @Override
    public void onStageFinished(StageFinished event) {
      Stage stage = event.stage();
      if (stage == Stage.GENERATE || stage == Stage.ANNOTATE) {
        elapsed.merge(stage, event.elapsed(), Duration::plus);
      } else if (stage == Stage.TRAIN) {
        elapsed.merge(stage, event.elapsed(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
    }

    Map<Stage, Double> seconds() {
      Map<Stage, Double> out = new EnumMap<>(Stage.class);
      for (Stage stage : List.of(Stage.GENERATE, Stage.ANNOTATE, Stage.TRAIN)) {
        Duration d = elapsed.get(stage);
        if (d == null) {
          throw new IllegalStateException("the loop reported no finished " + stage + " stage");
        }
        out.put(stage, d.toNanos() / 1e9);
      }
      return out;
    }
  }
}
