package dev.rlhf4j.reward.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.reward.Truncation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The settings both preference-pair trainers ({@code RewardTrainer} and {@code
 * PreferenceTrainer}) share: the pairs, the optimisation ({@link TrainingLoop}), the input length
 * and where to save. Each trainer's public builder extends this class, adds its own loss setting
 * and documents its defaults; {@link #settings()} freezes what was set. Each setter checks its own
 * range, {@link #settings()} the combinations. Not thread-safe.
 *
 * @param <B> the trainer's builder, returned by every setter
 */
public abstract class PairTrainerBuilder<B extends PairTrainerBuilder<B>> {
  private List<PreferencePair> trainPairs;
  private List<PreferencePair> evalPairs = List.of();
  private boolean evaluateBefore;
  private int epochs = 1;
  private double learningRate = 1e-5;
  private double warmupRatio = 0.03;
  private int microBatchSize;
  private int globalBatchSize = 32;
  private int maxLength;
  private boolean maxLengthSet;
  private Truncation truncation = Truncation.KEEP_END;
  private double maxGradNorm = 1.0;
  private double weightDecay;
  private long seed;
  private ProgressListener listener = ProgressListener.none();
  private Path outputDirectory;

  /**
   * @param defaultMicroBatchSize the trainer's default pairs per forward pass
   * @param defaultMaxLength the trainer's default tokens per rendered input
   */
  protected PairTrainerBuilder(int defaultMicroBatchSize, int defaultMaxLength) {
    this.microBatchSize = defaultMicroBatchSize;
    this.maxLength = defaultMaxLength;
  }

  /** This builder, as the trainer's builder type. */
  protected abstract B self();

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
   * Passes over the training pairs (default 1, as in the paper).
   *
   * @throws IllegalArgumentException if not positive
   */
  public B epochs(int value) {
    checkArgument(value > 0, "epochs must be > 0 but was %s", value);
    this.epochs = value;
    return self();
  }

  /**
   * The peak learning rate (default 1e-5; the paper uses 2e-6 for an 8B reward model).
   *
   * @throws IllegalArgumentException if not finite and &gt; 0
   */
  public B learningRate(double value) {
    checkArgument(
        value > 0 && Double.isFinite(value), "learningRate must be finite and > 0 but was %s",
        value);
    this.learningRate = value;
    return self();
  }

  /**
   * The fraction of steps spent warming up linearly before the cosine decay (default 0.03, as in
   * the paper).
   *
   * @throws IllegalArgumentException if outside [0, 1]
   */
  public B warmupRatio(double value) {
    checkArgument(value >= 0 && value <= 1, "warmupRatio must be in [0, 1] but was %s", value);
    this.warmupRatio = value;
    return self();
  }

  /**
   * Pairs per forward pass (the default is the trainer's).
   *
   * @throws IllegalArgumentException if not positive
   */
  public B microBatchSize(int value) {
    checkArgument(value > 0, "microBatchSize must be > 0 but was %s", value);
    this.microBatchSize = value;
    return self();
  }

  /**
   * Pairs per optimizer step (default 32), a multiple of the micro-batch size: the gradients of
   * {@code globalBatchSize / microBatchSize} micro-batches are accumulated.
   *
   * @throws IllegalArgumentException if not positive
   */
  public B globalBatchSize(int value) {
    checkArgument(value > 0, "globalBatchSize must be > 0 but was %s", value);
    this.globalBatchSize = value;
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
   * The gradient clipping threshold on the global norm (default 1.0, the Hugging Face Trainer's;
   * {@code +∞} disables clipping).
   *
   * @throws IllegalArgumentException if not &gt; 0
   */
  public B maxGradNorm(double value) {
    checkArgument(value > 0, "maxGradNorm must be > 0 (+Infinity = off) but was %s", value);
    this.maxGradNorm = value;
    return self();
  }

  /**
   * AdamW's decoupled weight decay (default 0).
   *
   * @throws IllegalArgumentException if negative or not finite
   */
  public B weightDecay(double value) {
    checkArgument(
        value >= 0 && Double.isFinite(value), "weightDecay must be finite and >= 0 but was %s",
        value);
    this.weightDecay = value;
    return self();
  }

  /** The seed of every random choice of the trainer (default 0). */
  public B seed(long value) {
    this.seed = value;
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
    checkArgument(
        globalBatchSize % microBatchSize == 0,
        "globalBatchSize %s must be a multiple of microBatchSize %s",
        globalBatchSize,
        microBatchSize);
    return new PairTrainingSettings(
        trainPairs, evalPairs, evaluateBefore, epochs, learningRate, warmupRatio, microBatchSize,
        globalBatchSize, length, truncation, maxGradNorm, weightDecay, seed, listener,
        Optional.ofNullable(outputDirectory));
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
