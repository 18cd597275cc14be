package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.ModelFamily;
import dev.rlhf4j.models.internal.AttentionBias;
import dev.rlhf4j.models.internal.Backbone;
import dev.rlhf4j.models.internal.KvBuffers;
import dev.rlhf4j.models.internal.LoraLinears;
import dev.rlhf4j.models.internal.ParameterSpec;
import dev.rlhf4j.models.internal.WeightInit;
import dev.rlhf4j.models.checkpoint.Checkpoint;
import dev.rlhf4j.models.checkpoint.CheckpointException;
import dev.rlhf4j.models.checkpoint.SafetensorsWriter;
import dev.rlhf4j.models.checkpoint.StorageType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face-compatible decoder-only transformer held as named parameter arrays: the shared
 * part of {@link CausalLm} and {@link SequenceClassifier}.
 *
 * <p><b>Design.</b> The layers are plain NDArray operations on parameter arrays that carry
 * {@code setRequiresGradient(true)} (when trainable), rather than DJL {@code Block}s: a training
 * step opens a {@code GradientCollector}, runs {@code forward}, calls {@code backward} and reads
 * each parameter's {@code getGradient()}; there is no DJL {@code Model}/{@code Trainer} to set
 * up, parameter names are Hugging Face's tensor names, and weights load in place. DJL lacks
 * RMSNorm, rotary embeddings, the causal mask and a KV cache; they are written here.
 *
 * <p><b>Memory.</b> The model owns one {@link NDManager} holding its parameters and constants;
 * {@link #close()} frees them. Each forward pass works in a sub-manager of the input ids'
 * manager, moves its outputs to that manager and closes everything else, so repeated forwards do
 * not accumulate native arrays. Closing intermediate arrays does not break {@code backward}: the
 * engine's autograd graph keeps what it needs.
 *
 * <p><b>Threads.</b> Forward passes may run concurrently (each with its own inputs and cache);
 * {@link #loadStateDict} and {@link #close} must not overlap with anything else.
 */
public abstract sealed class TransformerModel implements AutoCloseable
    permits CausalLm, SequenceClassifier {

  private static final String LM_HEAD = "lm_head.weight";
  private static final String GPT2_PREFIX = "transformer.";
  private static final String GPT2_EMBEDDING = "transformer.wte.weight";
  private static final String LLAMA_EMBEDDING = "model.embed_tokens.weight";

  /** Files next to the weights that a saved directory carries over from its origin. */
  private static final List<String> COMPANION_FILES =
      List.of(
          "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json",
          "merges.txt", "tokenizer.model", "added_tokens.json", "chat_template.jinja",
          "generation_config.json");

  /** Tensors in Hugging Face checkpoints that are buffers, not parameters: skipped on load. */
  private static final Pattern IGNORED =
      Pattern.compile(".*(rotary_emb\\.inv_freq|\\.attn\\.bias|\\.attn\\.masked_bias)$");

  private final ModelConfig config;
  private final ModelOptions options;
  private final boolean trainable;
  private final NDManager manager;
  private final Map<String, NDArray> parameters;
  private final Map<String, Shape> shapes;
  private final Backbone backbone;
  private final LoraLinears lora = new LoraLinears();
  private final Set<String> frozen = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile LoraConfig loraConfig;
  private volatile Map<String, NDArray> loraParameters = Map.of();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Path origin;

  /**
   * Creates the parameters of {@code config} (backbone then {@code headSpecs}), each made by
   * {@code source} in the model's manager.
   */
  TransformerModel(
      ModelConfig config,
      ModelOptions options,
      boolean trainable,
      List<ParameterSpec> headSpecs,
      BiFunction<ParameterSpec, NDManager, NDArray> source,
      Path origin) {
    this.config = checkNotNull(config, "config");
    this.origin = origin;
    this.options = checkNotNull(options, "options");
    this.trainable = trainable;
    this.manager = NDManager.newBaseManager(options.device());
    manager.setName(config.architecture().hfName());
    try {
      List<ParameterSpec> specs = new ArrayList<>(Backbone.specs(config));
      specs.addAll(headSpecs);
      Map<String, NDArray> params = new LinkedHashMap<>();
      Map<String, Shape> specShapes = new LinkedHashMap<>();
      for (ParameterSpec spec : specs) {
        NDArray array = source.apply(spec, manager);
        array.setName(spec.name());
        if (trainable) {
          array.setRequiresGradient(true);
        }
        params.put(spec.name(), array);
        specShapes.put(spec.name(), spec.shape());
      }
      this.parameters = Collections.unmodifiableMap(params);
      this.shapes = Collections.unmodifiableMap(specShapes);
      this.backbone = Backbone.bind(config, parameters, manager, options.dataType(), lora);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** A source drawing HF-style random weights from {@code seed}. */
  static BiFunction<ParameterSpec, NDManager, NDArray> randomSource(
      ModelConfig config, long seed, ModelOptions options) {
    return (spec, m) ->
        WeightInit.create(
            spec, seed, config.initializerRange(), config.numLayers(), m, options.dataType());
  }

  /**
   * A source copying tensors from {@code tensors} (any manager, type or device), after checking
   * that every expected tensor is present with its shape and no unexpected one is.
   */
  static BiFunction<ParameterSpec, NDManager, NDArray> copySource(
      Map<String, NDArray> tensors, List<ParameterSpec> specs, ModelOptions options) {
    checkTensors(expectedShapes(specs), shapesOf(tensors));
    return (spec, m) -> {
      NDArray copy = detachedCopy(tensors.get(spec.name()), options);
      copy.attach(m);
      return copy;
    };
  }

  /** The configuration. */
  public ModelConfig config() {
    return config;
  }

  /** The device and element type of the parameters. */
  public ModelOptions options() {
    return options;
  }

  /**
   * Whether anything records gradients: {@code false} for frozen copies and for a model whose
   * every parameter was frozen; {@code true} with a LoRA adapter (only the adapter trains).
   */
  public boolean isTrainable() {
    return loraConfig != null || (trainable && frozen.size() < parameters.size());
  }

  /**
   * What an optimiser updates: the adapter's A and B arrays when a LoRA adapter is attached (the
   * base is frozen), else the parameters not frozen by {@link #freeze}, or nothing for a frozen
   * model. Names are Hugging Face's, and for an adapter PEFT's without the {@code
   * base_model.model.} prefix ({@code model.layers.0.self_attn.q_proj.lora_A.weight}). The map
   * is unmodifiable; the arrays belong to the model.
   *
   * @throws IllegalStateException if the model is closed
   */
  public Map<String, NDArray> trainableParameters() {
    checkOpen();
    if (loraConfig != null) {
      if (adapterHeads().isEmpty()) {
        return loraParameters;
      }
      Map<String, NDArray> withHead = new LinkedHashMap<>(loraParameters);
      adapterHeads().forEach(name -> withHead.put(name, parameters.get(name)));
      return Collections.unmodifiableMap(withHead);
    }    if (!trainable) {
      return Map.of();
    }
    Map<String, NDArray> open = new LinkedHashMap<>();
    parameters.forEach((name, array) -> {
      if (!frozen.contains(name)) {
        open.put(name, array);
      }
    });
    return Collections.unmodifiableMap(open);
  }

  /** The number of scalars {@link #trainableParameters()} holds. */
  public long numTrainableParameters() {
    return trainableParameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  /**
   * Freezes every parameter whose Hugging Face name matches {@code pattern} in full (for example
   * {@code "model\\.embed_tokens\\..*"}, or {@code "model\\.layers\\.[0-3]\\..*"} for the
   * first four layers): it stops recording gradients, so a backward pass allocates no gradient
   * for it and {@link #trainableParameters()} no longer lists it (no optimiser state). Call it
   * before training starts; freezing is permanent for this model.
   *
   * @return the names frozen by this call
   * @throws IllegalArgumentException if the pattern matches no parameter (naming it)
   * @throws IllegalStateException if the model is closed
   */
  public List<String> freeze(Pattern pattern) {
    checkOpen();
    checkNotNull(pattern, "pattern");
    List<String> matched = new ArrayList<>();
    parameters.forEach((name, array) -> {
      if (pattern.matcher(name).matches()) {
        matched.add(name);
      }
    });
    checkArgument(
        !matched.isEmpty(),
        "freeze: pattern '%s' matches no parameter (names look like '%s')",
        pattern,
        parameters.keySet().iterator().next());
    for (String name : matched) {
      if (frozen.add(name) && trainable) {
        parameters.get(name).setRequiresGradient(false);
      }
    }
    return List.copyOf(matched);
  }

  /** The names of the parameters frozen by {@link #freeze}, in no particular order. */
  public Set<String> frozenParameters() {
    return Set.copyOf(frozen);
  }

  /**
   * Attaches a fresh LoRA adapter (see {@link LoraConfig}) to every linear layer the config
   * targets and freezes the whole base: from now on the base weights record no gradient and
   * {@link #trainableParameters()} lists only the adapter (and a sequence classifier's score head,
   * PEFT's {@code modules_to_save}). A is drawn from {@code seed}
   * (Kaiming-uniform, a = √5: uniform in ±1/√in), B is zero, so logits do not change. One adapter
   * per model.
   *
   * @throws IllegalArgumentException if the config targets no layer of this architecture, or
   *     its rank exceeds a targeted weight's smaller side (naming the layer)
   * @throws IllegalStateException if the model is closed or already has an adapter
   */
  public void addLora(LoraConfig config, long seed) {
    checkOpen();
    checkNotNull(config, "config");
    checkState(loraConfig == null, "the model already has a LoRA adapter (%s)", loraConfig);
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    Map<String, NDArray> created = new LinkedHashMap<>();
    Map<String, LoraLinears.Pair> pairs = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Shape> e : shapes.entrySet()) {
        String name = e.getKey();
        if (!name.endsWith(".weight") || e.getValue().dimension() != 2) {
          continue;
        }
        String module = name.substring(0, name.length() - ".weight".length());
        if (!config.targets(module) || !isAdaptableModule(module)) {
          continue;
        }
        long[] inOut = inOut(e.getValue());
        long in = inOut[0];
        long out = inOut[1];
        checkArgument(
            config.rank() <= Math.min(in, out),
            "LoRA rank %s exceeds the smaller side of %s [in %s, out %s]; use a rank <= %s",
            config.rank(), module, in, out, Math.min(in, out));
        double bound = 1 / Math.sqrt(in);
        double[] values = new double[Math.toIntExact(config.rank() * in)];
        for (int i = 0; i < values.length; i++) {
          values[i] = random.nextDouble(-bound, bound);
        }
        NDArray a =
            manager.create(values, new Shape(config.rank(), in)).toType(options.dataType(), false);
        NDArray b = manager.zeros(new Shape(out, config.rank()), options.dataType());
        a.setName(module + ".lora_A.weight");
        b.setName(module + ".lora_B.weight");
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        created.put(module + ".lora_A.weight", a);
        created.put(module + ".lora_B.weight", b);
        pairs.put(module, new LoraLinears.Pair(a, b, config.scale()));
      }
      checkArgument(
          !pairs.isEmpty(),
          "LoRA targetModules %s match no linear layer of %s; its layers are %s",
          config.targetModules(), config().architecture().hfName(),
          config().family() == ModelFamily.GPT2
              ? LoraConfig.GPT2_ALL_LINEAR : LoraConfig.LLAMA_ALL_LINEAR);
    } catch (RuntimeException ex) {
      created.values().forEach(NDArray::close);
      throw ex;
    }
    if (trainable) {
      parameters.forEach((name, p) -> {
        if (!adapterHeads().contains(name)) {
          p.setRequiresGradient(false);
        }
      });
    }
    for (String head : adapterHeads()) {
      if (!trainable || frozen.contains(head)) {
        parameters.get(head).setRequiresGradient(true);
        frozen.remove(head);
      }
    }
    lora.attach(pairs, config.dropout());
    loraParameters = Collections.unmodifiableMap(created);
    loraConfig = config;
  }

  /**
   * The parameters that keep training beside an adapter (PEFT's {@code modules_to_save}): none
   * for a causal LM, the score head for a sequence classifier.
   */
  Set<String> adapterHeads() {
    return Set.of();
  }

  /** Whether {@code module} is a projection the backbone routes through the adapter. */
  static boolean isAdaptableModule(String module) {
    return module.startsWith("model.layers.") || module.startsWith("transformer.h.");
  }

  /**
   * {@code [in, out]} of a linear weight: HF {@code nn.Linear} stores {@code [out, in]}, GPT-2's
   * Conv1D {@code [in, out]} (PEFT's {@code fan_in_fan_out}).
   */
  long[] inOut(Shape weight) {
    return config.family() == ModelFamily.GPT2
        ? new long[] {weight.get(0), weight.get(1)}
        : new long[] {weight.get(1), weight.get(0)};
  }

  /** The adapter's settings, if one is attached. */
  public Optional<LoraConfig> loraConfig() {
    return Optional.ofNullable(loraConfig);
  }

  /**
   * The adapter's arrays ({@code <module>.lora_A.weight [r, in]}, {@code <module>.lora_B.weight
   * [out, r]}), empty without an adapter. Unmodifiable; the arrays belong to the model.
   */
  public Map<String, NDArray> loraParameters() {
    checkOpen();
    return loraParameters;
  }

  /**
   * Switches the adapter off until the returned handle is closed: forward passes see the base
   * model alone, the DPO reference without a second copy of the weights (TRL's {@code
   * disable_adapter()}). Not thread-safe against concurrent forward passes of this model.
   *
   * @throws IllegalStateException if the model has no adapter or it is already off
   */
  public AdapterOff disableAdapter() {
    checkOpen();
    checkState(loraConfig != null, "the model has no LoRA adapter to disable");
    checkState(lora.isEnabled(), "the adapter is already disabled");
    lora.setEnabled(false);
    return new AdapterOff(lora);
  }

  /**
   * Turns adapter dropout on (training) or off (evaluation and sampling, the default); no effect
   * without an adapter or with dropout 0.
   */
  public void setAdapterTraining(boolean training) {
    lora.setTraining(training);
  }

  /** Keeps a model's adapter off while open; {@link #close()} switches it back on, once. */
  public static final class AdapterOff implements AutoCloseable {
    private final LoraLinears lora;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdapterOff(LoraLinears lora) {
      this.lora = lora;
    }

    /** Switches the adapter back on; idempotent. */
    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        lora.setEnabled(true);
      }
    }
  }

  /**
   * The live parameter arrays by Hugging Face tensor name, in checkpoint order (a tied LM head
   * is not listed: it is the token embedding). An optimizer updates these in place. The map is
   * unmodifiable; the arrays belong to the model and must not be closed.
   */
  public Map<String, NDArray> parameters() {
    checkOpen();
    return parameters;
  }

  /** The total number of scalar parameters. */
  public long numParameters() {
    return shapes.values().stream().mapToLong(Shape::size).sum();
  }

  /**
   * Independent copies of the parameters (no gradient), by Hugging Face name, in {@code target};
   * the caller owns them.
   *
   * @throws IllegalStateException if the model is closed
   */
  public Map<String, NDArray> stateDict(NDManager target) {
    checkOpen();
    Map<String, NDArray> copies = new LinkedHashMap<>();
    parameters.forEach(
        (name, array) -> {
          NDArray copy = detachedCopy(array, options);
          copy.attach(target);
          copies.put(name, copy);
        });
    return copies;
  }

  /**
   * Copies {@code tensors} into the parameters in place (converting type and device). Every
   * parameter must be present with its shape; checkpoint buffers ({@code rotary_emb.inv_freq},
   * GPT-2 {@code attn.bias}) and a tied {@code lm_head.weight} are ignored; any other extra
   * tensor is an error. Nothing is copied unless all checks pass.
   *
   * @throws IllegalArgumentException naming the tensor, the expected and the found shape, or the
   *     unexpected tensors
   * @throws IllegalStateException if the model is closed or a gradient collector is open
   */
  public void loadStateDict(Map<String, NDArray> tensors) {
    checkOpen();
    checkTensors(shapes, shapesOf(tensors));
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      NDArray source = tensors.get(e.getKey());
      try (NDManager scope = source.getManager().newSubManager()) {
        NDArray converted = detachedCopy(source, options);
        converted.attach(scope);
        e.getValue().set(new NDIndex("..."), converted);
      } catch (EngineException ex) {
        throw new IllegalStateException(
            "cannot write parameter '" + e.getKey() + "' in place; close the GradientCollector "
                + "before loading weights", ex);
      }
    }
  }

  private static Map<String, Shape> expectedShapes(List<ParameterSpec> specs) {
    Map<String, Shape> expected = new LinkedHashMap<>();
    specs.forEach(spec -> expected.put(spec.name(), spec.shape()));
    return expected;
  }

  private static Map<String, Shape> shapesOf(Map<String, NDArray> tensors) {
    checkNotNull(tensors, "tensors");
    Map<String, Shape> found = new LinkedHashMap<>();
    tensors.forEach((name, array) -> found.put(name, array.getShape()));
    return found;
  }

  /**
   * Checks that every expected tensor is found with its shape and nothing unexpected is.
   *
   * @throws IllegalArgumentException naming the tensor, the expected and the found shape
   */
  private static void checkTensors(Map<String, Shape> expected, Map<String, Shape> found) {
    for (Map.Entry<String, Shape> e : expected.entrySet()) {
      Shape shape = found.get(e.getKey());
      checkArgument(
          shape != null,
          "missing tensor '%s' (expected shape %s)",
          e.getKey(),
          e.getValue());
      checkArgument(
          shape.equals(e.getValue()),
          "tensor '%s' has the wrong shape: expected %s but found %s",
          e.getKey(),
          e.getValue(),
          shape);
    }
    Set<String> unexpected = new TreeSet<>(found.keySet());
    unexpected.removeAll(expected.keySet());
    unexpected.removeIf(name -> IGNORED.matcher(name).matches() || name.equals(LM_HEAD));
    checkArgument(unexpected.isEmpty(), "unexpected tensors %s", unexpected);
    if (!expected.containsKey(LM_HEAD) && found.containsKey(LM_HEAD)) {
      // a tied head saved anyway: it must at least have the embedding's shape
      String embedding = expected.containsKey(GPT2_EMBEDDING) ? GPT2_EMBEDDING : LLAMA_EMBEDDING;
      checkArgument(
          found.get(LM_HEAD).equals(expected.get(embedding)),
          "tensor '%s' has the wrong shape: expected %s but found %s",
          LM_HEAD,
          expected.get(embedding),
          found.get(LM_HEAD));
    }
  }

  /** How a subclass builds itself from a config and a parameter source. */
  @FunctionalInterface
  interface Constructor<M extends TransformerModel> {
    M create(
        ModelConfig config,
        ModelOptions options,
        boolean trainable,
        BiFunction<ParameterSpec, NDManager, NDArray> source,
        Path origin);
  }

  /**
   * What the public factory methods of a subclass share: check the config, build from random
   * weights, from a model directory or from a state dict.
   *
   * @param checkConfig checks that the config has the subclass's head (and is not null)
   * @param specs every parameter of a config, backbone and head
   * @param constructor the subclass's constructor
   */
  record Factory<M extends TransformerModel>(
      UnaryOperator<ModelConfig> checkConfig,
      Function<ModelConfig, List<ParameterSpec>> specs,
      Constructor<M> constructor) {

    /** A trainable model with Hugging Face-style random weights drawn from {@code seed}. */
    M randomInit(ModelConfig config, long seed, ModelOptions options) {
      checkConfig.apply(config);
      return constructor.create(config, options, true, randomSource(config, seed, options), null);
    }

    /**
     * Reads a Hugging Face model directory ({@code config.json}, checked, and its safetensors
     * weights) and builds the model while the checkpoint is open.
     */
    M load(Path directory, ModelOptions options, boolean trainable) {
      checkNotNull(directory, "directory");
      checkNotNull(options, "options");
      ModelConfig config = checkConfig.apply(ModelConfig.read(directory.resolve("config.json")));
      try (Checkpoint checkpoint = Checkpoint.open(directory)) {
        checkLayerCount(checkpoint, config);
        return constructor.create(
            config,
            options,
            trainable,
            checkpointSource(checkpoint, config, specs.apply(config), options),
            directory);
      }
    }

    /** A trainable model holding copies of {@code tensors}, checked against the specs. */
    M fromStateDict(ModelConfig config, Map<String, NDArray> tensors, ModelOptions options) {
      checkConfig.apply(config);
      return constructor.create(
          config, options, true, copySource(tensors, specs.apply(config), options), null);
    }
  }

  private static final Pattern LAYER = Pattern.compile("^(?:model\\.layers|transformer\\.h|h)\\.(\\d+)\\.");

  /**
   * Compares config.json's {@code num_hidden_layers} with the layers the checkpoint's headers
   * hold, before the config's tensor list is built: a damaged or hostile config.json must not
   * make the loader plan (or allocate) layers the checkpoint does not have.
   *
   * @throws CheckpointException naming both counts
   */
  static void checkLayerCount(Checkpoint checkpoint, ModelConfig config) {
    java.util.BitSet layers = new java.util.BitSet();
    for (String name : checkpoint.names()) {
      Matcher m = LAYER.matcher(name);
      if (m.find()) {
        String index = m.group(1);
        if (index.length() > 7) {
          throw new CheckpointException(checkpoint.path(), name, "has a layer index past "
              + ModelConfig.MAX_LAYERS);
        }
        layers.set(Integer.parseInt(index));
      }
    }
    if (layers.cardinality() != config.numLayers() || layers.length() != config.numLayers()) {
      throw new CheckpointException(
          checkpoint.path(),
          null,
          "config.json declares num_hidden_layers = " + config.numLayers() + " but the checkpoint"
              + " holds " + layers.cardinality() + " layers"
              + (layers.isEmpty() ? "" : " (indices " + layers.nextSetBit(0) + ".."
                  + (layers.length() - 1) + ")")
              + "; config.json and the weights must come from the same model");
    }
  }

  /**
   * A source reading each parameter from {@code checkpoint} (converted to the options' type and
   * device), after checking names and shapes. GPT-2 checkpoints saved from the bare {@code
   * GPT2Model} (names without {@code transformer.}) are accepted.
   *
   * @throws CheckpointException naming the tensor, the expected and the found shape, or the
   *     unexpected tensors
   */
  static BiFunction<ParameterSpec, NDManager, NDArray> checkpointSource(
      Checkpoint checkpoint, ModelConfig config, List<ParameterSpec> specs,
      ModelOptions options) {
    Map<String, String> fileNames = new LinkedHashMap<>();
    Map<String, Shape> found = new LinkedHashMap<>();
    for (String name : checkpoint.names()) {
      String canonical = name;
      if (config.family() == ModelFamily.GPT2
          && !name.startsWith(GPT2_PREFIX)
          && !name.equals(LM_HEAD)
          && !name.startsWith("score.")) {
        canonical = GPT2_PREFIX + name;
      }
      fileNames.put(canonical, name);
      found.put(canonical, checkpoint.info(name).djlShape());
    }
    try {
      checkTensors(expectedShapes(specs), found);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(checkpoint.path(), null, e.getMessage());
    }
    return (spec, m) -> {
      NDArray read = checkpoint.read(fileNames.get(spec.name()), m);
      if (options.scanWeights()) {
        checkFinite(read, checkpoint.path(), fileNames.get(spec.name()));
      }
      if (read.getDataType() == options.dataType() && read.getDevice().equals(options.device())) {
        return read;
      }
      NDArray converted = read.toType(options.dataType(), true).toDevice(options.device(), false);
      if (converted != read) {
        read.close();
      }
      converted.attach(m);
      return converted;
    };
  }

  /**
   * Refuses a weight holding NaN or an infinity (the array is closed first).
   *
   * @throws CheckpointException naming the tensor and how many values are bad
   */
  static void checkFinite(NDArray weight, Path file, String name) {
    // x * 0 is 0 for every finite x and NaN for NaN and ±inf, and a sum of zeros is exactly 0:
    // two passes over the weight, a third of the cost of isNaN | isInfinite | any
    try (NDArray zeros = weight.mul(0);
        NDArray total = zeros.sum();
        NDArray wide = total.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)) {
      if (wide.getDouble() == 0) {
        return;
      }
    }
    long nan;
    long infinite;
    try (NDArray isNan = weight.isNaN(); NDArray isInf = weight.isInfinite()) {
      try (NDArray nans = isNan.countNonzero(); NDArray infs = isInf.countNonzero()) {
        nan = nans.toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
        infinite = infs.toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
      }
    }
    long size = weight.size();
    weight.close();
    throw new CheckpointException(
        file,
        name,
        "holds " + nan + " NaN and " + infinite + " infinite values of " + size
            + "; the checkpoint is damaged (download it again). ModelOptions.withoutWeightScan()"
            + " skips this check");
  }

  /**
   * Writes the model as a Hugging Face directory, F32 weights: see {@link #save(Path,
   * StorageType)}.
   */
  public void save(Path directory) {
    save(directory, StorageType.F32);
  }

  /**
   * Writes the model as a Hugging Face directory that loads back here and in transformers
   * unchanged: {@code config.json} (its {@code torch_dtype} set to the stored type), {@code
   * model.safetensors} (or shards with an index, as {@code save_pretrained} names them; a tied
   * LM head is not written) and, when the model was loaded from a directory, that directory's
   * tokenizer and generation files. Checkpoint files of an earlier save that this one does not
   * replace are deleted, so the directory never mixes two checkpoints.
   *
   * @param storage F32, or BF16 to halve the size (rounded to nearest even)
   * @throws IllegalStateException if the model is closed, or carries a LoRA adapter (the base
   *     weights alone would be written and the adapter lost: use {@link PeftAdapter#save} or
   *     {@link PeftAdapter#saveMerged})
   * @throws CheckpointException if the weights cannot be written
   * @throws UncheckedIOException if the directory, config or tokenizer files cannot be written
   */
  public void save(Path directory, StorageType storage) {
    checkOpen();
    checkState(
        loraConfig == null,
        "the model carries a LoRA adapter (%s) that save would drop, writing the base alone; write"
            + " the adapter with PeftAdapter.save(model, dir), or the merged model with"
            + " PeftAdapter.saveMerged(model, dir, storage)",
        loraConfig);
    saveTensors(directory, storage, parameters);
  }

  /** {@link #save(Path, StorageType)} writing {@code tensors} in place of the parameters. */
  final void saveTensors(Path directory, StorageType storage, Map<String, NDArray> tensors) {
    checkNotNull(directory, "directory");
    checkNotNull(storage, "storage");
    try {
      Files.createDirectories(directory);
      List<Path> written =
          Checkpoint.write(
              directory, tensors, storage, SafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
      try (DirectoryStream<Path> old =
          Files.newDirectoryStream(directory, "model*.safetensors{,.index.json}")) {
        for (Path file : old) {
          if (!written.contains(file)) {
            Files.delete(file);
          }
        }
      }
      String dtype = storage == StorageType.BF16 ? "bfloat16" : "float32";
      configToSave().toBuilder().torchDtype(dtype).build().write(directory.resolve("config.json"));
      if (origin != null && !Files.isSameFile(origin, directory)) {
        for (String name : COMPANION_FILES) {
          Path file = origin.resolve(name);
          if (Files.isRegularFile(file)) {
            Files.copy(file, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the model to " + directory, e);
    }
  }

  /** The configuration {@link #save(Path, StorageType)} writes: {@link #config()} by default. */
  ModelConfig configToSave() {
    return config;
  }

  /** The directory the model was loaded from, if it was. */
  public Optional<Path> origin() {
    return Optional.ofNullable(origin);
  }

  /** A copy of {@code source} without autograd history, converted to the options' type/device. */
  private static NDArray detachedCopy(NDArray source, ModelOptions options) {
    NDArray detached = source.stopGradient();
    // toType(sameType, true) returns a view of the same storage on PyTorch: clone explicitly
    NDArray copy =
        detached.getDataType() == options.dataType()
            ? detached.duplicate()
            : detached.toType(options.dataType(), false);
    detached.close();
    if (!copy.getDevice().equals(options.device())) {
      NDArray moved = copy.toDevice(options.device(), true);
      copy.close();
      copy = moved;
    }
    return copy;
  }

  /**
   * Runs the backbone inside {@code scope} and returns the hidden states {@code [B, T, hidden]}
   * in {@code scope}. Checks shapes; derives positions from the mask when {@code positions} is
   * null; advances the cache.
   */
  final NDArray hiddenStates(
      NDArray ids, NDArray attentionMask, NDArray positions, KvBuffers cache, NDManager scope) {
    checkOpen();
    checkNotNull(ids, "ids");
    checkNotNull(attentionMask, "attentionMask");
    Shape idShape = ids.getShape();
    checkArgument(
        idShape.dimension() == 2 && idShape.get(1) > 0,
        "ids must be [batch, tokens] with tokens > 0 but was %s",
        idShape);
    int batch = Math.toIntExact(idShape.get(0));
    int t = Math.toIntExact(idShape.get(1));
    int past = cache == null ? 0 : cache.length();
    if (cache != null) {
      checkState(!cache.isClosed(), "the KV cache is closed");
      checkArgument(
          cache.batch() == batch,
          "the KV cache holds %s rows but ids has %s",
          cache.batch(),
          batch);
      checkArgument(
          past + t <= cache.maxLength(),
          "the KV cache holds %s of %s slots; %s more tokens do not fit",
          past,
          cache.maxLength(),
          t);
      checkArgument(
          cache.layers() == config.numLayers()
              && cache.kvHeads() == config.numKvHeads()
              && cache.headDim() == config.headDim()
              && cache.dataType() == options.dataType(),
          "the KV cache was made for another model shape");
    }
    Shape expectedMask = new Shape(batch, past + t);
    checkArgument(
        attentionMask.getShape().equals(expectedMask),
        "attentionMask must be [batch, cached + tokens] = %s but was %s",
        expectedMask,
        attentionMask.getShape());
    if (positions != null) {
      checkArgument(
          positions.getShape().equals(idShape),
          "positions must have the shape of ids %s but was %s",
          idShape,
          positions.getShape());
    }
    if (config.family() == ModelFamily.GPT2) {
      checkArgument(
          past + t <= config.maxPositionEmbeddings(),
          "GPT-2 has %s learned positions; %s cached + %s new tokens do not fit",
          config.maxPositionEmbeddings(),
          past,
          t);
    }
    NDArray localIds = local(ids, scope);
    NDArray mask = local(attentionMask, scope);
    NDArray pos =
        positions != null
            ? local(positions, scope)
            : mask.cumSum(1).sub(1).maximum(0).get(new NDIndex(":, {}:", past));
    NDArray bias =
        AttentionBias.build(mask, past, t, config.slidingWindow(), options.dataType(), scope);
    NDArray hidden;
    try {
      hidden = backbone.forward(localIds, pos, bias, cache, scope);
    } catch (EngineException e) {
      throw new Rlhf4jException(
          "forward pass of " + config.architecture().hfName() + " failed", e);
    }
    if (cache != null) {
      cache.advance(t);
    }
    return hidden;
  }

  /**
   * Runs the backbone over packed rows ({@link AttentionBias#packed}) inside {@code scope} and
   * returns the hidden states {@code [B, T, hidden]} in {@code scope}. No cache.
   */
  final NDArray packedHiddenStates(
      NDArray ids, NDArray positions, NDArray segments, NDManager scope) {
    checkOpen();
    checkNotNull(ids, "ids");
    checkNotNull(positions, "positions");
    checkNotNull(segments, "segments");
    Shape idShape = ids.getShape();
    checkArgument(
        idShape.dimension() == 2 && idShape.get(1) > 0,
        "ids must be [batch, tokens] with tokens > 0 but was %s",
        idShape);
    checkArgument(
        positions.getShape().equals(idShape) && segments.getShape().equals(idShape),
        "positions and segments must have the shape of ids %s but were %s and %s",
        idShape,
        positions.getShape(),
        segments.getShape());
    NDArray localIds = local(ids, scope);
    NDArray pos = local(positions, scope);
    NDArray seg = local(segments, scope);
    if (config.family() == ModelFamily.GPT2) {
      long maxPosition = pos.max().getLong();
      checkArgument(
          maxPosition < config.maxPositionEmbeddings(),
          "GPT-2 has %s learned positions; a packed row reaches position %s",
          config.maxPositionEmbeddings(),
          maxPosition);
    }
    NDArray bias =
        AttentionBias.packed(pos, seg, config.slidingWindow(), options.dataType(), scope);
    try {
      return backbone.forward(localIds, pos, bias, null, scope);
    } catch (EngineException e) {
      throw new Rlhf4jException(
          "forward pass of " + config.architecture().hfName() + " failed", e);
    }
  }

  /** An int64 copy of {@code input} on the model's device, in {@code scope}. */
  private NDArray local(NDArray input, NDManager scope) {
    NDArray copy = input.toType(DataType.INT64, true);
    copy.attach(scope);
    return copy.getDevice().equals(options.device())
        ? copy
        : copy.toDevice(options.device(), false);
  }

  /** The parameter {@code name}. */
  final NDArray parameter(String name) {
    NDArray array = parameters.get(name);
    checkState(array != null, "no parameter %s", name);
    return array;
  }

  /** The model's own manager (parameters, constants, caches). */
  final NDManager manager() {
    checkOpen();
    return manager;
  }

  final void checkOpen() {
    checkState(!closed.get(), "the model is closed");
  }

  /** Frees the parameters and everything else the model allocated; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      manager.close();
    }
  }
}
