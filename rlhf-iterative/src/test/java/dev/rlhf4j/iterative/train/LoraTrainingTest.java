package dev.rlhf4j.iterative.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.losses.PreferenceLoss;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.PeftAdapter;
import dev.rlhf4j.models.memory.MemoryEstimate;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA in the SFT and DPO trainers: what trains, the reference for free, the saved adapter. */
class LoraTrainingTest {
  private static final LoraConfig LORA = new LoraConfig(4, 8, 0, LoraConfig.LLAMA_ALL_LINEAR);

  @TempDir static Path shared;
  private static HfTokenizer tokenizer;

  @BeforeAll
  static void loadTokenizer() {
    tokenizer = TinyModels.tokenizer(shared.resolve("tokenizer"));
  }

  @AfterAll
  static void closeTokenizer() {
    tokenizer.close();
  }

  private static DpoConfig.Builder small() {
    return DpoConfig.builder()
        .learningRate(1e-2)
        .warmupRatio(0)
        .epochs(1)
        .microBatchSize(2)
        .globalBatchSize(4)
        .maxLength(64)
        .maxPromptLength(32)
        .lora(LORA);
  }

  private static List<Double> losses(TrainingResult result) {
    List<Double> out = new ArrayList<>();
    result.history().forEach(m -> out.add(m.get("loss")));
    return out;
  }

  private static Map<String, float[]> adapter(CausalLm model) {
    Map<String, float[]> copy = new LinkedHashMap<>();
    model.loraParameters().forEach((name, array) -> copy.put(name, array.toFloatArray()));
    return copy;
  }

  @Test
  void loraDpo_leavesTheBaseBitIdentical_andOnlyTheAdapterHasGradients() {
    try (CausalLm policy = TinyModels.policy(1)) {
      Map<String, float[]> base = TinyModels.weights(policy);
      TrainingResult result =
          DpoTrainer.builder(policy, tokenizer).config(small().build()).build()
              .train(TinyModels.toyPairs(8));
      assertThat(result.steps()).isEqualTo(2);
      assertThat(policy.loraConfig()).contains(LORA);
      assertThat(TinyModels.maxDifference(base, TinyModels.weights(policy))).isZero();
      policy.parameters().forEach(
          (name, p) -> assertThat(p.hasGradient()).as("frozen %s", name).isFalse());
      assertThat(policy.trainableParameters()).isEqualTo(policy.loraParameters());
      policy.loraParameters().forEach(
          (name, p) -> assertThat(p.hasGradient()).as("adapter %s", name).isTrue());
      // B started at zero: the adapter really trained
      double moved = 0;
      for (Map.Entry<String, float[]> e : adapter(policy).entrySet()) {
        if (e.getKey().endsWith("lora_B.weight")) {
          for (float v : e.getValue()) {
            moved = Math.max(moved, Math.abs(v));
          }
        }
      }
      assertThat(moved).isGreaterThan(1e-3);
      assertThat(result.first("loss")).isCloseTo(Math.log(2), within(1e-6));
    }
  }

