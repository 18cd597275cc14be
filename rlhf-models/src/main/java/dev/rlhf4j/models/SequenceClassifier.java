package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.TaskHead;
import dev.rlhf4j.models.internal.Backbone;
import dev.rlhf4j.models.internal.ParameterSpec;
import dev.rlhf4j.models.internal.WeightInit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A sequence classifier ({@code *ForSequenceClassification}): the transformer backbone and a
 * {@code score} head ({@code [num_labels, hidden]}, no bias) read at the last non-pad token of
 * each row. The last non-pad token is found from the attention mask, so left and right padding
 * give the same scores, and a pad id equal to EOS does not move the read-out. With one label it
 * is the Bradley–Terry reward model backbone: {@code r(x, a) = scores[:, 0]}.
 *
 * <p>See {@link TransformerModel} for the design, memory and threading rules. Owns native
 * memory: close it.
 */
public final class SequenceClassifier extends TransformerModel {
  private static final String SCORE = "score.weight";
  private static final Factory<SequenceClassifier> FACTORY =
      new Factory<>(
          SequenceClassifier::checkClassifier, SequenceClassifier::specs, SequenceClassifier::new);

  private final NDArray score;

  private SequenceClassifier(
      ModelConfig config,
      ModelOptions options,
      boolean trainable,
      BiFunction<ParameterSpec, NDManager, NDArray> source,
      Path origin) {
    super(config, options, trainable, headSpecs(config), source, origin);
    this.score = parameter(SCORE);
  }

  /**
   * The config with a {@code pad_token_id} even when this model's has none (a config copied from
   * a causal LM often has {@code null}): transformers' {@code *ForSequenceClassification} refuses
   * batches of more than one row without it, and reads the score at the last token that is not
   * the pad, so the id written is the smallest one that is not an EOS id. A pad id already set
   * is kept.
   */
  @Override
  ModelConfig configToSave() {
    ModelConfig config = config();
    if (config.padTokenId().isPresent()) {
      return config;
    }
    int pad = 0;
    while (config.eosTokenIds().contains(pad)) {
      pad++;
    }
    return config.toBuilder().padTokenId(java.util.OptionalInt.of(pad)).build();
  }

  static List<ParameterSpec> headSpecs(ModelConfig config) {
    return List.of(
        new ParameterSpec(
            SCORE, new Shape(config.numLabels(), config.hiddenSize()), ParameterSpec.Init.NORMAL));
  }

  private static List<ParameterSpec> specs(ModelConfig config) {
    List<ParameterSpec> all = new ArrayList<>(Backbone.specs(config));
    all.addAll(headSpecs(config));
    return all;
  }

  private static ModelConfig checkClassifier(ModelConfig config) {
    checkNotNull(config, "config");
    checkArgument(
        config.architecture().head() == TaskHead.SEQUENCE_CLASSIFICATION,
        "SequenceClassifier needs a *ForSequenceClassification architecture but config has %s",
        config.architecture().hfName());
    return config;
  }

  /**
   * A trainable classifier with Hugging Face-style random weights, FLOAT32 on the engine's
   * default device.
   *
   * @throws IllegalArgumentException if {@code config} is not a sequence-classification
   *     architecture
   */
  public static SequenceClassifier randomInit(ModelConfig config, long seed) {
    return randomInit(config, seed, ModelOptions.defaults());
  }

  /**
   * As {@link #randomInit(ModelConfig, long)} with the given device and element type.
   *
   * @throws IllegalArgumentException if {@code config} is not a sequence-classification
   *     architecture
   */
  public static SequenceClassifier randomInit(
      ModelConfig config, long seed, ModelOptions options) {
    return FACTORY.randomInit(config, seed, options);
  }

  /**
   * Loads a Hugging Face model directory ({@code config.json} and {@code model.safetensors} or
   * its shards), FLOAT32 on the engine's default device; BF16 and F16 weights are widened.
   *
   * @see #load(Path, ModelOptions)
   */
  public static SequenceClassifier load(Path directory) {
    return load(directory, ModelOptions.defaults());
  }

