package dev.rlhf4j.reward.internal;

import dev.rlhf4j.models.memory.AvailableMemory;
import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.models.LoraConfig;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.reward.Truncation;
import dev.rlhf4j.training.Optimization;
import dev.rlhf4j.training.OptimizationBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The settings both preference-pair trainers ({@code RewardTrainer} and {@code
 * PreferenceTrainer}) share: the pairs, the input length, where to save and checkpoint; the
 * optimisation setters are {@link OptimizationBuilder}'s. Each trainer's public builder extends this class, adds its own loss setting
 * and documents its defaults; {@link #settings(ModelConfig)} freezes what was set. Each setter checks its own
 * range, {@link #settings(ModelConfig)} the combinations. Not thread-safe.
 *
 * @param <B> the trainer's builder, returned by every setter
 */
public abstract class PairTrainerBuilder<B extends PairTrainerBuilder<B>>
    extends OptimizationBuilder<B> {
  private List<PreferencePair> trainPairs;
  private List<PreferencePair> evalPairs = List.of();
  private boolean evaluateBefore;
  private int maxLength;
  private boolean maxLengthSet;
  private Truncation truncation = Truncation.KEEP_END;
  private ProgressListener listener = ProgressListener.none();
  private Path outputDirectory;
  private Path checkpointDirectory;
  private AvailableMemory availableMemory = AvailableMemory.system();
  private LoraConfig lora;
  private boolean saveMerged;

  /**
   * @param defaultMicroBatchSize the trainer's default pairs per forward pass
   * @param defaultMaxLength the trainer's default tokens per rendered input
   */
  protected PairTrainerBuilder(int defaultMicroBatchSize, int defaultMaxLength) {
    super(
        Optimization.defaults().toBuilder()
            .learningRate(1e-5)
            .epochs(1)
            .warmupRatio(0.03)
            .microBatchSize(defaultMicroBatchSize)
            .globalBatchSize(32)
            .seed(0)
            .build());
    this.maxLength = defaultMaxLength;
  }

  /**
   * The training pairs (required; copied).
   *
   * @throws IllegalArgumentException if null, empty or holding a null
   */
  public B trainPairs(Iterable<PreferencePair> pairs) {
    this.trainPairs = copy("trainPairs", pairs);
    checkArgument(!trainPairs.isEmpty(), "trainPairs must not be empty");
    return self();
  }

  /**
   * Held-out pairs whose accuracy is measured after each epoch (default none; copied).
   *
   * @throws IllegalArgumentException if null or holding a null
   */
  public B evalPairs(Iterable<PreferencePair> pairs) {
    this.evalPairs = copy("evalPairs", pairs);
    return self();
  }

  /** Whether to measure the held-out accuracy before the first step too (default false). */
  public B evaluateBeforeTraining(boolean value) {
    this.evaluateBefore = value;
    return self();
  }

  /**
   * Tokens per rendered input (the default is the trainer's model's, capped at the model's
   * {@code max_position_embeddings}); a value above the model's {@code
   * max_position_embeddings} is refused by {@code build()}.
   *
   * @throws IllegalArgumentException if not positive
   */
  public B maxLength(int value) {
    checkArgument(value > 0, "maxLength must be > 0 but was %s", value);
    this.maxLength = value;
    this.maxLengthSet = true;
    return self();
  }

  /**
   * What happens to longer inputs (default {@link Truncation#KEEP_END}).
   *
   * @throws IllegalArgumentException if null
   */
  public B truncation(Truncation value) {
    checkArgument(value != null, "truncation must not be null");
    this.truncation = value;
    return self();
  }

  /**
   * Trains a LoRA adapter (Hu et al. 2021) on the backbone's {@link LoraConfig#targetModules()
   * linear layers} instead of every weight (default: none, full fine-tuning), as {@code
   * DpoConfig.Builder.lora} does for DPO. {@code train()} adds the adapter when the model has
   * none (A drawn from the seed, B zero, so training starts at the model's scores) and trains the
   * one it has otherwise (it must have these settings); the base is frozen: no gradient arrays,
   * no AdamW state, and the memory check counts only what trains. What trains beside the adapter
   * is the trainer's to say (a reward model's score head, PEFT's {@code modules_to_save}). A
   * model that already carries an adapter (e.g. loaded from a PEFT directory) trains its adapter
   * without this setting. For example {@code lora(new LoraConfig(16, 32, 0.05,
   * LoraConfig.LLAMA_ALL_LINEAR))}.
   *
   * @throws IllegalArgumentException if null
   */
  public B lora(LoraConfig value) {
    checkArgument(value != null, "lora must not be null");
    this.lora = value;
    return self();
  }

  /** Back to full fine-tuning (no adapter added), the default. */
  public B noLora() {
    this.lora = null;
    return self();
  }

  /**
   * With a LoRA adapter, whether the {@link #outputDirectory output directory} receives the model
   * with the adapter merged into its weights, a plain Hugging Face directory (PEFT's {@code
   * merge_and_unload}), rather than the PEFT adapter directory (default false: the adapter).
   * Checkpoints are always adapter directories. No effect without an adapter.
   */
  public B saveMerged(boolean value) {
    this.saveMerged = value;
    return self();
  }

  /**
   * Receives {@link Stage#REWARD_TRAINING} events: stage started, one {@code StepMetrics} per
   * optimizer step (the trainer's metrics, {@code grad_norm}, {@code learning_rate} and {@code
   * epoch}), stage finished. A listener that throws is logged and ignored.
   *
   * @throws IllegalArgumentException if null
   */
  public B listener(ProgressListener value) {
    checkArgument(value != null, "listener must not be null");
    this.listener = value;
    return self();
  }

  /**
   * Where to save the trained model as a Hugging Face directory (default: not saved).
   *
   * @throws IllegalArgumentException if null
   */
  public B outputDirectory(Path value) {
    checkArgument(value != null, "outputDirectory must not be null");
    this.outputDirectory = value;
    return self();
  }

  /**
   * Where mid-training checkpoints go, every {@code checkpointEvery} steps (default: none): the
   * model as the output directory would receive it, and the loop's state. A trainer that finds
   * checkpoints of the same run there resumes from the newest and ends as an uninterrupted run.
   *
   * @throws IllegalArgumentException if null
   */
  public B checkpointDirectory(Path value) {
    checkArgument(value != null, "checkpointDirectory must not be null");
    this.checkpointDirectory = value;
    return self();
  }

  /**
   * What the check before training compares the step's memory estimate with (default {@link
   * AvailableMemory#system()}: physical memory and the cgroup limit). {@code train()} refuses a
   * micro-batch that would not fit with {@link
   * dev.rlhf4j.models.memory.InsufficientMemoryException}, before anything is allocated.
   *
   * @throws IllegalArgumentException if null
   */
  public B availableMemory(AvailableMemory value) {
    checkArgument(value != null, "availableMemory must not be null");
    this.availableMemory = value;
    return self();
  }

  /**
   * Takes the input settings of the scoring model the trainer was built from as defaults, so a
   * model and its trainer never disagree on the maximum length: {@link #maxLength} and {@link
   * #truncation} still override them.
   */
  protected final void inputDefaults(int modelMaxLength, Truncation modelTruncation) {
    checkArgument(modelMaxLength > 0, "modelMaxLength must be > 0 but was %s", modelMaxLength);
    checkArgument(modelTruncation != null, "modelTruncation must not be null");
    this.maxLength = modelMaxLength;
    this.truncation = modelTruncation;
  }

  /**
   * Refuses a model that cannot train unless a LoRA adapter is to be added to it.
   *
   * @param trainable whether the model records gradients as it stands
   * @param message what to say otherwise
   * @throws IllegalArgumentException if it is frozen and {@link #lora} is not set
   */
  protected final void requireTrainable(boolean trainable, String message) {
    checkArgument(trainable || lora != null, message);
  }

  /**
   * The settings as they stand, checked together.
   *
   * @param model the configuration of the model to train
   * @throws IllegalArgumentException if no training pairs were given, the global batch size is
   *     not a multiple of the micro-batch size, or the maximum length set exceeds the model's
   *     {@code max_position_embeddings}
   */
  protected PairTrainingSettings settings(ModelConfig model) {
    int length = maxLength;
    if (maxLengthSet) {
      model.checkLength("maxLength", maxLength);
    } else {
      length = Math.min(maxLength, model.maxPositionEmbeddings());
    }
    checkArgument(trainPairs != null, "trainPairs must be set");
    return new PairTrainingSettings(
        trainPairs, evalPairs, evaluateBefore, optimization(), length, truncation, listener,
        Optional.ofNullable(lora), saveMerged,
        Optional.ofNullable(outputDirectory), Optional.ofNullable(checkpointDirectory),
        availableMemory);
  }

  private static List<PreferencePair> copy(String name, Iterable<PreferencePair> pairs) {
    checkArgument(pairs != null, "%s must not be null", name);
    List<PreferencePair> out = new ArrayList<>();
    for (PreferencePair p : pairs) {
      checkArgument(p != null, "%s[%s] must not be null", name, out.size());
      out.add(p);
    }
    return List.copyOf(out);
  }
}
