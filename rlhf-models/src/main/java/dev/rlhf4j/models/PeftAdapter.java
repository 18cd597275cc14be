package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.models.checkpoint.CheckpointException;
import dev.rlhf4j.models.checkpoint.SafetensorsFile;
import dev.rlhf4j.models.checkpoint.SafetensorsWriter;
import dev.rlhf4j.models.checkpoint.StorageType;
import dev.rlhf4j.models.config.ModelFamily;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * LoRA adapter directories in the layout Python's {@code peft} writes and reads ({@code
 * PeftModel.save_pretrained} / {@code from_pretrained}), and PEFT's {@code merge_and_unload}.
 *
 * <p>A directory holds {@code adapter_config.json} ({@code peft_type "LORA"}, {@code r}, {@code
 * lora_alpha}, {@code lora_dropout}, {@code target_modules}, {@code bias "none"}, {@code
 * task_type} {@code CAUSAL_LM} or {@code SEQ_CLS}, {@code fan_in_fan_out} — true for GPT-2's
 * Conv1D weights — and {@code base_model_name_or_path}) and {@code adapter_model.safetensors},
 * whose tensors are named {@code base_model.model.<module>.lora_A.weight} {@code [r, in]} and
 * {@code ...lora_B.weight} {@code [out, r]}; a sequence classifier's trained head is saved as
 * PEFT saves {@code modules_to_save}: {@code base_model.model.score.weight}.
 *
 * <p>Adapter files are treated as untrusted input: the config's fields are checked for type and
 * range, every tensor must be one the model expects with its exact shape, and nothing is copied
 * into the model unless all checks pass. Stateless and thread-safe; the model it works on is not.
 */
public final class PeftAdapter {

  /** The adapter's config file name. */
  public static final String CONFIG_FILE = "adapter_config.json";

  /** The adapter's weights file name. */
  public static final String WEIGHTS_FILE = "adapter_model.safetensors";

  private static final String PREFIX = "base_model.model.";
  private static final String SCORE = "score.weight";
  private static final long MAX_CONFIG_BYTES = 1 << 20;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PeftAdapter() {}

  /**
   * Writes {@code model}'s adapter to {@code directory} (created if needed), F32 weights.
   *
   * @throws IllegalStateException if the model has no adapter or is closed
   * @throws UncheckedIOException if the files cannot be written
   */
  public static void save(TransformerModel model, Path directory) {
    checkNotNull(model, "model");
    checkNotNull(directory, "directory");
    LoraConfig config =
        model.loraConfig()
            .orElseThrow(() -> new IllegalStateException("the model has no LoRA adapter to save"));
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    model.loraParameters().forEach((name, array) -> tensors.put(PREFIX + name, array));
    if (model instanceof SequenceClassifier) {
      tensors.put(PREFIX + SCORE, model.parameters().get(SCORE));
    }
    ObjectNode json = JSON.createObjectNode();
    json.put("peft_type", "LORA");
    json.put("task_type", taskType(model));
    json.put("r", config.rank());
    json.put("lora_alpha", config.alpha());
    json.put("lora_dropout", config.dropout());
    ArrayNode targets = json.putArray("target_modules");
    config.targetModules().forEach(targets::add);
    json.put("bias", "none");
    json.put("fan_in_fan_out", model.config().family() == ModelFamily.GPT2);
    json.put("use_rslora", false);
    json.put("use_dora", false);
    json.put("inference_mode", true);
    if (model instanceof SequenceClassifier) {
      json.putArray("modules_to_save").add("score");
    } else {
      json.putNull("modules_to_save");
    }
    if (model.origin().isPresent()) {
      json.put("base_model_name_or_path", model.origin().get().toString());
    } else {
      json.putNull("base_model_name_or_path");
    }
    try {
      Files.createDirectories(directory);
      SafetensorsWriter.builder()
          .storageType(StorageType.F32)
          .build()
          .writeFile(directory.resolve(WEIGHTS_FILE), tensors);
      JSON.writeValue(directory.resolve(CONFIG_FILE).toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the adapter to " + directory, e);
    }
  }

  /**
   * The base model of the adapter in {@code directory}: its {@code base_model_name_or_path} as a
   * path, when {@code directory} is an adapter directory ({@code adapter_config.json} and no
   * {@code config.json}); empty for a plain model directory. Adapters that rlhf4j's trainers write
   * name the directory the policy was loaded from.
   *
   * @throws CheckpointException if the directory is an adapter directory whose config names no
   *     base, or a base that is not a local directory (a Hub id: download it and load the base
   *     yourself, then {@link #load})
   */
  public static java.util.Optional<Path> baseModel(Path directory) {
    checkNotNull(directory, "directory");
    Path file = directory.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(file) || Files.exists(directory.resolve("config.json"))) {
      return java.util.Optional.empty();
    }
    readConfig(directory);
    JsonNode base;
    try {
      base = JSON.readTree(file.toFile()).get("base_model_name_or_path");
    } catch (IOException e) {
      throw new CheckpointException(file, null, "cannot be read: " + e.getMessage(), e);
    }
    if (base == null || !base.isTextual() || base.asText().isEmpty()) {
      throw new CheckpointException(
          file, null, "names no base model (base_model_name_or_path is " + base + "); load the"
              + " base yourself and attach the adapter with PeftAdapter.load");
    }
    Path path = Path.of(base.asText());
    if (!Files.isDirectory(path)) {
      throw new CheckpointException(
          file, null, "names the base model '" + base.asText() + "', which is not a local"
              + " directory; load the base yourself and attach the adapter with PeftAdapter.load");
    }
    return java.util.Optional.of(path);
  }