  /**
   * Two identical runs (same seed, shapes and machine) give identical losses. A background thread
   * keeps the garbage collector busy: an autograd operand built from a Java number without an
   * owning copy (the adapter's scale once was) is then freed between forward and backward, and
   * the runs diverge within a few steps. Dropout is on, so this also checks that its masks repeat.
   */
  @Test
  void loraDpo_twoIdenticalRuns_giveIdenticalLosses_evenWithTheCollectorRunning()
      throws Exception {
    DpoConfig config =
        small().lora(LORA.withDropout(0.1)).microBatchSize(1).globalBatchSize(2).epochs(2)
            .build();
    List<PreferencePair> pairs = TinyModels.toyPairs(8);
    AtomicBoolean running = new AtomicBoolean(true);
    Thread collector =
        new Thread(() -> {
          while (running.get()) {
            System.gc();
            try {
              Thread.sleep(2);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
    collector.setDaemon(true);
    collector.start();
    try {
      List<Double> first;
      Map<String, float[]> firstAdapter;
      try (CausalLm policy = TinyModels.policy(2)) {
        first = losses(DpoTrainer.builder(policy, tokenizer).config(config).build().train(pairs));
        firstAdapter = adapter(policy);
      }
      try (CausalLm policy = TinyModels.policy(2)) {
        List<Double> second =
            losses(DpoTrainer.builder(policy, tokenizer).config(config).build().train(pairs));
        assertThat(second).hasSize(8).containsExactlyElementsOf(first);
        assertThat(TinyModels.maxDifference(firstAdapter, adapter(policy))).isZero();
      }
      assertThat(first.get(7)).isNotEqualTo(first.get(0));
    } finally {
      running.set(false);
      collector.join();
    }
  }

  @Test
  void adapterOffReference_equalsAnExplicitFrozenCopyOfTheBase_precomputedAndLive() {
    List<PreferencePair> pairs = TinyModels.toyPairs(8);
    for (ReferenceLogProbs scoring : ReferenceLogProbs.values()) {
      DpoConfig config = small().referenceScoring(scoring).epochs(2).build();
      TrainingResult withAdapterOff;
      Map<String, float[]> adapterOff;
      try (CausalLm policy = TinyModels.policy(3)) {
        withAdapterOff = DpoTrainer.builder(policy, tokenizer).config(config).build().train(pairs);
        adapterOff = adapter(policy);
      }
      try (CausalLm policy = TinyModels.policy(3);
          CausalLm base = policy.copyFrozen()) {
        TrainingResult withCopy =
            DpoTrainer.builder(policy, tokenizer).reference(base).config(config).build()
                .train(pairs);
        assertThat(withCopy.steps()).isEqualTo(4).isEqualTo(withAdapterOff.steps());
        for (int i = 0; i < withCopy.steps(); i++) {
          for (String metric : List.of("loss", "rewards/margins", "rewards/chosen")) {
            assertThat(withAdapterOff.history().get(i).get(metric))
                .as("%s %s step %s", scoring, metric, i + 1)
                .isCloseTo(withCopy.history().get(i).get(metric), within(1e-5));
          }
        }
        assertThat(TinyModels.maxDifference(adapterOff, adapter(policy))).as("%s", scoring)
            .isLessThan(1e-5);
        // the comparison is not vacuous: the rewards moved away from 0
        assertThat(Math.abs(withCopy.last("rewards/margins"))).isGreaterThan(1e-3);
      }
    }
  }

  @Test
  void loraDpo_lossDecreases_andMarginsGrow() {
    DpoConfig config =
        small().learningRate(2e-2).microBatchSize(8).globalBatchSize(8).epochs(12).build();
    try (CausalLm policy = TinyModels.policy(11)) {
      TrainingResult result =
          DpoTrainer.builder(policy, tokenizer).config(config).build()
              .train(TinyModels.toyPairs(8));
      assertThat(result.finalLoss()).isLessThan(result.first("loss") - 0.2);
      assertThat(result.last("rewards/margins")).isGreaterThan(result.first("rewards/margins"));
    }
  }

  @Test
  void everyLossOfTheFamily_trainsTheAdapterOnly() {
    List<PreferenceLoss> losses =
        List.of(
            PreferenceLoss.sigmoid(0.1), PreferenceLoss.robust(0.1, 0.1), PreferenceLoss.hinge(0.1),
            PreferenceLoss.ipo(0.1), PreferenceLoss.sppoHard(0.1), PreferenceLoss.ncaPair(0.1),
            PreferenceLoss.bcoPair(0.1), PreferenceLoss.apoZero(0.1), PreferenceLoss.apoDown(0.1),
            PreferenceLoss.discoPop(0.1), PreferenceLoss.exoPair(0.1),
            PreferenceLoss.sigmoidNorm(0.1), PreferenceLoss.mpo(0.1));
    List<PreferencePair> pairs = TinyModels.toyPairs(4);
    for (PreferenceLoss loss : losses) {
      try (CausalLm policy = TinyModels.policy(5)) {
        Map<String, float[]> base = TinyModels.weights(policy);
        TrainingResult result =
            DpoTrainer.builder(policy, tokenizer)
                .config(small().loss(loss).epochs(2).build())
                .build()
                .train(pairs);
        assertThat(result.finalLoss()).as("%s", loss).isFinite();
        assertThat(result.last("grad_norm")).as("%s", loss).isPositive();
        assertThat(TinyModels.maxDifference(base, TinyModels.weights(policy))).as("%s", loss)
            .isZero();
        assertThat(result.last("rewards/chosen")).as("%s moved the policy", loss)
            .isNotEqualTo(0.0);
      }
    }
  }

  @Test
  void loraSft_trainsTheAdapter_lowersTheLoss_andKeepsTheBase() {
    List<SftExample> examples = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      examples.add(new SftExample(List.of(Message.user("say " + i)), "yes " + i));
    }
    SftConfig config =
        SftConfig.builder().learningRate(2e-2).warmupRatio(0).epochs(6).microBatchSize(4)
            .globalBatchSize(8).maxLength(64).lora(LORA).build();
    try (CausalLm policy = TinyModels.policy(6)) {
      Map<String, float[]> base = TinyModels.weights(policy);
      TrainingResult result =
          SftTrainer.builder(policy, tokenizer).config(config).build().train(examples);
      assertThat(policy.loraConfig()).contains(LORA);
      assertThat(result.finalLoss()).isLessThan(result.first("loss") - 0.3);
      assertThat(TinyModels.maxDifference(base, TinyModels.weights(policy))).isZero();
      policy.parameters().forEach((name, p) -> assertThat(p.hasGradient()).as(name).isFalse());
    }
  }

  @Test
  void adapterCheckpoint_loadsWithPeftAdapter_onItsBase_andGivesTheSameLogits(@TempDir Path dir) {
    Path baseDir = dir.resolve("base");
    try (CausalLm random = TinyModels.policy(7)) {
      random.save(baseDir);
    }
    float[] trained;
    Path checkpoints = dir.resolve("checkpoints");
    try (CausalLm policy = CausalLm.load(baseDir)) {
      DpoTrainer.builder(policy, tokenizer)
          .config(small().checkpointEvery(1).build())
          .checkpointDirectory(checkpoints)
          .build()
          .train(TinyModels.toyPairs(8));
      trained = TinyModels.logits(policy);
    }
    Path last = checkpoints.resolve("checkpoint-2");
    assertThat(last.resolve(PeftAdapter.CONFIG_FILE)).isRegularFile();
    assertThat(last.resolve(PeftAdapter.WEIGHTS_FILE)).isRegularFile();
    assertThat(last.resolve("model.safetensors")).doesNotExist();
    assertThat(last.resolve("tokenizer.json")).isRegularFile();
    String json = readString(last.resolve(PeftAdapter.CONFIG_FILE));
    assertThat(json).contains("\"base_model_name_or_path\" : \"" + baseDir + "\"");
    try (CausalLm base = CausalLm.load(baseDir)) {
      float[] before = TinyModels.logits(base);
      assertThat(PeftAdapter.load(base, last)).isEqualTo(LORA);
      float[] loaded = TinyModels.logits(base);
      assertThat(maxAbsDiff(loaded, trained)).isLessThan(1e-6);
      assertThat(maxAbsDiff(before, trained)).as("the adapter changed the logits")
          .isGreaterThan(1e-4);
    }
  }

  @Test
  void resumedLoraRun_endsWithTheAdapterOfAnUninterruptedOne(@TempDir Path dir) {
    DpoConfig config = small().lora(LORA.withDropout(0.1)).epochs(2).checkpointEvery(1).build();
    List<PreferencePair> pairs = TinyModels.toyPairs(8);
    Map<String, float[]> expected;
    List<Double> expectedLosses;
    try (CausalLm policy = TinyModels.policy(8)) {
      expectedLosses =
          losses(DpoTrainer.builder(policy, tokenizer).config(config).build().train(pairs));
      expected = adapter(policy);
    }
    Path checkpoints = dir.resolve("checkpoints");
    try (CausalLm policy = TinyModels.policy(8)) {
      assertThatThrownBy(
              () -> DpoTrainer.builder(policy, tokenizer).config(config)
                  .checkpointDirectory(checkpoints)
                  .listener(new ProgressListener() {
                    @Override
                    public void onStep(StepMetrics event) {
                      if (event.step() == 3) {
                        throw new KilledError();
                      }
                    }
                  })
                  .build().train(pairs))
          .isInstanceOf(KilledError.class);
    }
    assertThat(checkpoints.resolve("checkpoint-3")).isDirectory();
    try (CausalLm policy = TinyModels.policy(8)) {
      TrainingResult resumed =
          DpoTrainer.builder(policy, tokenizer).config(config).checkpointDirectory(checkpoints)
              .build().train(pairs);
      assertThat(losses(resumed)).containsExactlyElementsOf(expectedLosses);
      assertThat(TinyModels.maxDifference(expected, adapter(policy))).isZero();
    }
  }

  /** Stands for kill -9: not a RuntimeException, so listener isolation does not catch it. */
  private static final class KilledError extends Error {
    KilledError() {
      super("killed");
    }
  }

  @Test
  void memoryEstimate_countsTheAdapterOnly_andNoReferenceCopy() {
    List<PreferencePair> pairs = TinyModels.toyPairs(4);
    try (CausalLm policy = TinyModels.policy(1)) {
      long adapter = LORA.parameterCount(policy.config());
      for (ReferenceLogProbs scoring : ReferenceLogProbs.values()) {
        MemoryEstimate lora =
            DpoTrainer.builder(policy, tokenizer)
                .config(small().referenceScoring(scoring).build()).build().estimateMemory(pairs);
        MemoryEstimate full =
            DpoTrainer.builder(policy, tokenizer)
                .config(small().referenceScoring(scoring).noLora().build()).build()
                .estimateMemory(pairs);
        assertThat(lora.gradients()).as("%s", scoring).isEqualTo(4 * adapter);
        assertThat(lora.optimizerState()).isEqualTo(8 * adapter);
        assertThat(lora.weights()).isEqualTo(4 * (policy.numParameters() + adapter));
        assertThat(full.gradients()).isEqualTo(4 * policy.numParameters());
        assertThat(lora.total()).isLessThan(full.total());
      }
      // LIVE without LoRA holds a reference copy; with LoRA the base serves
      MemoryEstimate liveFull =
          DpoTrainer.builder(policy, tokenizer)
              .config(small().referenceScoring(ReferenceLogProbs.LIVE).noLora().build()).build()
              .estimateMemory(pairs);
      assertThat(liveFull.weights()).isEqualTo(2 * 4 * policy.numParameters());
    }
  }

  @Test
  void loraStepThatDoesNotFit_isRefusedBeforeTheAdapterIsAdded() {
    try (CausalLm policy = TinyModels.policy(1)) {
      DpoTrainer trainer =
          DpoTrainer.builder(policy, tokenizer).config(small().build())
              .availableMemory(dev.rlhf4j.models.memory.AvailableMemory.fixed(0)).build();
      int before = TinyModels.liveArrays();
      assertThatThrownBy(() -> trainer.train(TinyModels.toyPairs(4)))
          .isInstanceOf(dev.rlhf4j.models.memory.InsufficientMemoryException.class)
          .hasMessageStartingWith("DPO step (2 pairs x 2 x up to ");
      assertThat(policy.loraConfig()).as("no adapter allocated").isEmpty();
      assertThat(TinyModels.liveArrays()).isEqualTo(before);
    }
  }

  @Test
  void liveArrays_stayFlatOverManySteps_withTheAdapterOffReferenceScoredLive() {
    List<Integer> counts = new ArrayList<>();
    try (CausalLm policy = TinyModels.policy(1)) {
      DpoTrainer.builder(policy, tokenizer)
          .config(
              small().lora(LORA.withDropout(0.1)).microBatchSize(1).globalBatchSize(2).epochs(4)
                  .referenceScoring(ReferenceLogProbs.LIVE).build())
          .listener(
              new ProgressListener() {
                @Override
                public void onStep(StepMetrics event) {
                  counts.add(TinyModels.liveArrays());
                }
              })
          .build()
          .train(TinyModels.toyPairs(4));
    }
    assertThat(counts).hasSize(8);
    assertThat(counts.subList(1, counts.size())).containsOnly(counts.get(1));
  }

  @Test
  void mismatchedAdapter_orTrDpo_isRefused() {
    try (CausalLm policy = TinyModels.policy(1)) {
      policy.addLora(LoraConfig.of(2, 4, "q_proj"), 1);
      DpoTrainer trainer = DpoTrainer.builder(policy, tokenizer).config(small().build()).build();
      assertThatThrownBy(() -> trainer.train(TinyModels.toyPairs(4)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the policy already has a LoRA adapter")
          .hasMessageContaining("but the config asks for");
      DpoConfig sync =
          small().noLora().referenceScoring(ReferenceLogProbs.LIVE)
              .referenceSync(new ReferenceSync(0.6, 2)).build();
      assertThatThrownBy(
              () -> DpoTrainer.builder(policy, tokenizer).config(sync).build()
                  .train(TinyModels.toyPairs(4)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("drop referenceSync");
    }
    assertThatThrownBy(
            () -> small().referenceScoring(ReferenceLogProbs.LIVE)
                .referenceSync(new ReferenceSync(0.6, 2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("drop one of them");
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
