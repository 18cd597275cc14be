package dev.rlhf4j.reward.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.StageStarted;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.losses.PairwisePreferenceLoss;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.PeftAdapter;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.InsufficientMemoryException;
import dev.rlhf4j.reward.PreferenceModels;
import dev.rlhf4j.reward.TinyModels;
import dev.rlhf4j.reward.train.PairTrainingResult;
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
 * LoRA in the pairwise preference trainer: only a causal-LM adapter trains, the base stays
 * bit-identical, the output is a PEFT CAUSAL_LM adapter directory that loads back as a preference
 * model judging the same.
 */
class LoraPreferenceTrainingTest {
  @TempDir Path dir;

  private static final LoraConfig LORA = new LoraConfig(4, 8, 0, LoraConfig.LLAMA_ALL_LINEAR);
  private static final LoraConfig RANK_16 = new LoraConfig(16, 32, 0, LoraConfig.LLAMA_ALL_LINEAR);
  private static final String GOOD = "abcd";
  private static final String BAD = "wxyz";

  private static List<PreferencePair> pairs(int n, Random random) {
    List<PreferencePair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          PreferencePair.of(
              List.of(Message.user("pick")),
              String.valueOf(GOOD.charAt(random.nextInt(GOOD.length()))),
              String.valueOf(BAD.charAt(random.nextInt(BAD.length())))));
    }
    return out;
  }

  private Path lmDirectory() {
    Path saved = dir.resolve("sft");
    try (CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(32, 1), 2, ModelOptions.cpu())) {
      lm.save(saved);
    }
    return TinyModels.writeTokenizer(saved, TinyModels.Variant.DISTINCT_PAD);
  }

  private static List<Comparison> comparisons() {
    List<Comparison> out = new ArrayList<>();
    for (char g : GOOD.toCharArray()) {
      for (char b : BAD.toCharArray()) {
        out.add(new Comparison(List.of(Message.user("pick")), "" + g, "" + b));
        out.add(new Comparison(List.of(Message.user("pick")), "" + b, "" + g));
      }
    }
    return out;
  }

  @Test
  void loraPreferenceTraining_trainsTheAdapterOnly_keepsTheBase_learns_andReloads()
      throws Exception {
    Random random = new Random(1);
    List<PreferencePair> train = pairs(256, random);
    List<PreferencePair> heldOut = pairs(64, random);
    Path sft = lmDirectory();
    Path out = dir.resolve("pm-adapter");
    List<Double> losses = new ArrayList<>();
    double[] trained;
    // loaded frozen (weights only): a frozen LM trains an adapter without gradient arrays
    try (LmPreferenceModel pm =
        PreferenceModels.lm(sft).modelOptions(ModelOptions.cpu()).build()) {
      Map<String, float[]> before = new HashMap<>();
      pm.lm().parameters().forEach((name, p) -> before.put(name, p.toFloatArray()));
      PairTrainingResult result =
          PreferenceTrainer.builder(pm)
              .trainPairs(train)
              .evalPairs(heldOut)
              .evaluateBeforeTraining(true)
              .lora(RANK_16)
              .epochs(4)
              .learningRate(1e-2)
              .softmax(PairwisePreferenceLoss.Softmax.ANSWER_TOKENS)
              .microBatchSize(16)
              .globalBatchSize(32)
              .seed(3)
              .outputDirectory(out)
              .listener(
                  new ProgressListener() {
                    @Override
                    public void onStep(StepMetrics event) {
                      losses.add(event.get("loss"));
                    }
                  })
              .build()
              .train();
      System.out.println("LoRA preference model: " + result);

      assertThat(pm.lm().trainableParameters().keySet()).allMatch(n -> n.contains(".lora_"));
      pm.lm().parameters().forEach((name, p) -> {
        assertThat(p.hasGradient()).as("frozen %s", name).isFalse();
        assertThat(p.toFloatArray()).as("base %s", name).isEqualTo(before.get(name));
      });
      pm.lm().loraParameters().values().forEach(p -> assertThat(p.hasGradient()).isTrue());
      assertThat(result.trainLoss().get(3)).isLessThan(result.trainLoss().get(0));
      assertThat(result.finalHeldOutAccuracy().getAsDouble())
          .isGreaterThan(result.heldOutAccuracyBefore().getAsDouble() + 0.2);
      trained = pm.probabilityFirstPreferred(comparisons());
    }

    JsonNode config = new ObjectMapper().readTree(out.resolve(PeftAdapter.CONFIG_FILE).toFile());
    assertThat(config.get("task_type").asText()).isEqualTo("CAUSAL_LM");
    assertThat(Path.of(config.get("base_model_name_or_path").asText())).isEqualTo(sft);
    assertThat(out.resolve("config.json")).doesNotExist();
    assertThat(out.resolve("tokenizer.json")).exists();
    try (LmPreferenceModel attached =
            PreferenceModels.lm(out).modelOptions(ModelOptions.cpu()).trainable(true).build();
        LmPreferenceModel merged =
            PreferenceModels.lm(out).modelOptions(ModelOptions.cpu()).build()) {
      double[] a = attached.probabilityFirstPreferred(comparisons());
      double[] m = merged.probabilityFirstPreferred(comparisons());
      for (int i = 0; i < trained.length; i++) {
        assertThat(a[i]).as("adapter attached, comparison %s", i)
            .isCloseTo(trained[i], within(1e-6));
        assertThat(m[i]).as("merged at load, comparison %s", i).isCloseTo(trained[i], within(1e-5));
      }
    }
  }

  @Test
  void saveMerged_writesAPlainDirectory_thatJudgesTheSame() {
    List<PreferencePair> train = pairs(32, new Random(2));
    Path sft = lmDirectory();
    Path out = dir.resolve("pm-merged");
    double[] trained;
    try (LmPreferenceModel pm =
        PreferenceModels.lm(sft).modelOptions(ModelOptions.cpu()).build()) {
      PreferenceTrainer.builder(pm).trainPairs(train).lora(LORA).learningRate(2e-2)
          .microBatchSize(16).globalBatchSize(32).saveMerged(true).outputDirectory(out)
          .build().train();
      trained = pm.probabilityFirstPreferred(comparisons());
    }
    assertThat(out.resolve("config.json")).exists();
    assertThat(out.resolve(PeftAdapter.CONFIG_FILE)).doesNotExist();
    try (LmPreferenceModel loaded =
        PreferenceModels.lm(out).modelOptions(ModelOptions.cpu()).build()) {
      assertThat(loaded.lm().loraConfig()).isEmpty();
      double[] m = loaded.probabilityFirstPreferred(comparisons());
      for (int i = 0; i < trained.length; i++) {
        assertThat(m[i]).as("comparison %s", i).isCloseTo(trained[i], within(1e-5));
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

  /** The smallest budget {@code train()} accepts, by bisection on the trainer's own check. */
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
  void memoryRefusal_withLora_countsOnlyTheAdapter() {
    List<PreferencePair> train = pairs(16, new Random(3));
    Path sft = lmDirectory();
    try (LmPreferenceModel full =
            PreferenceModels.lm(sft).modelOptions(ModelOptions.cpu()).trainable(true).build();
        LmPreferenceModel lora =
            PreferenceModels.lm(sft).modelOptions(ModelOptions.cpu()).build()) {
      long all = full.lm().numParameters();
      long adapter = LORA.parameterCount(full.lm().config());
      long fullNeeds =
          smallestAcceptedBudget(
              bytes -> () -> PreferenceTrainer.builder(full).trainPairs(train).microBatchSize(8)
                  .globalBatchSize(8).availableMemory(AvailableMemory.fixed(bytes))
                  .listener(STOP_AT_START).build().train());
      long loraNeeds =
          smallestAcceptedBudget(
              bytes -> () -> PreferenceTrainer.builder(lora).trainPairs(train).microBatchSize(8)
                  .globalBatchSize(8).lora(LORA).availableMemory(AvailableMemory.fixed(bytes))
                  .listener(STOP_AT_START).build().train());
      // a gradient (4 bytes) and two AdamW moments (8) per scalar that no longer trains, plus
      // the gradient of the vocabulary projection full fine-tuning trains (a few KiB here), less
      // the adapter's rank-sized intermediates for each token of the 8 rows
      long optimiser = 12 * (all - adapter);
      long adapterKeeps =
          8L * lora.maxLength() * LORA.trainingActivationBytesPerToken(full.lm().config(), 4);
      assertThat(fullNeeds - loraNeeds)
          .isBetween(optimiser - adapterKeeps, optimiser + optimiser / 10);

      AvailableMemory between = AvailableMemory.fixed((fullNeeds + loraNeeds) / 2);
      assertThatThrownBy(
              () -> PreferenceTrainer.builder(full).trainPairs(train).microBatchSize(8)
                  .globalBatchSize(8).availableMemory(between).build().train())
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageContaining("preference model step");
      PairTrainingResult result =
          PreferenceTrainer.builder(lora).trainPairs(train).lora(LORA).microBatchSize(8)
              .globalBatchSize(8).availableMemory(between).build().train();
      assertThat(result.steps()).isEqualTo(2);
    }
  }
}