  /**
   * Reads the settings of the adapter in {@code directory} (its {@code adapter_config.json}).
   *
   * @throws CheckpointException naming the file and the field if the config is not a LoRA
   *     adapter this library can run (wrong type, out-of-range or missing field, DoRA, rsLoRA,
   *     trained biases, a regular-expression {@code target_modules})
   */
  public static LoraConfig readConfig(Path directory) {
    checkNotNull(directory, "directory");
    Path file = directory.resolve(CONFIG_FILE);
    JsonNode json;
    try {
      long size = Files.size(file);
      if (size > MAX_CONFIG_BYTES) {
        throw new CheckpointException(
            file, null, "is " + size + " bytes; an adapter config is at most " + MAX_CONFIG_BYTES);
      }
      json = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointException(file, null, "cannot be read as JSON: " + e.getMessage(), e);
    }
    if (json == null || !json.isObject()) {
      throw new CheckpointException(file, null, "must hold a JSON object");
    }
    String type = json.path("peft_type").asText("");
    if (!type.equals("LORA")) {
      throw new CheckpointException(
          file, null, "field 'peft_type' must be \"LORA\" but was " + json.get("peft_type"));
    }
    JsonNode r = json.get("r");
    if (r == null || !r.canConvertToInt() || !r.isIntegralNumber()) {
      throw new CheckpointException(file, null, "field 'r' must be an integer but was " + r);
    }
    JsonNode alpha = json.get("lora_alpha");
    if (alpha == null || !alpha.isNumber()) {
      throw new CheckpointException(
          file, null, "field 'lora_alpha' must be a number but was " + alpha);
    }
    JsonNode dropout = json.path("lora_dropout");
    if (!dropout.isMissingNode() && !dropout.isNull() && !dropout.isNumber()) {
      throw new CheckpointException(
          file, null, "field 'lora_dropout' must be a number but was " + dropout);
    }
    String bias = json.path("bias").asText("none");
    if (!bias.equals("none")) {
      throw new CheckpointException(
          file, null, "field 'bias' is \"" + bias + "\"; only \"none\" (no trained biases) is"
              + " supported");
    }
    for (String flag : List.of("use_dora", "use_rslora")) {
      if (json.path(flag).asBoolean(false)) {
        throw new CheckpointException(
            file, null, "field '" + flag + "' is true; only plain LoRA is supported");
      }
    }
    JsonNode targets = json.get("target_modules");
    if (targets == null || !targets.isArray()) {
      throw new CheckpointException(
          file, null, "field 'target_modules' must be a list of layer names (a regular"
              + " expression is not supported) but was " + targets);
    }
    List<String> modules = new ArrayList<>();
    for (JsonNode t : targets) {
      if (!t.isTextual()) {
        throw new CheckpointException(
            file, null, "field 'target_modules' holds a non-string entry " + t);
      }
      modules.add(t.asText());
    }
    try {
      return new LoraConfig(
          r.asInt(), alpha.asDouble(), dropout.isNumber() ? dropout.asDouble() : 0, modules);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, null, e.getMessage(), e);
    }
  }

  /**
   * Attaches the adapter in {@code directory} to {@code model} (which must have none yet): its
   * settings from {@code adapter_config.json}, its weights from {@code
   * adapter_model.safetensors}. The base is frozen as by {@link TransformerModel#addLora}; a
   * sequence classifier's saved {@code score} head replaces the model's.
   *
   * @return the adapter's settings
   * @throws CheckpointException naming the file and tensor if the config is invalid (see {@link
   *     #readConfig}), {@code fan_in_fan_out} or {@code task_type} does not fit the model, a
   *     tensor is missing, mis-shaped or unexpected; the model is then left without an adapter
   *     only if the failure came before it was attached
   * @throws IllegalStateException if the model is closed or already has an adapter
   */
  public static LoraConfig load(TransformerModel model, Path directory) {
    checkNotNull(model, "model");
    checkState(model.loraConfig().isEmpty(), "the model already has a LoRA adapter");
    try (NDManager scope = NDManager.newBaseManager(model.options().device())) {
      Checked adapter = readChecked(model, directory, scope);
      model.addLora(adapter.config(), 0);
      for (Map.Entry<String, NDArray> e : adapter.tensors().entrySet()) {
        NDArray target =
            e.getKey().equals(SCORE)
                ? model.parameters().get(SCORE)
                : model.loraParameters().get(e.getKey());
        target.set(new NDIndex("..."), e.getValue().toDevice(model.options().device(), false));
      }
      return adapter.config();
    }
  }

  /**
   * Merges the adapter in {@code directory} into {@code model}'s weights in place (PEFT's {@code
   * merge_and_unload} in memory), without attaching an adapter: each adapted weight becomes
   * {@code W + (alpha/r) · B A} (transposed for GPT-2's {@code [in, out]} Conv1D weights), a
   * sequence classifier's saved {@code score} head replaces the model's. The model then runs at
   * the cost of the base: what sampling uses, since the two extra products per adapted layer and
   * token cost more than the one-off merge (measured on tiny Llama shapes, see the CHANGELOG).
   * Checks as {@link #load}; nothing is modified unless they all pass. Run it outside a gradient
   * collector.
   *
   * @return the adapter's settings
   * @throws CheckpointException as {@link #load}
   * @throws IllegalStateException if the model is closed or has an adapter attached
   */
  public static LoraConfig loadMerged(TransformerModel model, Path directory) {
    checkNotNull(model, "model");
    checkState(
        model.loraConfig().isEmpty(),
        "the model has a LoRA adapter attached; merge into a model without one");
    boolean gpt2 = model.config().family() == ModelFamily.GPT2;
    try (NDManager scope = NDManager.newBaseManager(model.options().device())) {
      Checked adapter = readChecked(model, directory, scope);
      double scale = adapter.config().scale();
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        String name = e.getKey();
        NDArray replacement = null;
        if (name.equals(SCORE) && adapter.tensors().containsKey(SCORE)) {
          replacement = adapter.tensors().get(SCORE);
        }
        String module = name.endsWith(".weight")
            ? name.substring(0, name.length() - ".weight".length()) : name;
        NDArray a = adapter.tensors().get(module + ".lora_A.weight");
        try (NDArray weight = e.getValue().stopGradient()) {
          if (replacement != null) {
            weight.set(new NDIndex("..."), replacement.toDevice(weight.getDevice(), false));
          } else if (a != null) {
            NDArray b = adapter.tensors().get(module + ".lora_B.weight");
            NDArray delta = b.matMul(a).mul(scale).toDevice(weight.getDevice(), false);
            weight.addi(gpt2 ? delta.transpose() : delta);
          }
        }
      }
      return adapter.config();
    }
  }

  /**
   * The number of labels of the sequence-classification head saved in the adapter directory
   * {@code directory} (the rows of {@code base_model.model.score.weight}): what a classifier built
   * on a causal-LM base needs before the adapter is read.
   *
   * @throws CheckpointException if the weights file cannot be read or holds no 2-D score head
   */
  static int savedNumLabels(Path directory) {
    Path weights = directory.resolve(WEIGHTS_FILE);
    try (SafetensorsFile file = SafetensorsFile.open(weights)) {
      if (!file.contains(PREFIX + SCORE)) {
        throw new CheckpointException(
            weights, PREFIX + SCORE, "is missing: a SEQ_CLS adapter on a causal-LM base must"
                + " carry the trained score head (PEFT's modules_to_save)");
      }
      Shape shape = file.info(PREFIX + SCORE).djlShape();
      if (shape.dimension() != 2 || shape.get(0) < 1 || shape.get(0) > Integer.MAX_VALUE) {
        throw new CheckpointException(
            weights, PREFIX + SCORE, "has shape " + shape + " but must be [num_labels, hidden]");
      }
      return (int) shape.get(0);
    }
  }

  /** An adapter's settings and checked tensors (model-relative names, the model's type). */
  private record Checked(LoraConfig config, Map<String, NDArray> tensors) {}

  /** Reads and checks the adapter in {@code directory} against {@code model}, into {@code scope}. */
  private static Checked readChecked(TransformerModel model, Path directory, NDManager scope) {
    LoraConfig config = readConfig(directory);
    Path configFile = directory.resolve(CONFIG_FILE);
    JsonNode json;
    try {
      json = JSON.readTree(configFile.toFile());
    } catch (IOException e) {
      throw new CheckpointException(configFile, null, "cannot be read: " + e.getMessage(), e);
    }
    boolean gpt2 = model.config().family() == ModelFamily.GPT2;
    JsonNode fan = json.path("fan_in_fan_out");
    if (fan.asBoolean(false) != gpt2) {
      throw new CheckpointException(
          configFile, null, "field 'fan_in_fan_out' is " + fan.asBoolean(false) + " but a "
              + model.config().architecture().hfName() + " needs " + gpt2
              + "; the adapter was made for another architecture");
    }
    String task = json.path("task_type").asText(null);
    if (task != null && !task.equals(taskType(model))) {
      throw new CheckpointException(
          configFile, null, "field 'task_type' is \"" + task + "\" but the model is a "
              + taskType(model) + " model");
    }
    Path weights = directory.resolve(WEIGHTS_FILE);
    try (SafetensorsFile file = SafetensorsFile.open(weights)) {
      // plan the adapter's shapes from the model before reading anything
      Map<String, Shape> expected = expectedShapes(model, config);
      for (Map.Entry<String, Shape> e : expected.entrySet()) {
        if (!file.contains(PREFIX + e.getKey())) {
          throw new CheckpointException(
              weights, PREFIX + e.getKey(), "is missing (expected shape " + e.getValue() + ")");
        }
        Shape found = file.info(PREFIX + e.getKey()).djlShape();
        if (!found.equals(e.getValue())) {
          throw new CheckpointException(
              weights, PREFIX + e.getKey(), "has shape " + found + " but the model needs "
                  + e.getValue() + " (r = " + config.rank() + ")");
        }
      }
      Set<String> unexpected = new TreeSet<>();
      for (String name : file.names()) {
        if (!name.startsWith(PREFIX) || !expected.containsKey(name.substring(PREFIX.length()))) {
          unexpected.add(name);
        }
      }
      if (!unexpected.isEmpty()) {
        throw new CheckpointException(
            weights, null, "holds tensors the model has no place for: " + unexpected
                + "; the adapter was made for another model or another target_modules list");
      }
      Map<String, NDArray> read = new LinkedHashMap<>();
      for (String name : expected.keySet()) {
        NDArray array = file.read(PREFIX + name, scope);
        checkFiniteAdapter(array, weights, PREFIX + name);
        read.put(name, array.toType(model.options().dataType(), false));
      }
      return new Checked(config, read);
    }
  }

  /**
   * Writes {@code model} with its adapter merged into the base weights as a plain Hugging Face
   * directory (PEFT's {@code merge_and_unload}): each adapted weight becomes {@code W + (alpha/r)
   * · B A} ({@code [out, in]}), or its transpose for GPT-2's {@code [in, out]} Conv1D weights.
   * The directory loads with {@link CausalLm#load} (or {@link SequenceClassifier#load}) and in
   * transformers unchanged. The model itself is not modified.
   *
   * @throws IllegalStateException if the model has no adapter or is closed
   * @throws UncheckedIOException if the files cannot be written
   */
  public static void saveMerged(TransformerModel model, Path directory, StorageType storage) {
    checkNotNull(model, "model");
    LoraConfig config =
        model.loraConfig()
            .orElseThrow(() -> new IllegalStateException("the model has no LoRA adapter to merge"));
    boolean gpt2 = model.config().family() == ModelFamily.GPT2;
    try (NDManager scope = NDManager.newBaseManager(model.options().device())) {
      Map<String, NDArray> merged = new LinkedHashMap<>(model.parameters());
      Map<String, NDArray> adapter = model.loraParameters();
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        String name = e.getKey();
        if (!name.endsWith(".weight")) {
          continue;
        }
        String module = name.substring(0, name.length() - ".weight".length());
        NDArray a = adapter.get(module + ".lora_A.weight");
        if (a == null) {
          continue;
        }
        NDArray b = adapter.get(module + ".lora_B.weight");
        NDArray w = e.getValue().stopGradient();
        w.attach(scope);
        NDArray bs = b.stopGradient();
        bs.attach(scope);
        NDArray as = a.stopGradient();
        as.attach(scope);
        NDArray delta = bs.matMul(as).mul(config.scale());
        merged.put(name, w.add(gpt2 ? delta.transpose() : delta));
      }
      model.saveTensors(directory, storage, merged);
    }
  }

  /** The tensors an adapter file for {@code model} under {@code config} holds, and shapes. */
  private static Map<String, Shape> expectedShapes(TransformerModel model, LoraConfig config) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      String name = e.getKey();
      Shape shape = e.getValue().getShape();
      if (!name.endsWith(".weight") || shape.dimension() != 2) {
        continue;
      }
      String module = name.substring(0, name.length() - ".weight".length());
      if (!config.targets(module) || !TransformerModel.isAdaptableModule(module)) {
        continue;
      }
      long[] inOut = model.inOut(shape);
      checkArgument(
          config.rank() <= Math.min(inOut[0], inOut[1]),
          "LoRA rank %s exceeds the smaller side of %s [in %s, out %s]",
          config.rank(), module, inOut[0], inOut[1]);
      shapes.put(module + ".lora_A.weight", new Shape(config.rank(), inOut[0]));
      shapes.put(module + ".lora_B.weight", new Shape(inOut[1], config.rank()));
    }
    if (model instanceof SequenceClassifier) {
      shapes.put(SCORE, model.parameters().get(SCORE).getShape());
    }
    return shapes;
  }

  private static void checkFiniteAdapter(NDArray array, Path file, String name) {
    try (NDArray bad = array.isNaN().logicalOr(array.isInfinite()).countNonzero()) {
      long count = bad.toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
      if (count > 0) {
        throw new CheckpointException(
            file, name, "holds " + count + " NaN or infinite values; the adapter is damaged");
      }
    }
  }

  private static String taskType(TransformerModel model) {
    return model instanceof SequenceClassifier ? "SEQ_CLS" : "CAUSAL_LM";
  }

  /**
   * Puts the adapter in {@code directory} on {@code model}, a freshly loaded base: attached when
   * {@code trainable} ({@link #load}), merged into the weights otherwise ({@link #loadMerged}).
   * Closes the model if that fails.
   */
  static <M extends TransformerModel> M onBase(M model, Path directory, boolean trainable) {
    try {
      if (trainable) {
        load(model, directory);
      } else {
        loadMerged(model, directory);
      }
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
