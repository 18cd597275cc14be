package dev.rlhf4j.examples.hf;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.examples.cli.Arguments;
import dev.rlhf4j.examples.cli.Launcher;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.IterativeDpo;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.ModelConfigException;
import dev.rlhf4j.models.config.TaskHead;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.onnx.OnnxRewardModel;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Online iterative DPO (paper §3.3) for your own models: a Hugging Face causal LM as the SFT policy
 * π0 and an ONNX reward model as the proxy. Each iteration samples {@code --n} responses per
 * prompt from the current policy, scores them with the ONNX model, keeps best vs worst (ties
 * dropped), and trains DPO on all pairs so far, warm-started from the last iteration with π0 as the
 * reference. Sampling and training run on DJL's PyTorch engine; scoring on ONNX Runtime.
 *
 * <h2>The policy: {@code --policy DIR}</h2>
 *
 * A Hugging Face model directory as {@code transformers} writes it:
 *
 * <pre>
 *   model.save_pretrained("my-sft", safe_serialization=True)   # config.json, model.safetensors
 *   tokenizer.save_pretrained("my-sft")   # tokenizer.json, tokenizer_config.json (chat_template)
 * </pre>
 *
 * <ul>
 *   <li>{@code config.json} whose {@code architectures} is {@code LlamaForCausalLM}, {@code
 *       MistralForCausalLM}, {@code Qwen2ForCausalLM} or {@code GPT2LMHeadModel}. Llama, Mistral
 *       and Qwen2 models must use {@code hidden_act} {@code silu} and either no {@code
 *       rope_scaling} or the {@code llama3} kind; Mistral's {@code sliding_window} is applied,
 *       Qwen2's {@code use_sliding_window} must be false; GPT-2 models use {@code
 *       activation_function} {@code gelu_new} or {@code gelu_pytorch_tanh}. A setting rlhf4j does
 *       not implement is refused, before any weights are read, with a message naming the field;
 *   <li>{@code model.safetensors}, or shards listed in {@code model.safetensors.index.json}
 *       ({@code pytorch_model.bin} is not read: hence {@code safe_serialization=True}). F32, F16
 *       and BF16 weights are read and trained as float32;
 *   <li>{@code tokenizer.json} (a fast tokenizer) and {@code tokenizer_config.json} with a {@code
 *       chat_template} (or a {@code chat_template.jinja} file): prompts are rendered with it. The
 *       EOS ids come from {@code tokenizer_config.json}, {@code config.json} and {@code
 *       generation_config.json}; sampling stops at any of them.
 * </ul>
 *
 * <h2>The reward model: {@code --reward model.onnx}</h2>
 *
 * An ONNX sequence-classification model with exactly two inputs, {@code input_ids} and {@code
 * attention_mask} (int64, {@code [batch_size, sequence_length]}, both axes dynamic), and an output
 * {@code logits} (float32, float16 or bfloat16, {@code [batch_size, num_labels]}); the reward is
 * column 0 (a Bradley–Terry model has one label). Rows are padded on the right. A model exported
 * from transformers' {@code *ForSequenceClassification} finds each row's last token by its
 * config's {@code pad_token_id}, so the id rlhf4j pads with (the reward tokenizer's pad token,
 * else {@code pad_token_id} of a {@code config.json} beside the model) must be that same id, and
 * it must not be the EOS id, or the score is read at the wrong token. Its tokenizer ({@code
 * tokenizer.json} and {@code tokenizer_config.json} with a chat template) is read from {@code
 * --reward-tokenizer}, by default the directory of the {@code .onnx} file: each model renders the
 * conversation with its own template.
 *
 * <p>Such a model comes from {@code optimum-cli export onnx --task text-classification}, from
 * rlhf4j's own {@link dev.rlhf4j.reward.onnx.OnnxExport} (for reward models trained with
 * rlhf4j), or from {@code torch.onnx.export} with a wrapper that passes exactly those two inputs:
 *
 * <pre>
 *   rm = AutoModelForSequenceClassification.from_pretrained("my-rm", num_labels=1).eval()
 *   class Wrapper(torch.nn.Module):
 *       def __init__(self, m): super().__init__(); self.m = m
 *       def forward(self, input_ids, attention_mask):
 *           return self.m(input_ids=input_ids, attention_mask=attention_mask).logits
 *   ids = torch.ones(2, 8, dtype=torch.long)
 *   torch.onnx.export(Wrapper(rm), (ids, torch.ones_like(ids)), "rm-onnx/model.onnx",
 *       input_names=["input_ids", "attention_mask"], output_names=["logits"],
 *       dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
 *                     "attention_mask": {0: "batch_size", 1: "sequence_length"},
 *                     "logits": {0: "batch_size"}},
 *       opset_version=17)
 *   tokenizer.save_pretrained("rm-onnx")      # the reward model's tokenizer, beside the model
 * </pre>
 *
 * ONNX Runtime 1.23 loads opsets up to 23. A model over 2 GB keeps its weights in external data
 * files next to {@code model.onnx}: keep them together. A model with other inputs (e.g. {@code
 * position_ids} or past key values) is refused with a message listing its inputs and outputs.
 *
 * <h2>Prompts: {@code --prompts prompts.jsonl}</h2>
 *
 * One prompt a line in the prompt-collection format, {@code {"id": "p1", "context_messages":
 * [{"role": "user", "content": "..."}]}} (the id is optional; the last message must be from the
 * user). Iteration t uses the t-th slice of {@code --prompts-per-iteration} prompts, in file
 * order: shuffle the file yourself.
 *
 * <h2>Output: {@code --out DIR}</h2>
 *
 * The run directory: per iteration {@code iter-<t>/} with {@code generated.jsonl}, {@code
 * annotated.jsonl}, {@code pairs.jsonl}, {@code metrics.json} and {@code checkpoint/}, a Hugging
 * Face directory ({@code config.json}, {@code model.safetensors}, the policy's tokenizer files)
 * that {@code from_pretrained} loads. Running again with the same settings resumes where an
 * interrupted run stopped; other settings are refused.
 *
 * <p>The defaults are the paper's (n = 8, temperature 1, β = 0.1, learning rate 5e-7, global batch
 * 128); on a CPU pick a small model. For a GPU, point DJL at a CUDA build of PyTorch 2.7.1 (see the
 * README's GPU section).
 *
 * <p>Usage: {@value #USAGE}
 *
 * <p>Not thread-safe: one run per process (DJL trains one model at a time per JVM).
 */
public final class HfPolicyOnnxRewardExample {
  /** The command line, as printed on a usage error. */
  public static final String USAGE =
      "usage: HfPolicyOnnxRewardExample --policy HF_DIR --reward MODEL.onnx --prompts PROMPTS.jsonl"
          + " --out DIR [--reward-tokenizer DIR (default: the .onnx file's directory)]"
          + " [--iterations N (default 1)] [--n N >= 2 (default 8)]"
          + " [--prompts-per-iteration N (default: all prompts / iterations)]"
          + " [--max-new-tokens N (default 256)] [--beta X (default 0.1)] [--lr X (default 5e-7)]"
          + " [--batch N pairs per step (default 128)] [--max-length N tokens (default 1024)]"
          + " [--seed N (default 0)]";

  private static final Set<String> OPTIONS =
      Set.of("--policy", "--reward", "--prompts", "--out", "--reward-tokenizer", "--iterations",
          "--n", "--prompts-per-iteration", "--max-new-tokens", "--beta", "--lr", "--batch",
          "--max-length", "--seed");

  /**
   * What the run produced.
   *
   * @param loop per-iteration metrics ({@code explore/*}, {@code train/*}), checkpoints and the run
   *     directory
   * @param finalCheckpoint the last iteration's policy, a Hugging Face directory
   */
  public record Result(LoopResult loop, Path finalCheckpoint) {
    /** @throws IllegalArgumentException if a field is null */
    public Result {
      checkArgument(loop != null && finalCheckpoint != null, "fields must not be null");
    }
  }

  /** The parsed and checked command line. */
  private record Options(
      Path policy, ModelConfig policyConfig, Path reward, Path rewardTokenizer, Path prompts,
      Path out, int iterations, int n, int promptsPerIteration, int maxNewTokens, double beta,
      double learningRate, int batch, int maxLength, long seed) {

    static Options parse(String[] args) {
      Arguments a = Arguments.parse(args, OPTIONS);
      Path policy = a.existingDirectory("--policy");
      ModelConfig policyConfig = policyConfig(policy);
      checkChatTemplate("--policy", policy);
      Path reward = a.existingFile("--reward");
      Path rewardTokenizer = a.path("--reward-tokenizer", reward.toAbsolutePath().getParent());
      checkChatTemplate("--reward-tokenizer", rewardTokenizer);
      int maxLength = a.intAtLeast("--max-length", 1024, 8);
      return new Options(
          policy,
          policyConfig,
          reward,
          rewardTokenizer,
          a.existingFile("--prompts"),
          Path.of(a.required("--out")),
          a.intAtLeast("--iterations", 1, 1),
          a.intAtLeast("--n", 8, 2),
          a.intAtLeast("--prompts-per-iteration", 0, 1),
          a.intAtLeast("--max-new-tokens", 256, 1),
          a.doubleAbove("--beta", 0.1, 0),
          a.doubleAbove("--lr", 5e-7, 0),
          a.intAtLeast("--batch", 128, 1),
          maxLength,
          a.longValue("--seed", 0));
    }

    /**
     * Reads {@code config.json} only, before any weights are loaded: the architecture must be a
     * causal LM that rlhf4j implements.
     */
    private static ModelConfig policyConfig(Path policy) {
      Path configJson = policy.resolve("config.json");
      checkArgument(
          Files.isRegularFile(configJson),
          "--policy %s must be a Hugging Face model directory but has no config.json",
          policy);
      ModelConfig config;
      try {
        config = ModelConfig.read(configJson);
      } catch (ModelConfigException e) {
        throw new IllegalArgumentException("--policy " + policy + ": " + e.getMessage(), e);
      }
      checkArgument(
          config.architecture().head() == TaskHead.CAUSAL_LM,
          "--policy %s must hold a causal LM but config.json names %s",
          policy,
          config.architecture().hfName());
      return config;
    }

    /** Each model renders prompts with its own tokenizer's chat template: both must have one. */
    private static void checkChatTemplate(String option, Path dir) {
      checkArgument(
          Files.isRegularFile(dir.resolve("tokenizer.json")),
          "%s %s must hold the tokenizer files (tokenizer.json, tokenizer_config.json) but has no"
              + " tokenizer.json; save them there with tokenizer.save_pretrained(dir)%s",
          option,
          dir,
          option.equals("--reward-tokenizer")
              ? " or give --reward-tokenizer DIR (default: the .onnx file's directory)"
              : "");
      try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
        checkArgument(
            tokenizer.hasChatTemplate(),
            "%s %s: the tokenizer has no chat_template (in tokenizer_config.json or"
                + " chat_template.jinja); prompts are rendered with it",
            option,
            dir);
      }
    }
  }

  private HfPolicyOnnxRewardExample() {}

  /**
   * Runs the example; on bad arguments prints the problem and the usage line to standard error and
   * exits with status 2.
   */
  public static void main(String[] args) {
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
   * Runs the example with the command line {@code args} (see {@link #USAGE}), printing progress,
   * per-iteration metrics and the final checkpoint to {@code out}.
   *
   * @throws IllegalArgumentException if an argument is unknown, missing or out of range, the
   *     policy's {@code config.json} names an unsupported architecture or setting, a tokenizer
   *     has no chat template, or the prompts file holds fewer prompts than the iterations need
   *     (the message names the option)
   * @throws dev.rlhf4j.api.DataFormatException if a line of the prompts file is malformed
   * @throws dev.rlhf4j.api.Rlhf4jException if a model cannot be loaded, the ONNX model does not
   *     have the signature above, or training fails
   */
  public static Result run(String[] args, PrintStream out) {
    checkArgument(out != null, "out must not be null");
    return run(Options.parse(args), out);
  }

  private static Result run(Options o, PrintStream out) {
    ModelConfig policyConfig = o.policyConfig();
    out.printf(Locale.ROOT, "policy %s: %s, %d layers, hidden size %d%n", o.policy(),
        policyConfig.architecture().hfName(), policyConfig.numLayers(),
        policyConfig.hiddenSize());

    List<Prompt> prompts = Jsonl.readAll(o.prompts(), JsonlFormats.prompts());
    int perIteration =
        o.promptsPerIteration() > 0 ? o.promptsPerIteration() : prompts.size() / o.iterations();
    checkArgument(
        perIteration >= 1 && perIteration * o.iterations() <= prompts.size(),
        "--prompts %s holds %s prompts, fewer than %s iteration(s) x %s prompts per iteration",
        o.prompts(), prompts.size(), o.iterations(), Math.max(perIteration, 1));

    // The reward tokenizer is borrowed by the ONNX model: close it after the model (reverse order
    // of try-with-resources does that).
    try (HfTokenizer rewardTokenizer = HfTokenizer.load(o.rewardTokenizer());
        OnnxRewardModel rewardModel =
            OnnxRewardModel.builder(o.reward()).tokenizer(rewardTokenizer).build()) {
      out.printf(Locale.ROOT, "reward model %s on %s, %d prompts per iteration%n",
          rewardModel.modelFile(), rewardModel.device(), perIteration);

      LoopResult loop =
          IterativeDpo.builder()
              .policy(o.policy())
              .rewardModel(rewardModel)
              .prompts(PromptSource.of(prompts))
              .iterations(o.iterations())
              .promptsPerIteration(perIteration)
              // Best-of-n vs worst-of-n under the reward model, ties dropped (paper §3.3).
              .exploration(ExplorationStrategies.rejectionSampling(o.n()))
              .sampling(
                  SamplingParams.builder().temperature(1).maxNewTokens(o.maxNewTokens()).build())
              .dpo(
                  DpoConfig.paperDefaults().toBuilder()
                      .beta(o.beta())
                      .learningRate(o.learningRate())
                      .globalBatchSize(o.batch())
                      .microBatchSize(largestDivisorAtMost(o.batch(), 8))
                      .maxLength(o.maxLength())
                      .maxPromptLength(o.maxLength() / 2)
                      .build())
              .seed(o.seed())
              .runDirectory(o.out())
              .listener(ProgressListener.console(out))
              .build()
              .run();

      out.println();
      for (IterationResult it : loop.iterations()) {
        out.printf(Locale.ROOT, "iteration %d%n", it.iteration());
        for (Map.Entry<String, Double> m : it.metrics().entrySet()) {
          out.printf(Locale.ROOT, "  %-36s %s%n", m.getKey(), format(m.getValue()));
        }
      }
      out.println("final checkpoint: " + loop.finalPolicy().toAbsolutePath());
      return new Result(loop, loop.finalPolicy());
    }
  }

  /** Counts as integers, everything else with four decimals. */
  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.4f", value);
  }

  /** The largest divisor of {@code n} not above {@code most}: a micro-batch that splits n evenly. */
  private static int largestDivisorAtMost(int n, int most) {
    int d = Math.min(n, most);
    while (n % d != 0) {
      d--;
    }
    return d;
  }
}
