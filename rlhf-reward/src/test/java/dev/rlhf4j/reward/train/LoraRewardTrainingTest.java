package dev.rlhf4j.reward.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.PeftAdapter;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.checkpoint.SafetensorsFile;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.InsufficientMemoryException;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.RewardModels;
import dev.rlhf4j.reward.SyntheticPreferences;
import dev.rlhf4j.reward.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA in the Bradley–Terry reward trainer: an adapter on the backbone's linear layers and the
 * scalar head train, the backbone stays bit-identical, the files are PEFT's SEQ_CLS layout and
 * load back as a reward model with the same scores.
 */
class LoraRewardTrainingTest {
  @TempDir Path dir;

  private static final LoraConfig LORA = new LoraConfig(4, 8, 0, LoraConfig.LLAMA_ALL_LINEAR);

  /** A tiny SFT directory (weights, config, tokenizer): the base the reward model starts from. */
  private Path sftDirectory() {
    Path saved = dir.resolve("sft");
    try (CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(32, 2), 8, ModelOptions.cpu())) {
      lm.save(saved);
    }
    return TinyModels.writeTokenizer(saved, TinyModels.Variant.DISTINCT_PAD);
  }

  private static DjlRewardModel fromSft(Path sft) {
    return RewardModels.djlFromCausalLm(sft, 5).modelOptions(ModelOptions.cpu()).build();
  }

  private static List<ScoreRequest> requests(List<PreferencePair> pairs) {
    List<ScoreRequest> out = new ArrayList<>();
    for (PreferencePair p : pairs) {
      out.add(new ScoreRequest(p.prompt(), p.chosen()));
      out.add(new ScoreRequest(p.prompt(), p.rejected()));
    }
    return out;
  }

  private static Map<String, float[]> snapshot(Map<String, NDArray> parameters) {
    Map<String, float[]> out = new HashMap<>();
    parameters.forEach((name, p) -> out.put(name, p.toFloatArray()));
    return out;
  }

  @Test
  void freshAdapter_changesNoScore() {
    List<PreferencePair> pairs = new SyntheticPreferences(2.0).pairs(8, new Random(1));
    try (DjlRewardModel rm = fromSft(sftDirectory())) {
      double[] before = rm.score(requests(pairs));
      rm.classifier().addLora(LORA, 3);
      double[] after = rm.score(requests(pairs));
      for (int i = 0; i < before.length; i++) {
        assertThat(after[i]).as("request %s", i).isCloseTo(before[i], within(1e-6));
      }
    }
  }

  @Test
  void loraTraining_keepsTheBaseBitIdentical_trainsAdapterAndHeadOnly_andLearns() {
    SyntheticPreferences task = new SyntheticPreferences(2.0);
    Random random = new Random(7);
    List<PreferencePair> train = task.pairs(1024, random);
    List<PreferencePair> heldOut = task.pairs(256, random);
    try (DjlRewardModel rm = fromSft(sftDirectory())) {
      Map<String, float[]> before = snapshot(rm.classifier().parameters());
      PairTrainingResult result =
          RewardTrainer.builder(rm)
              .trainPairs(train)
              .evalPairs(heldOut)
              .evaluateBeforeTraining(true)
              .lora(LORA)
              .epochs(2)
              .learningRate(2e-2)
              .microBatchSize(32)
              .globalBatchSize(64)
              .seed(11)
              .build()
              .train();
      System.out.printf("LoRA reward model: gold %.4f, %s%n", task.goldAccuracy(heldOut), result);

      assertThat(rm.classifier().loraConfig()).contains(LORA);
      assertThat(rm.classifier().trainableParameters().keySet())
          .contains("score.weight")
          .allMatch(name -> name.equals("score.weight") || name.contains(".lora_"));
      rm.classifier().parameters().forEach((name, p) -> {
        if (name.equals("score.weight")) {
          assertThat(p.hasGradient()).as("head").isTrue();
          assertThat(p.toFloatArray()).as("head moved").isNotEqualTo(before.get(name));
        } else {
          assertThat(p.hasGradient()).as("frozen %s", name).isFalse();
          assertThat(p.toFloatArray()).as("base %s", name).isEqualTo(before.get(name));
        }
      });
      rm.classifier().loraParameters().forEach(
          (name, p) -> assertThat(p.hasGradient()).as("adapter %s", name).isTrue());
      NDArray someB =
          rm.classifier().loraParameters().get("model.layers.0.self_attn.q_proj.lora_B.weight");
      assertThat(someB.abs().sum().getFloat()).as("B moved off zero").isGreaterThan(0f);

      assertThat(result.trainLoss().get(1)).isLessThan(result.trainLoss().get(0));
      assertThat(result.finalHeldOutAccuracy().getAsDouble())
          .isGreaterThan(result.heldOutAccuracyBefore().getAsDouble() + 0.1)
          .isGreaterThanOrEqualTo(task.goldAccuracy(heldOut) - 0.05);
    }
  }

  @Test
  void savedAdapter_isPeftSeqCls_andReloadsWithTheSameScores_asAdapterAndMerged()
      throws Exception {
    Path sft = sftDirectory();
    List<PreferencePair> pairs = new SyntheticPreferences(2.0).pairs(64, new Random(2));
    List<ScoreRequest> requests = requests(pairs.subList(0, 10));
    Path adapter = dir.resolve("rm-adapter");
    Path merged = dir.resolve("rm-merged");
    double[] trained;
    try (DjlRewardModel rm = fromSft(sft)) {
      RewardTrainer.builder(rm)
          .trainPairs(pairs)
          .lora(LORA)
          .learningRate(2e-2)
          .microBatchSize(16)
          .globalBatchSize(32)
          .outputDirectory(adapter)
          .build()
          .train();
      rm.saveMerged(merged);
      trained = rm.score(requests);
      assertThat(rm.classifier().loraConfig()).as("saveMerged keeps the adapter").isPresent();
    }

    JsonNode config =
        new ObjectMapper().readTree(adapter.resolve(PeftAdapter.CONFIG_FILE).toFile());
    assertThat(config.get("peft_type").asText()).isEqualTo("LORA");
    assertThat(config.get("task_type").asText()).isEqualTo("SEQ_CLS");
    assertThat(config.get("modules_to_save").get(0).asText()).isEqualTo("score");
    assertThat(config.get("r").asInt()).isEqualTo(4);
    assertThat(Path.of(config.get("base_model_name_or_path").asText())).isEqualTo(sft);
    assertThat(adapter.resolve("config.json")).doesNotExist();
    assertThat(adapter.resolve("tokenizer.json")).exists();
    assertThat(adapter.resolve(DjlRewardModel.SIDECAR_FILE)).exists();
    try (SafetensorsFile file = SafetensorsFile.open(adapter.resolve(PeftAdapter.WEIGHTS_FILE))) {
      assertThat(file.names())
          .contains(
              "base_model.model.score.weight",
              "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
              "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight")
          .allMatch(n -> n.equals("base_model.model.score.weight") || n.contains(".lora_"));
    }

    try (DjlRewardModel frozen =
            RewardModels.djl(adapter).modelOptions(ModelOptions.cpu()).build();
        DjlRewardModel attached =
            RewardModels.djl(adapter).modelOptions(ModelOptions.cpu()).trainable(true).build();
        DjlRewardModel plain = RewardModels.djl(merged).modelOptions(ModelOptions.cpu()).build()) {
      assertThat(frozen.classifier().loraConfig()).as("merged at load").isEmpty();
      assertThat(frozen.classifier().isTrainable()).isFalse();
      assertThat(attached.classifier().loraConfig()).contains(LORA);
      assertThat(plain.classifier().loraConfig()).isEmpty();
      assertThat(ModelConfig.read(merged.resolve("config.json")).architecture().hfName())
          .isEqualTo("LlamaForSequenceClassification");
      double[] f = frozen.score(requests);
      double[] a = attached.score(requests);
      double[] p = plain.score(requests);
      for (int i = 0; i < trained.length; i++) {
        assertThat(a[i]).as("adapter attached, request %s", i).isCloseTo(trained[i], within(1e-6));
        assertThat(f[i]).as("merged at load, request %s", i).isCloseTo(trained[i], within(1e-5));
        assertThat(p[i]).as("merged directory, request %s", i).isCloseTo(trained[i], within(1e-5));
      }
    }
  }

  /** Thrown by a listener at the start of training: the run got past the memory check. */
  private static final class Accepted extends Error {
    Accepted() {
      super("accepted by the memory check");
    }
  }

  private static final ProgressListener STOP_AT_START =
      new ProgressListener() {
        @Override
        public void onStageStarted(StageStarted event) {
          throw new Accepted();
        }
      };

  /**
   * The smallest budget {@code train()} accepts, by bisection on the trainer's own check (a run
   * that gets past it stops at its first event, before any step).
   */
  private static long smallestAcceptedBudget(LongFunction<Runnable> train) {
    long refused = -1;
    long accepted = 1L << 40;
    while (accepted - refused > 1) {
      long mid = refused + (accepted - refused) / 2;
      try {
        train.apply(mid).run();
        throw new AssertionError("the run was not stopped at its start");
      } catch (InsufficientMemoryException e) {
        refused = mid;
      } catch (Accepted e) {
        accepted = mid;
      }
    }
    return accepted;
  }

  @Test
  void memoryCheck_withLora_countsOnlyTheAdapterAndTheHead() {
    List<PreferencePair> pairs = new SyntheticPreferences(2.0).pairs(16, new Random(4));
    try (DjlRewardModel full = fromSft(sftDirectory());
        DjlRewardModel lora = fromSft(dir.resolve("sft"))) {
      ModelConfig config = full.classifier().config();
      long all = full.classifier().numParameters();
      long adapterAndHead = LORA.parameterCount(config) + config.hiddenSize();
      long fullNeeds =
          smallestAcceptedBudget(
              bytes -> () -> RewardTrainer.builder(full).trainPairs(pairs).microBatchSize(1)
                  .globalBatchSize(8).availableMemory(AvailableMemory.fixed(bytes))
                  .listener(STOP_AT_START).build().train());
      long loraNeeds =
          smallestAcceptedBudget(
              bytes -> () -> RewardTrainer.builder(lora).trainPairs(pairs).microBatchSize(1)
                  .globalBatchSize(8).lora(LORA).availableMemory(AvailableMemory.fixed(bytes))
                  .listener(STOP_AT_START).build().train());
      // a gradient (4 bytes) and two AdamW moments (8) per scalar that no longer trains, less
      // what the adapter keeps for backward: its rank-sized intermediates for each token of the
      // 2 rows of a one-pair micro-batch (a whole number of tokens, at most maxLength per row; at
      // 8 pairs per micro-batch this tiny model's adapter would keep more than LoRA saves)
      long kept = 12 * (all - adapterAndHead) - (fullNeeds - loraNeeds);
      long perToken = 2 * LORA.trainingActivationBytesPerToken(config, 4);
      assertThat(kept % perToken).isZero();
      assertThat(kept / perToken).isBetween(1L, (long) lora.maxLength());

      AvailableMemory between = AvailableMemory.fixed((fullNeeds + loraNeeds) / 2);
      assertThatThrownBy(
              () -> RewardTrainer.builder(full).trainPairs(pairs).microBatchSize(1)
                  .globalBatchSize(8).availableMemory(between).build().train())
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageContaining("reward model step")
          .hasMessageContaining("LoRA");
      PairTrainingResult trained =
          RewardTrainer.builder(lora).trainPairs(pairs).microBatchSize(1).globalBatchSize(8)
              .lora(LORA).availableMemory(between).build().train();
      assertThat(trained.steps()).isEqualTo(2);
    }
  }

  @Test
  void twoIdenticalLoraRuns_giveIdenticalLosses_withDropoutOn() {
    List<PreferencePair> pairs = new SyntheticPreferences(2.0).pairs(64, new Random(9));
    Path sft = sftDirectory();
    List<List<Double>> losses = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      List<Double> steps = new ArrayList<>();
      try (DjlRewardModel rm = fromSft(sft)) {
        RewardTrainer.builder(rm)
            .trainPairs(pairs)
            .lora(LORA.withDropout(0.1))
            .learningRate(1e-2)
            .microBatchSize(8)
            .globalBatchSize(16)
            .seed(3)
            .listener(
                new ProgressListener() {
                  @Override
                  public void onStep(StepMetrics event) {
                    steps.add(event.get("loss"));
                  }
                })
            .build()
            .train();
      }
      losses.add(steps);
    }
    assertThat(losses.get(0)).hasSize(4).doesNotContainNull();
    assertThat(losses.get(1)).isEqualTo(losses.get(0));
  }

  @Test
  void mismatchedAdapter_isRefused_andAFrozenModelTrainsAnAdapter() {
    List<PreferencePair> pairs = new SyntheticPreferences(2.0).pairs(16, new Random(5));
    Path saved = dir.resolve("rm");
    try (DjlRewardModel rm = fromSft(sftDirectory())) {
      rm.save(saved);
      rm.classifier().addLora(LoraConfig.of(2, 4, "q_proj"), 1);
      assertThatThrownBy(
              () -> RewardTrainer.builder(rm).trainPairs(pairs).lora(LORA).build().train())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already has a LoRA adapter");
    }
    try (DjlRewardModel frozen = RewardModels.djl(saved).modelOptions(ModelOptions.cpu()).build()) {
      PairTrainingResult result =
          RewardTrainer.builder(frozen).trainPairs(pairs).lora(LORA).microBatchSize(8)
              .globalBatchSize(8).build().train();
      assertThat(result.steps()).isEqualTo(2);
      assertThat(frozen.classifier().trainableParameters()).containsKey("score.weight");
      assertThat(Files.exists(saved.resolve("model.safetensors"))).isTrue();
      // an adapter on a sequence-classifier base names that directory and loads back on it
      Path adapter = dir.resolve("on-classifier");
      frozen.save(adapter);
      List<ScoreRequest> requests = requests(pairs.subList(0, 4));
      double[] expected = frozen.score(requests);
      try (DjlRewardModel loaded =
          RewardModels.djl(adapter).modelOptions(ModelOptions.cpu()).build()) {
        double[] actual = loaded.score(requests);
        for (int i = 0; i < expected.length; i++) {
          assertThat(actual[i]).as("request %s", i).isCloseTo(expected[i], within(1e-5));
        }
      }
    }
  }

  @Test
  void adapterWithoutABase_isRefusedAtLoad_namingTheField() {
    Path adapter = dir.resolve("no-base");
    try (HfTokenizer tokenizer =
            HfTokenizer.load(
                TinyModels.writeTokenizer(dir.resolve("tok"), TinyModels.Variant.DISTINCT_PAD));
        SequenceClassifier classifier =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 3, ModelOptions.cpu());
        DjlRewardModel rm = DjlRewardModel.of(classifier, tokenizer).build()) {
      classifier.addLora(LORA, 1);
      rm.save(adapter);
    }
    assertThatThrownBy(() -> RewardModels.djl(adapter).modelOptions(ModelOptions.cpu()).build())
        .hasMessageContaining("base_model_name_or_path");
  }

  private static final class Killed extends Error {
    Killed() {
      super("killed");
    }
  }

  private static PairTrainingResult trainLora(
      DjlRewardModel rm, List<PreferencePair> pairs, Path checkpoints, ProgressListener listener) {
    RewardTrainer.Builder b =
        RewardTrainer.builder(rm)
            .trainPairs(pairs)
            .evalPairs(pairs.subList(0, 8))
            .lora(LORA.withDropout(0.1))
            .epochs(2)
            .microBatchSize(2)
            .globalBatchSize(4)
            .learningRate(1e-2)
            .checkpointEvery(2)
            .listener(listener);
    if (checkpoints != null) {
      b.checkpointDirectory(checkpoints);
    }
    return b.build().train();
  }

  private static Map<String, float[]> trained(DjlRewardModel rm) {
    return snapshot(rm.classifier().trainableParameters());
  }

  @Test
  void killedLoraRun_resumesFromAdapterCheckpoints_toTheUninterruptedAdapterAndHead() {
    List<PreferencePair> pairs = new SyntheticPreferences(1.0).pairs(16, new Random(5));
    Path sft = sftDirectory();
    Path checkpoints = dir.resolve("checkpoints");
    PairTrainingResult expected;
    Map<String, float[]> expectedWeights;
    try (DjlRewardModel rm = fromSft(sft)) {
      expected = trainLora(rm, pairs, null, ProgressListener.none());
      expectedWeights = trained(rm);
    }
    try (DjlRewardModel rm = fromSft(sft)) {
      ProgressListener kill =
          new ProgressListener() {
            @Override
            public void onStep(StepMetrics event) {
              if (event.step() == 5) {
                throw new Killed();
              }
            }
          };
      assertThatThrownBy(() -> trainLora(rm, pairs, checkpoints, kill)).isInstanceOf(Killed.class);
    }
    Path checkpoint = checkpoints.resolve("checkpoint-4");
    assertThat(checkpoint.resolve(PeftAdapter.CONFIG_FILE)).exists();
    assertThat(checkpoint.resolve("model.safetensors")).doesNotExist();
    try (DjlRewardModel rm = fromSft(sft)) {
      PairTrainingResult resumed = trainLora(rm, pairs, checkpoints, ProgressListener.none());
      Map<String, float[]> actual = trained(rm);
      assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expectedWeights.keySet());
      expectedWeights.forEach(
          (name, w) -> assertThat(actual.get(name)).as(name).containsExactly(w));
      assertThat(resumed.trainLoss()).containsExactlyElementsOf(expected.trainLoss());
      assertThat(resumed.heldOutAccuracy()).containsExactlyElementsOf(expected.heldOutAccuracy());
      assertThat(resumed.steps()).isEqualTo(8);
    }
  }
}