  /**
   * Loads a Hugging Face model directory into a trainable model with the given device and type.
   * {@link #save} of the result copies the directory's tokenizer files.
   *
   * <p>A PEFT adapter directory ({@code adapter_config.json} with {@code task_type "SEQ_CLS"}, no
   * {@code config.json}) loads as transformers' {@code AutoPeftModelForSequenceClassification}
   * does: the base its {@code base_model_name_or_path} names (a sequence classifier, or a causal
   * LM whose backbone is copied under a new head), with the adapter attached ({@link
   * PeftAdapter#load}) and the saved {@code score} head in place, so that the adapter trains on;
   * the model's {@link #origin()} is the base.
   *
   * @throws dev.rlhf4j.models.config.ModelConfigException if {@code config.json} names an
   *     unsupported architecture or lacks a required field (naming it)
   * @throws IllegalArgumentException if the architecture has the wrong head for this class
   * @throws dev.rlhf4j.models.checkpoint.CheckpointException if a tensor is missing, mis-shaped
   *     (naming it, the expected and the found shape) or unexpected, or the files are invalid
   * @throws java.io.UncheckedIOException if {@code config.json} cannot be read
   */
  public static SequenceClassifier load(Path directory, ModelOptions options) {
    return loadOrAdapter(directory, options, true);
  }

  /**
   * A model directory, or a PEFT adapter directory on its base: the base named by {@code
   * base_model_name_or_path} is either a {@code *ForSequenceClassification} directory or a
   * causal LM whose backbone is copied under a new head (what transformers' {@code
   * AutoModelForSequenceClassification} makes of a causal-LM checkpoint); the adapter's saved
   * {@code score} head then replaces that head. Trainable: the adapter is attached and trains on;
   * frozen: it is merged into the weights.
   */
  private static SequenceClassifier loadOrAdapter(
      Path directory, ModelOptions options, boolean trainable) {
    checkNotNull(directory, "directory");
    java.util.Optional<Path> base = PeftAdapter.baseModel(directory);
    if (base.isEmpty()) {
      return FACTORY.load(directory, options, trainable);
    }
    ModelConfig baseConfig = ModelConfig.read(base.get().resolve("config.json"));
    SequenceClassifier model;
    if (baseConfig.architecture().head() == TaskHead.SEQUENCE_CLASSIFICATION) {
      model = FACTORY.load(base.get(), options, trainable);
    } else {
      try (CausalLm lm = CausalLm.loadFrozen(base.get(), options)) {
        model = fromCausalLm(lm, PeftAdapter.savedNumLabels(directory), 0, trainable);
      }
    }
    return PeftAdapter.onBase(model, directory, trainable);
  }

  /**
   * Loads a Hugging Face model directory into a frozen model (no gradients): for scoring,
   * sampling and as a DPO reference, without the memory autograd would hold. Checks and errors as
   * {@link #load(Path, ModelOptions)}. A PEFT adapter directory loads as its base with the adapter
   * (and its score head) merged into the weights ({@link PeftAdapter#loadMerged}).
   */
  public static SequenceClassifier loadFrozen(Path directory, ModelOptions options) {
    return loadOrAdapter(directory, options, false);
  }

  /** {@link #loadFrozen(Path, ModelOptions)} with FLOAT32 on the engine's default device. */
  public static SequenceClassifier loadFrozen(Path directory) {
    return loadFrozen(directory, ModelOptions.defaults());
  }

  /**
   * A trainable classifier holding copies of {@code tensors} (by Hugging Face name).
   *
   * @throws IllegalArgumentException if {@code config} is not a sequence-classification
   *     architecture, or a tensor is missing, mis-shaped or unexpected (naming it)
   */
  public static SequenceClassifier fromStateDict(
      ModelConfig config, Map<String, NDArray> tensors, ModelOptions options) {
    return FACTORY.fromStateDict(config, tensors, options);
  }

