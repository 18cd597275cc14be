package dev.rlhf4j.examples.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.examples.synthetic.SyntheticTask;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.reward.onnx.OnnxExport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the example on a tiny random Llama written as a Hugging Face directory and a tiny random
 * reward model exported to ONNX by rlhf4j's own exporter.
 */
class HfPolicyOnnxRewardExampleTest {
  @TempDir Path tmp;
  private Path policy;
  private Path reward;
  private Path prompts;

  @BeforeEach
  void writeModelsAndPrompts() {
    SyntheticTask task = SyntheticTask.defaults();
    ModelConfig config = task.modelConfig(32, 2);
    policy = task.writeTokenizer(tmp.resolve("policy"));
    try (CausalLm lm = CausalLm.randomInit(config, 5)) {
      lm.save(policy);
    }
    Path rewardDir = task.writeTokenizer(tmp.resolve("reward"));
    ModelConfig rewardConfig =
        config.withArchitecture(Architecture.LLAMA_SEQUENCE_CLASSIFICATION).toBuilder()
            .numLabels(1).build();
    try (SequenceClassifier rm = SequenceClassifier.randomInit(rewardConfig, 6)) {
      reward = OnnxExport.export(rm, rewardDir);
    }
    prompts = tmp.resolve("prompts.jsonl");
    List<Prompt> list = task.trainPrompts(8);
    Jsonl.write(prompts, JsonlFormats.prompts(), list);
  }

  @Test
  void run_oneIterationWritesACheckpointThatLoadsBack() {
    Path out = tmp.resolve("run");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    HfPolicyOnnxRewardExample.Result result;
    try (PrintStream stream = new PrintStream(console, true, StandardCharsets.UTF_8)) {
      result = HfPolicyOnnxRewardExample.run(
          new String[] {"--policy", policy.toString(), "--reward", reward.toString(),
              "--prompts", prompts.toString(), "--out", out.toString(), "--iterations", "1",
              "--n", "3", "--max-new-tokens", "8", "--lr", "1e-3", "--batch", "8",
              "--max-length", "32"},
          stream);
    }

    IterationResult it = result.loop().last();
    assertThat(result.loop().iterations()).hasSize(1);
    assertThat(it.metric("explore/prompts")).isEqualTo(8);
    assertThat(it.metric("explore/pairs")).isPositive();
    assertThat(it.metrics().values()).allSatisfy(v -> assertThat(v).isFinite());
    assertThat(it.metrics()).containsKeys("train/loss", "train/rewards/margins");
    assertThat(result.finalCheckpoint()).isEqualTo(out.resolve("iter-1/checkpoint"));
    try (CausalLm trained = CausalLm.load(result.finalCheckpoint());
        CausalLm initial = CausalLm.load(policy)) {
      assertThat(trained.config()).isEqualTo(initial.config());
      String name = "model.layers.0.self_attn.q_proj.weight";
      assertThat(trained.parameters().get(name).contentEquals(initial.parameters().get(name)))
          .as("DPO changed the weights").isFalse();
    }
    assertThat(result.finalCheckpoint().resolve("tokenizer_config.json")).isRegularFile();
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("LlamaForCausalLM", "train/loss", "final checkpoint: ");
  }

  @Test
  void launch_badPathsNameTheOptionAndReturn2() throws IOException {
    String[] base = {"--prompts", prompts.toString(), "--out", tmp.resolve("x").toString()};
    assertThat(errorOf(concat(base, "--policy", policy.toString(), "--reward",
        tmp.resolve("nope.onnx").toString())))
        .contains("--reward must name an existing file but ")
        .contains(HfPolicyOnnxRewardExample.USAGE);
    assertThat(errorOf(concat(base, "--policy", tmp.toString(), "--reward", reward.toString())))
        .contains("--policy " + tmp + " must be a Hugging Face model directory but has no"
            + " config.json");
    assertThat(errorOf(concat(base, "--policy", policy.toString(), "--reward", reward.toString(),
        "--reward-tokenizer", tmp.toString())))
        .contains("--reward-tokenizer " + tmp + " must hold the tokenizer files")
        .contains("or give --reward-tokenizer DIR");
    Path classifierDir = reward.getParent();
    assertThat(errorOf(concat(base, "--policy", classifierDir.toString(), "--reward",
        reward.toString())))
        .contains("--policy " + classifierDir + " must hold a causal LM but config.json names"
            + " LlamaForSequenceClassification");
    assertThat(errorOf(concat(base, "--policy", policy.toString(), "--reward", reward.toString(),
        "--n", "1")))
        .contains("--n must be an integer >= 2 but was '1'");
    Path falcon = tmp.resolve("falcon");
    Files.createDirectories(falcon);
    Files.writeString(falcon.resolve("config.json"),
        Files.readString(policy.resolve("config.json"))
            .replace("LlamaForCausalLM", "FalconForCausalLM"));
    assertThat(errorOf(concat(base, "--policy", falcon.toString(), "--reward", reward.toString())))
        .contains("--policy " + falcon + ": ")
        .contains("'FalconForCausalLM' is not supported");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  private static String[] concat(String[] first, String... rest) {
    String[] all = Arrays.copyOf(first, first.length + rest.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }

  private static String errorOf(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      assertThat(HfPolicyOnnxRewardExample.launch(args, System.out, stream)).isEqualTo(2);
    }
    return err.toString(StandardCharsets.UTF_8);
  }
}
