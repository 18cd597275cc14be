package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.onnx.OnnxRewardModel;
import dev.rlhf4j.reward.preference.LmPreferenceModel;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * A serialisable description of a scoring model that executors load themselves: the engine, the
 * model directory every executor can read, and the batch options. {@link SparkRewardModel} and
 * {@link SparkPreferenceModel} send it with each task; each executor JVM loads the model once.
 *
 * @param engine how to load the directory
 * @param location the model directory (see {@link ModelStore})
 * @param maxBatchSize sequences per forward pass on an executor, or 0 for the engine's default
 *     ({@link DjlRewardModel#DEFAULT_MAX_BATCH_SIZE}, 16 for ONNX, {@link
 *     LmPreferenceModel#DEFAULT_MAX_BATCH_SIZE})
 * @param maxLength tokens per input for the DJL engines, or 0 for their default; ONNX takes the
 *     tokenised length as it is
 */
public record ScoringModelSpec(Engine engine, ModelLocation location, int maxBatchSize,
    int maxLength) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The engines executors can load a scoring model with. */
  public enum Engine {
    /** {@link DjlRewardModel#fromDirectory}: a Hugging Face sequence-classification directory. */
    DJL_REWARD,
    /**
     * {@link OnnxRewardModel#builder}: a directory with {@code model.onnx} and the tokenizer
     * files (with a chat template) of the model it was exported from.
     */
    ONNX_REWARD,
    /** {@link LmPreferenceModel#fromDirectory}: a causal LM read as a pairwise judge. */
    LM_PREFERENCE
  }

  /**
   * @throws IllegalArgumentException if engine or location is null or a size is negative
   */
  public ScoringModelSpec {
    checkArgument(engine != null, "engine must not be null");
    checkArgument(location != null, "location must not be null");
    checkArgument(maxBatchSize >= 0, "maxBatchSize must be >= 0 (0: default) but was %s",
        maxBatchSize);
    checkArgument(maxLength >= 0, "maxLength must be >= 0 (0: default) but was %s", maxLength);
  }

  /**
   * What executors score with, by content: the model directory's content fingerprint ({@link
   * ModelLocation#fingerprint}, not its URI, so a model copied to another store is the same
   * model), the engine and the size settings. The loop records it in {@code run.json} and refuses
   * to resume with a different one.
   */
  public Fingerprint fingerprint() {
    TreeMap<String, String> parts = new TreeMap<>();
    parts.put("content", location.fingerprint());
    parts.put("setting:engine", engine.name());
    parts.put("setting:maxBatchSize", Integer.toString(maxBatchSize));
    parts.put("setting:maxLength", Integer.toString(maxLength));
    return new Fingerprint(parts);
  }

  /** A DJL reward model at {@code location} with the engine's defaults. */
  public static ScoringModelSpec djlReward(ModelLocation location) {
    return new ScoringModelSpec(Engine.DJL_REWARD, location, 0, 0);
  }

  /** An ONNX Runtime reward model at {@code location} with the engine's defaults. */
  public static ScoringModelSpec onnxReward(ModelLocation location) {
    return new ScoringModelSpec(Engine.ONNX_REWARD, location, 0, 0);
  }

  /** A DJL LM-as-judge preference model at {@code location} with the engine's defaults. */
  public static ScoringModelSpec lmPreference(ModelLocation location) {
    return new ScoringModelSpec(Engine.LM_PREFERENCE, location, 0, 0);
  }

  /**
   * This spec with another batch size.
   *
   * @throws IllegalArgumentException if value is negative
   */
  public ScoringModelSpec withMaxBatchSize(int value) {
    return new ScoringModelSpec(engine, location, value, maxLength);
  }

  /**
   * This spec with another maximum length.
   *
   * @throws IllegalArgumentException if value is negative
   */
  public ScoringModelSpec withMaxLength(int value) {
    return new ScoringModelSpec(engine, location, maxBatchSize, value);
  }

  /**
   * Loads the reward model from the local directory {@code directory} (an executor's copy of
   * {@link #location()}). The caller closes it.
   *
   * @throws IllegalStateException if the engine is a preference model
   * @throws dev.rlhf4j.api.Rlhf4jException if the engine cannot load it
   */
  public RewardModel openReward(Path directory) {
    switch (engine) {
      case DJL_REWARD -> {
        DjlRewardModel.Builder b = DjlRewardModel.fromDirectory(directory);
        if (maxBatchSize > 0) {
          b.maxBatchSize(maxBatchSize);
        }
        if (maxLength > 0) {
          b.maxLength(maxLength);
        }
        return b.build();
      }
      case ONNX_REWARD -> {
        HfTokenizer tokenizer = HfTokenizer.load(directory);
        try {
          OnnxRewardModel.Builder b = OnnxRewardModel.builder(directory).tokenizer(tokenizer);
          if (maxBatchSize > 0) {
            b.maxBatchSize(maxBatchSize);
          }
          OnnxRewardModel model = b.build();
          return new RewardModel() {
            @Override
            public double[] score(java.util.List<dev.rlhf4j.api.feedback.ScoreRequest> batch) {
              return model.score(batch);
            }

            @Override
            public void close() {
              try {
                model.close();
              } finally {
                tokenizer.close();
              }
            }
          };
        } catch (RuntimeException e) {
          tokenizer.close();
          throw e;
        }
      }
      default -> throw new IllegalStateException(
          engine + " is a preference model: use SparkPreferenceModel");
    }
  }

  /**
   * Loads the preference model from the local directory {@code directory}. The caller closes it.
   *
   * @throws IllegalStateException if the engine is a reward model
   * @throws dev.rlhf4j.api.Rlhf4jException if the engine cannot load it
   */
  public PreferenceModel openPreference(Path directory) {
    if (engine != Engine.LM_PREFERENCE) {
      throw new IllegalStateException(engine + " is a reward model: use SparkRewardModel");
    }
    LmPreferenceModel.Builder b = LmPreferenceModel.fromDirectory(directory);
    if (maxBatchSize > 0) {
      b.maxBatchSize(maxBatchSize);
    }
    if (maxLength > 0) {
      b.maxLength(maxLength);
    }
    return b.build();
  }
}