  /**
   * A trainable classifier whose backbone is a copy of {@code lm}'s and whose {@code score} head
   * ({@code numLabels} rows) is drawn from {@code seed}: how a reward model starts from an SFT
   * policy. {@code lm} is left unchanged. The classifier's {@link #origin()} is the LM's (the
   * directory its backbone came from), so that a LoRA adapter saved on it names that base in
   * {@code base_model_name_or_path}, as PEFT does for a sequence-classification adapter on a
   * causal-LM checkpoint.
   *
   * @throws IllegalArgumentException if {@code numLabels <= 0}
   * @throws IllegalStateException if {@code lm} is closed
   */
  public static SequenceClassifier fromCausalLm(CausalLm lm, int numLabels, long seed) {
    return fromCausalLm(lm, numLabels, seed, true);
  }

  private static SequenceClassifier fromCausalLm(
      CausalLm lm, int numLabels, long seed, boolean trainable) {
    checkNotNull(lm, "lm");
    checkArgument(numLabels > 0, "numLabels must be > 0 but was %s", numLabels);
    ModelConfig config =
        lm.config()
            .withArchitecture(lm.config().architecture().withHead(TaskHead.SEQUENCE_CLASSIFICATION))
            .toBuilder()
            .numLabels(numLabels)
            .build();
    ModelOptions options = lm.options();
    try (NDManager scratch = NDManager.newBaseManager(options.device())) {
      Map<String, NDArray> tensors = new LinkedHashMap<>(lm.stateDict(scratch));
      tensors.remove("lm_head.weight");
      ParameterSpec head = headSpecs(config).get(0);
      tensors.put(
          head.name(),
          WeightInit.create(
              head, seed, config.initializerRange(), config.numLayers(), scratch,
              options.dataType()));
      checkClassifier(config);
      return new SequenceClassifier(
          config, options, trainable, copySource(tensors, specs(config), options),
          lm.origin().orElse(null));
    }
  }

  /**
   * Scores a batch of padded sequences at each row's last non-pad token.
   *
   * @param ids {@code [B, T]} token ids
   * @param attentionMask {@code [B, T]}, 1 for real tokens, 0 for padding (either side); every
   *     row needs at least one real token
   * @return scores {@code [B, numLabels]} and the pooled hidden states, in the ids' manager
   * @throws IllegalArgumentException if the shapes disagree or a row has no real token
   * @throws IllegalStateException if the model is closed
   */
  public ClassifierOutput forward(NDArray ids, NDArray attentionMask) {
    NDManager caller = checkNotNull(ids, "ids").getManager();
    try (NDManager scope = caller.newSubManager()) {
      NDArray hidden = hiddenStates(ids, attentionMask, null, null, scope);
      NDArray mask = attentionMask.toType(DataType.INT64, true);
      mask.attach(scope);
      long emptyRows = mask.sum(new int[] {1}).eq(0).sum().getLong();
      checkArgument(emptyRows == 0, "%s rows of attentionMask have no real token", emptyRows);
      long t = mask.getShape().get(1);
      NDArray slots = scope.arange(0, (int) t, 1, DataType.INT64);
      NDArray last = mask.mul(slots).argMax(1);
      NDArray onehot =
          last.expandDims(1).eq(slots.expandDims(0)).toType(options().dataType(), false);
      NDArray pooled = onehot.expandDims(1).matMul(hidden).squeeze(1);
      NDArray scores = pooled.getNDArrayInternal().linear(pooled, score, null).singletonOrThrow();
      scores.attach(caller);
      pooled.attach(caller);
      return new ClassifierOutput(scores, pooled);
    }
  }

  /**
   * An independent, frozen copy (no gradients, its own memory).
   *
   * @throws IllegalStateException if the model is closed
   */
  public SequenceClassifier copyFrozen() {
    checkOpen();
    return new SequenceClassifier(
        config(),
        options(),
        false,
        copySource(parameters(), specs(config()), options()),
        origin().orElse(null));
  }

  /** The score head trains beside a LoRA adapter (PEFT's {@code modules_to_save = ["score"]}). */
  @Override
  java.util.Set<String> adapterHeads() {
    return java.util.Set.of(SCORE);
  }
}
