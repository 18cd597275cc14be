package dev.rlhf4j.examples.reward;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.DataFormatException;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.examples.cli.Arguments;
import dev.rlhf4j.examples.cli.Launcher;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.ModelConfigException;
import dev.rlhf4j.models.config.TaskHead;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.RewardModels;
import dev.rlhf4j.reward.eval.LengthBias;
import dev.rlhf4j.reward.eval.LengthBiasReport;
import dev.rlhf4j.reward.eval.PairAccuracy;
import dev.rlhf4j.reward.eval.PairAccuracyResult;
import dev.rlhf4j.reward.train.RewardTrainer;
import dev.rlhf4j.reward.train.PairTrainingResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Trains a Bradley–Terry reward model (paper §2.2, loss −log σ(r(x, a⁺) − r(x, a⁻))) on a
 * preference JSONL file and evaluates it on held-out pairs:
 *
 * <ol>
 *   <li>reads {@code --train} and {@code --eval} with rlhf-api's JSONL reader, in the preference
 *       format {@code {"chosen": [messages], "rejected": [messages]}} (both conversations share
 *       every turn but the last, an assistant turn; extra fields such as {@code chosen_score} are
 *       ignored). A malformed line stops the run with its file and line, e.g. {@code
 *       train.jsonl:412: 'chosen' must be a list of messages, got a string};
 *   <li>initialises the reward model from the causal LM in {@code --base} (a Hugging Face
 *       directory with tokenizer files and a chat template): the same backbone with the LM head
 *       replaced by a scalar head ({@link RewardModels#djlFromCausalLm(Path, long)}, which
 *       loads the LM, copies its backbone and closes it again);
 *   <li>trains it with {@link RewardTrainer} (AdamW, linear warm-up then cosine decay, gradients
 *       clipped at global norm 1), measuring the held-out pair accuracy before training and after
 *       each epoch, and saves it to {@code --out} as a Hugging Face {@code
 *       *ForSequenceClassification} directory (loadable with {@link
 *       DjlRewardModel#fromDirectory}, by transformers, and exportable to ONNX with {@link
 *       dev.rlhf4j.reward.onnx.OnnxExport});
 *   <li>prints a table per epoch, then the final held-out accuracy ({@link PairAccuracy}: a tie
 *       counts ½, as in RewardBench) and the length bias of the held-out responses ({@link
 *       LengthBias}, paper Fig. 5): the Pearson correlation of reward and length in characters,
 *       pooled over all responses, and the mean over prompts. With two responses per prompt each
 *       per-prompt correlation is ±1, so that mean is 2·P(the longer response scores higher) − 1.
 * </ol>
 *
 * <p>The paper trains one epoch at learning rate 2e-6 with a global batch of 512 for an 8B model;
 * a small model on a small file wants a larger learning rate and more epochs.
 *
 * <p>Usage: {@value #USAGE}
 *
 * <p>Not thread-safe: one run per process (DJL trains one model at a time per JVM).
 */
public final class TrainRewardModelExample {
  /** The command line, as printed on a usage error. */
  public static final String USAGE =
      "usage: TrainRewardModelExample --train PAIRS.jsonl --eval PAIRS.jsonl --base HF_DIR"
          + " --out DIR [--epochs N (default 1)] [--lr X (default 1e-5)]"
          + " [--batch N pairs per step (default 32)] [--max-length N tokens (default 1024)]"
          + " [--seed N (default 42)]";

  private static final Set<String> OPTIONS =
      Set.of("--train", "--eval", "--base", "--out", "--epochs", "--lr", "--batch",
          "--max-length", "--seed");
  private static final int MAX_MICRO_BATCH = 8;

  /**
   * What the run produced.
   *
   * @param training per-epoch loss and accuracy, held-out accuracy before and after each epoch
   * @param heldOut the trained model's held-out pair accuracy, with its ties and mean margin
   * @param lengthBias reward–length correlation of the held-out responses
   * @param savedTo the directory the reward model was saved to
   */
  public record Result(
      PairTrainingResult training,
      PairAccuracyResult heldOut,
      LengthBiasReport lengthBias,
      Path savedTo) {
    /** @throws IllegalArgumentException if a field is null */
    public Result {
      checkArgument(
          training != null && heldOut != null && lengthBias != null && savedTo != null,
          "fields must not be null");
    }
  }

  /** The parsed command line. */
  private record Options(
      Path train, Path eval, Path base, Path out, int epochs, double learningRate, int batch,
      int maxLength, long seed) {

    static Options parse(String[] args) {
      Arguments a = Arguments.parse(args, OPTIONS);
      Path train = a.existingFile("--train");
      Path eval = a.existingFile("--eval");
      Path base = a.existingDirectory("--base");
      checkBase(base);
      return new Options(
          train,
          eval,
          base,
          Path.of(a.required("--out")),
          a.intAtLeast("--epochs", 1, 1),
          a.doubleAbove("--lr", 1e-5, 0),
          a.intAtLeast("--batch", 32, 1),
          a.intAtLeast("--max-length", 1024, 8),
          a.longValue("--seed", 42));
    }

    /**
     * Reads {@code config.json} and the tokenizer only, before any weights are loaded: the base
     * must be a causal LM rlhf4j implements, and its tokenizer must have a chat template (the
     * reward model renders each conversation with it).
     */
    private static void checkBase(Path base) {
      Path configJson = base.resolve("config.json");
      checkArgument(
          Files.isRegularFile(configJson) && Files.isRegularFile(base.resolve("tokenizer.json")),
          "--base %s must be a Hugging Face model directory with config.json and tokenizer.json",
          base);
      ModelConfig config;
      try {
        config = ModelConfig.read(configJson);
      } catch (ModelConfigException e) {
        throw new IllegalArgumentException("--base " + base + ": " + e.getMessage(), e);
      }
      checkArgument(
          config.architecture().head() == TaskHead.CAUSAL_LM,
          "--base %s must hold a causal LM but config.json names %s",
          base,
          config.architecture().hfName());
      try (HfTokenizer tokenizer = HfTokenizer.load(base)) {
        checkArgument(
            tokenizer.hasChatTemplate(),
            "--base %s: the tokenizer has no chat_template (in tokenizer_config.json or"
                + " chat_template.jinja); conversations are rendered with it",
            base);
      }
    }
  }

  private TrainRewardModelExample() {}

  /**
   * Runs the example; on bad arguments prints the problem and the usage line to standard error and
   * exits with status 2; on a malformed data line prints it and exits with status 1.
   */
  public static void main(String[] args) {
    int status = launch(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Parses {@code args} and runs; returns the process exit status: 0 on success, 2 on bad
   * arguments (the message and {@link #USAGE} go to {@code err}), 1 on a malformed data line (its
   * {@code file:line: problem} goes to {@code err}).
   */
  static int launch(String[] args, PrintStream out, PrintStream err) {
    return Launcher.launch(args, USAGE, Options::parse, options -> run(options, out), err);
  }

  /**
   * Runs the example with the command line {@code args} (see {@link #USAGE}), printing progress and
   * the results to {@code out}.
   *
   * @throws IllegalArgumentException if an argument is unknown, missing, or out of range, or a
   *     file holds no pairs (the message names the option)
   * @throws DataFormatException if a line of {@code --train} or {@code --eval} is malformed (the
   *     message starts with {@code file:line:})
   * @throws dev.rlhf4j.api.Rlhf4jException if the base model cannot be loaded or training fails
   */
  public static Result run(String[] args, PrintStream out) {
    checkArgument(out != null, "out must not be null");
    return run(Options.parse(args), out);
  }

  private static Result run(Options o, PrintStream out) {
    // The strict reader stops at the first bad line with "file:line: problem".
    List<PreferencePair> train = Jsonl.readAll(o.train(), JsonlFormats.preferencePairs("train"));
    List<PreferencePair> eval = Jsonl.readAll(o.eval(), JsonlFormats.preferencePairs("eval"));
    checkArgument(!train.isEmpty(), "--train %s holds no pairs", o.train());
    checkArgument(!eval.isEmpty(), "--eval %s holds no pairs", o.eval());
    out.printf(Locale.ROOT, "%d training pairs, %d held-out pairs, base model %s%n",
        train.size(), eval.size(), o.base());

    // The base LM is loaded, its backbone copied under a fresh scalar head, and closed again:
    // only the reward model stays in memory, and it owns what it loaded.
    try (DjlRewardModel rewardModel =
        RewardModels.djlFromCausalLm(o.base(), o.seed()).maxLength(o.maxLength()).build()) {
      PairTrainingResult training =
          RewardTrainer.builder(rewardModel) // the model's max length and truncation
              .trainPairs(train)
              .evalPairs(eval)
              .evaluateBeforeTraining(true)
              .epochs(o.epochs())
              .learningRate(o.learningRate())
              .globalBatchSize(o.batch())
              .microBatchSize(microBatch(o.batch()))
              .seed(o.seed())
              .listener(ProgressListener.console(out))
              .outputDirectory(o.out())
              .build()
              .train();

      // The classifier was trained in place: rewardModel now scores with the trained weights.
      PairAccuracyResult heldOut = PairAccuracy.create().evaluate(rewardModel, eval);
      LengthBiasReport lengthBias =
          LengthBias.characters().analyze(rewardModel, responsesByPrompt(eval));
      printTable(out, training, heldOut, lengthBias);
      out.println("reward model saved to " + o.out().toAbsolutePath());
      return new Result(training, heldOut, lengthBias, o.out());
    }
  }

  /** The largest micro-batch up to 8 pairs that divides the global batch (exact accumulation). */
  private static int microBatch(int batch) {
    int micro = Math.min(batch, MAX_MICRO_BATCH);
    while (batch % micro != 0) {
      micro--;
    }
    return micro;
  }

  /** Every distinct response of the pairs, grouped by prompt: the input of {@link LengthBias}. */
  private static List<GeneratedSample> responsesByPrompt(List<PreferencePair> pairs) {
    Map<String, Prompt> prompts = new LinkedHashMap<>();
    Map<String, Set<String>> responses = new LinkedHashMap<>();
    for (PreferencePair p : pairs) {
      String id = Prompt.contentId(p.prompt());
      prompts.putIfAbsent(id, new Prompt(id, p.prompt()));
      Set<String> texts = responses.computeIfAbsent(id, k -> new LinkedHashSet<>());
      texts.add(p.chosen());
      texts.add(p.rejected());
    }
    List<GeneratedSample> samples = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : responses.entrySet()) {
      List<Completion> completions = new ArrayList<>();
      for (String text : e.getValue()) {
        completions.add(Completion.stopped(text, 0));
      }
      samples.add(new GeneratedSample(prompts.get(e.getKey()), completions));
    }
    return samples;
  }

  private static void printTable(
      PrintStream out, PairTrainingResult training, PairAccuracyResult heldOut,
      LengthBiasReport lengthBias) {
    out.println();
    out.printf(Locale.ROOT, "%-6s %11s %10s %13s%n", "epoch", "train loss", "train acc",
        "held-out acc");
    out.printf(Locale.ROOT, "%-6s %11s %10s %13s%n", "0", "", "",
        format(training.heldOutAccuracyBefore()));
    for (int e = 0; e < training.trainLoss().size(); e++) {
      out.printf(Locale.ROOT, "%-6d %11.4f %10.3f %13.3f%n", e + 1, training.trainLoss().get(e),
          training.trainAccuracy().get(e), training.heldOutAccuracy().get(e));
    }
    out.println();
    out.printf(Locale.ROOT, "held-out accuracy %.3f (%d pairs, %d wins, %d ties), mean margin"
        + " %.4f%n", heldOut.accuracy(), heldOut.pairs(), heldOut.wins(), heldOut.ties(),
        heldOut.meanMargin());
    out.printf(Locale.ROOT, "length bias (characters): pooled Pearson %s, mean per-prompt"
        + " Pearson %s over %d prompts%n", format(lengthBias.pooledPearson()),
        format(lengthBias.meanPearson()), lengthBias.analyzedPrompts());
  }

  private static String format(OptionalDouble value) {
    return value.isPresent() ? String.format(Locale.ROOT, "%.3f", value.getAsDouble()) : "n/a";
  }
}
