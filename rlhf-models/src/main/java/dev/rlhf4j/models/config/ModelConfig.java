package dev.rlhf4j.models.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.api.Rlhf4jException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The shape and settings of a model, as Hugging Face's {@code config.json} gives them, with the
 * GPT-2 keys ({@code n_embd}, {@code n_layer}, ...) mapped onto the same components as the Llama
 * keys ({@code hidden_size}, {@code num_hidden_layers}, ...).
 *
 * <p>{@link #fromJson(String)} reads a {@code config.json}; {@link #toJson()} writes one that
 * transformers loads unchanged: the family's own key names, {@code architectures}, {@code
 * model_type}, {@code torch_dtype}, and every key rlhf4j does not interpret ({@link
 * #extraFields()}) as it was read. Build one in code with {@link #builder(Architecture)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param architecture the implemented architecture ({@code architectures[0]})
 * @param vocabSize {@code vocab_size} ({@code n_vocab} is not used by transformers)
 * @param hiddenSize {@code hidden_size} / GPT-2 {@code n_embd}
 * @param numLayers {@code num_hidden_layers} / {@code n_layer}
 * @param numHeads {@code num_attention_heads} / {@code n_head}
 * @param numKvHeads {@code num_key_value_heads} (grouped-query attention); GPT-2: {@code numHeads}
 * @param headDim {@code head_dim}, by default {@code hiddenSize / numHeads}
 * @param intermediateSize {@code intermediate_size} (SwiGLU width) / {@code n_inner} (default 4 ×
 *     {@code n_embd})
 * @param normEps {@code rms_norm_eps} / {@code layer_norm_epsilon}
 * @param ropeTheta {@code rope_theta}, the rotary base (unused by GPT-2)
 * @param ropeScaling {@code rope_scaling} of type llama3, if any
 * @param maxPositionEmbeddings {@code max_position_embeddings} / {@code n_positions}
 * @param tieWordEmbeddings {@code tie_word_embeddings}: the LM head reuses the token embeddings
 * @param attentionBias Llama's {@code attention_bias} (biases on q, k, v and o); Qwen2 always has
 *     q/k/v biases, see {@link #qkvBias()}
 * @param mlpBias Llama's {@code mlp_bias}
 * @param slidingWindow Mistral's {@code sliding_window}: a query attends to at most this many keys
 *     (itself included)
 * @param bosTokenId {@code bos_token_id}
 * @param eosTokenIds {@code eos_token_id}, one or more ids
 * @param padTokenId {@code pad_token_id}
 * @param labels {@code id2label} in id order (sequence classification; {@code num_labels} is its
 *     size)
 * @param initializerRange {@code initializer_range}, the standard deviation of random weights
 * @param torchDtype {@code torch_dtype} (or the newer {@code dtype}) as written in the file, e.g.
 *     "bfloat16"
 * @param extraFields keys rlhf4j does not interpret, mapped to their JSON text, written back as
 *     read
 */
public record ModelConfig(
    Architecture architecture,
    int vocabSize,
    int hiddenSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int intermediateSize,
    double normEps,
    double ropeTheta,
    Optional<RopeScaling> ropeScaling,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean mlpBias,
    OptionalInt slidingWindow,
    OptionalInt bosTokenId,
    List<Integer> eosTokenIds,
    OptionalInt padTokenId,
    List<String> labels,
    double initializerRange,
    String torchDtype,
    Map<String, String> extraFields) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String FILE = "config.json: ";

  /**
   * Upper bounds on the sizes a config.json may declare, checked before anything is allocated
   * from them: a config.json comes with a downloaded model and is untrusted. Each is far above
   * the largest released model (Llama-3.1-405B: 126 layers, hidden 16,384, intermediate 53,248,
   * 128 heads; Gemma: 256,000-token vocabulary; Qwen2.5-1M: 1,010,000 positions).
   */
  public static final int MAX_LAYERS = 1024;

  /** The largest {@code hidden_size} accepted; see {@link #MAX_LAYERS}. */
  public static final int MAX_HIDDEN_SIZE = 1 << 17;

  /** The largest {@code intermediate_size} accepted; see {@link #MAX_LAYERS}. */
  public static final int MAX_INTERMEDIATE_SIZE = 1 << 20;

  /** The most attention (and key/value) heads accepted; see {@link #MAX_LAYERS}. */
  public static final int MAX_HEADS = 1024;

  /** The largest {@code head_dim} accepted; see {@link #MAX_LAYERS}. */
  public static final int MAX_HEAD_DIM = 4096;

  /** The largest {@code vocab_size} accepted; see {@link #MAX_LAYERS}. */
  public static final int MAX_VOCAB_SIZE = 1 << 24;

  /** The largest {@code max_position_embeddings} accepted; see {@link #MAX_LAYERS}. */
  public static final int MAX_POSITIONS = 1 << 24;

  /** Keys read into components or derived from them; everything else is kept verbatim. */
  private static final Set<String> KNOWN_KEYS =
      Set.of(
          "architectures", "model_type", "vocab_size", "hidden_size", "num_hidden_layers",
          "num_attention_heads", "num_key_value_heads", "head_dim", "intermediate_size",
          "rms_norm_eps", "rope_theta", "rope_scaling", "max_position_embeddings",
          "tie_word_embeddings", "attention_bias", "mlp_bias", "sliding_window",
          "use_sliding_window", "bos_token_id", "eos_token_id", "pad_token_id", "id2label",
          "label2id", "num_labels", "initializer_range", "torch_dtype", "hidden_act", "n_embd",
          "n_layer", "n_head", "n_positions", "n_ctx", "n_inner", "layer_norm_epsilon",
          "activation_function", "scale_attn_weights", "scale_attn_by_inverse_layer_idx",
          "add_cross_attention", "dtype");

  /**
   * Validates the combination of settings.
   *
   * @throws IllegalArgumentException if a size is not positive or above its bound ({@link
   *     #MAX_LAYERS} and the constants after it), a bos, eos or pad id is not below {@code
   *     vocabSize}, {@code numHeads} is not a
   *     multiple of {@code numKvHeads}, {@code headDim} is odd for a rotary family, GPT-2 is given
   *     grouped-query attention, rotary scaling or a sliding window, a sliding window is set
   *     outside Mistral, a token id is negative or {@code labels} is empty
   */
  public ModelConfig {
    checkNotNull(architecture, "architecture");
    checkSize("vocab_size", vocabSize, MAX_VOCAB_SIZE);
    checkSize("hidden_size", hiddenSize, MAX_HIDDEN_SIZE);
    checkSize("num_hidden_layers", numLayers, MAX_LAYERS);
    checkSize("num_attention_heads", numHeads, MAX_HEADS);
    checkSize("num_key_value_heads", numKvHeads, MAX_HEADS);
    checkSize("head_dim", headDim, MAX_HEAD_DIM);
    checkSize("intermediate_size", intermediateSize, MAX_INTERMEDIATE_SIZE);
    checkSize("max_position_embeddings", maxPositionEmbeddings, MAX_POSITIONS);
    checkArgument(normEps > 0, "norm epsilon must be > 0 but was %s", normEps);
    checkArgument(ropeTheta > 0, "rope_theta must be > 0 but was %s", ropeTheta);
    checkArgument(
        initializerRange > 0, "initializer_range must be > 0 but was %s", initializerRange);
    checkArgument(
        numHeads % numKvHeads == 0,
        "num_attention_heads (%s) must be a multiple of num_key_value_heads (%s)",
        numHeads,
        numKvHeads);
    checkNotNull(ropeScaling, "ropeScaling");
    checkNotNull(slidingWindow, "slidingWindow");
    checkNotNull(bosTokenId, "bosTokenId");
    checkNotNull(padTokenId, "padTokenId");
    eosTokenIds = List.copyOf(eosTokenIds);
    labels = List.copyOf(labels);
    checkArgument(!labels.isEmpty(), "labels (id2label) must not be empty");
    checkNotNull(torchDtype, "torchDtype");
    extraFields = Map.copyOf(extraFields);
    bosTokenId.ifPresent(id -> checkTokenId("bos_token_id", id, vocabSize));
    padTokenId.ifPresent(id -> checkTokenId("pad_token_id", id, vocabSize));
    eosTokenIds.forEach(id -> checkTokenId("eos_token_id", id, vocabSize));
    slidingWindow.ifPresent(w -> checkPositive("sliding_window", w));
    ModelFamily family = architecture.family();
    if (family == ModelFamily.GPT2) {
      checkArgument(
          numKvHeads == numHeads,
          "GPT-2 has no grouped-query attention: num_key_value_heads (%s) must equal n_head (%s)",
          numKvHeads,
          numHeads);
      checkArgument(
          headDim * numHeads == hiddenSize,
          "GPT-2 head_dim (%s) × n_head (%s) must equal n_embd (%s)",
          headDim,
          numHeads,
          hiddenSize);
      checkArgument(ropeScaling.isEmpty(), "GPT-2 has no rotary embeddings to scale");
    } else {
      checkArgument(headDim % 2 == 0, "head_dim must be even for rotary embeddings but was %s",
          headDim);
    }
    checkArgument(
        slidingWindow.isEmpty() || family == ModelFamily.MISTRAL,
        "sliding_window is supported for mistral only, not %s",
        family.modelType());
  }

  private static void checkPositive(String field, int value) {
    checkArgument(value > 0, "%s must be > 0 but was %s", field, value);
  }

  private static void checkTokenId(String field, int value, int vocabSize) {
    checkArgument(
        value >= 0 && value < vocabSize,
        "%s must be a token id in [0, vocab_size = %s) but was %s",
        field,
        vocabSize,
        value);
  }

  private static void checkSize(String field, int value, int max) {
    checkArgument(
        value > 0 && value <= max,
        "%s must be in [1, %s] but was %s (the bound is far above every released model; a"
            + " config.json past it is damaged or hostile)",
        field,
        max,
        value);
  }

  /**
   * Checks a sequence-length setting against {@code max_position_embeddings}: a model was never
   * trained on positions past it (rotary models extrapolate silently, GPT-2 has no embedding for
   * them), so training or scoring past it is refused rather than done quietly wrong.
   *
   * @param setting the setting's name for the message, e.g. {@code "maxLength"}
   * @param length the configured number of tokens
   * @throws IllegalArgumentException if {@code length} exceeds {@link #maxPositionEmbeddings()},
   *     with both numbers
   */
  public void checkLength(String setting, int length) {
    checkArgument(
        length <= maxPositionEmbeddings,
        "%s (%s) must be <= max_position_embeddings (%s) of the %s model: it was never trained"
            + " on positions past that; lower %s",
        setting,
        length,
        maxPositionEmbeddings,
        architecture.hfName(),
        setting);
  }

  /** The model family of {@link #architecture()}. */
  public ModelFamily family() {
    return architecture.family();
  }

  /** Whether the q, k and v projections have biases (Qwen2 always, Llama with attention_bias). */
  public boolean qkvBias() {
    return family() == ModelFamily.QWEN2 || family() == ModelFamily.GPT2 || attentionBias;
  }

  /** Whether the attention output projection has a bias (GPT-2; Llama with attention_bias). */
  public boolean outputBias() {
    return family() == ModelFamily.GPT2 || (family() == ModelFamily.LLAMA && attentionBias);
  }

  /** Whether the MLP projections have biases (GPT-2 always, Llama with mlp_bias). */
  public boolean mlpProjectionBias() {
    return family() == ModelFamily.GPT2 || (family() == ModelFamily.LLAMA && mlpBias);
  }

  /** The number of sequence-classification labels, {@code labels().size()}. */
  public int numLabels() {
    return labels.size();
  }

  /**
   * This configuration with another architecture of the same family (e.g. the
   * sequence-classification variant of a causal LM).
   *
   * @throws IllegalArgumentException if {@code other} belongs to another family
   */
  public ModelConfig withArchitecture(Architecture other) {
    checkNotNull(other, "other");
    checkArgument(
        other.family() == family(),
        "architecture %s is not of family %s",
        other.hfName(),
        family().modelType());
    return new ModelConfig(
        other, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, headDim,
        intermediateSize, normEps, ropeTheta, ropeScaling, maxPositionEmbeddings,
        tieWordEmbeddings, attentionBias, mlpBias, slidingWindow, bosTokenId, eosTokenIds,
        padTokenId, labels, initializerRange, torchDtype, extraFields);
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * A builder for {@code architecture} with the defaults of its transformers configuration class;
   * the sizes ({@link Builder#vocabSize}, {@link Builder#hiddenSize}, {@link Builder#numLayers},
   * {@link Builder#numHeads} and, for the Llama family, {@link Builder#intermediateSize}) are
   * required.
   *
   * @throws NullPointerException if {@code architecture} is null
   */
  public static Builder builder(Architecture architecture) {
    return new Builder(checkNotNull(architecture, "architecture"));
  }

  // ---------------------------------------------------------------------------------------------
  // config.json

  /**
   * Reads a {@code config.json} file.
   *
   * @throws ModelConfigException if the file does not exist, or as {@link #fromJson(String)}
   *     does; the message starts with the file's path instead of {@code config.json}
   * @throws UncheckedIOException if the file exists but cannot be read
   */
  public static ModelConfig read(Path configJson) {
    if (!Files.isRegularFile(configJson)) {
      throw new ModelConfigException(
          null,
          configJson.toAbsolutePath() + ": no such file; a Hugging Face model directory needs"
              + " its config.json (download it with the weights)");
    }
    String text;
    try {
      text = Files.readString(configJson, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + configJson.toAbsolutePath(), e);
    }
    try {
      return fromJson(text);
    } catch (ModelConfigException e) {
      String message = e.getMessage().startsWith(FILE)
          ? configJson.toAbsolutePath() + ": " + e.getMessage().substring(FILE.length())
          : configJson.toAbsolutePath() + ": " + e.getMessage();
      throw new ModelConfigException(e.field().orElse(null), message);
    }
  }

  /**
   * Parses the text of a {@code config.json}.
   *
   * @throws ModelConfigException naming the field when the text is not a JSON object, an {@code
   *     architectures} value is not supported, a required field is missing, a field has the wrong
   *     type or a setting rlhf4j does not implement is switched on
   */
  public static ModelConfig fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ModelConfigException(null, FILE + "not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ModelConfigException(null, FILE + "must hold a JSON object");
    }
    try {
      return new Parser((ObjectNode) root).parse();
    } catch (IllegalArgumentException e) {
      throw new ModelConfigException(null, FILE + e.getMessage());
    }
  }

  /** Writes {@link #toJson()} to {@code configJson}, replacing it. */
  public void write(Path configJson) {
    try {
      Files.writeString(configJson, toJson(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configJson, e);
    }
  }

  /**
   * This configuration as the text of a {@code config.json} that transformers loads: the
   * family's key names, then every extra field as read.
   */
  public String toJson() {
    ObjectNode out = JSON.createObjectNode();
    out.putArray("architectures").add(architecture.hfName());
    out.put("model_type", family().modelType());
    out.put("vocab_size", vocabSize);
    if (family() == ModelFamily.GPT2) {
      out.put("n_embd", hiddenSize);
      out.put("n_layer", numLayers);
      out.put("n_head", numHeads);
      out.put("n_inner", intermediateSize);
      out.put("n_positions", maxPositionEmbeddings);
      out.put("n_ctx", maxPositionEmbeddings);
      out.put("layer_norm_epsilon", normEps);
      out.put("activation_function", "gelu_new");
    } else {
      out.put("hidden_size", hiddenSize);
      out.put("intermediate_size", intermediateSize);
      out.put("num_hidden_layers", numLayers);
      out.put("num_attention_heads", numHeads);
      out.put("num_key_value_heads", numKvHeads);
      out.put("head_dim", headDim);
      out.put("hidden_act", "silu");
      out.put("rms_norm_eps", normEps);
      out.put("rope_theta", ropeTheta);
      out.put("max_position_embeddings", maxPositionEmbeddings);
      if (ropeScaling.isPresent()) {
        RopeScaling s = ropeScaling.get();
        ObjectNode scaling = out.putObject("rope_scaling");
        scaling.put("rope_type", "llama3");
        scaling.put("factor", s.factor());
        scaling.put("low_freq_factor", s.lowFreqFactor());
        scaling.put("high_freq_factor", s.highFreqFactor());
        scaling.put("original_max_position_embeddings", s.originalMaxPositionEmbeddings());
      } else {
        out.putNull("rope_scaling");
      }
      if (family() == ModelFamily.LLAMA) {
        out.put("attention_bias", attentionBias);
        out.put("mlp_bias", mlpBias);
      }
      if (family() == ModelFamily.MISTRAL) {
        if (slidingWindow.isPresent()) {
          out.put("sliding_window", slidingWindow.getAsInt());
        } else {
          out.putNull("sliding_window");
        }
      }
      if (family() == ModelFamily.QWEN2) {
        out.put("use_sliding_window", false);
      }
    }
    out.put("tie_word_embeddings", tieWordEmbeddings);
    out.put("initializer_range", initializerRange);
    putOptional(out, "bos_token_id", bosTokenId);
    if (eosTokenIds.size() == 1) {
      out.put("eos_token_id", eosTokenIds.get(0));
    } else if (!eosTokenIds.isEmpty()) {
      ArrayNode eos = out.putArray("eos_token_id");
      eosTokenIds.forEach(eos::add);
    }
    putOptional(out, "pad_token_id", padTokenId);
    if (architecture.head() == TaskHead.SEQUENCE_CLASSIFICATION
        || !labels.equals(Builder.DEFAULT_LABELS)) {
      ObjectNode id2label = out.putObject("id2label");
      ObjectNode label2id = out.putObject("label2id");
      for (int i = 0; i < labels.size(); i++) {
        id2label.put(Integer.toString(i), labels.get(i));
        label2id.put(labels.get(i), i);
      }
    }
    out.put("torch_dtype", torchDtype);
    for (Map.Entry<String, String> extra : new TreeMap<>(extraFields).entrySet()) {
      if (!out.has(extra.getKey())) {
        try {
          out.set(extra.getKey(), JSON.readTree(extra.getValue()));
        } catch (JsonProcessingException e) {
          throw new Rlhf4jException("extra field '" + extra.getKey() + "' is not JSON", e);
        }
      }
    }
    try {
      return JSON.writeValueAsString(out) + "\n";
    } catch (JsonProcessingException e) {
      throw new Rlhf4jException("cannot write config.json", e);
    }
  }

  private static void putOptional(ObjectNode out, String key, OptionalInt value) {
    if (value.isPresent()) {
      out.put(key, value.getAsInt());
    } else {
      out.putNull(key);
    }
  }

  /** Reads one config.json object, naming the field in every error. */
  private static final class Parser {
    private final ObjectNode root;

    Parser(ObjectNode root) {
      this.root = root;
    }

    ModelConfig parse() {
      Architecture architecture = architecture();
      ModelFamily family = architecture.family();
      Builder b = new Builder(architecture);
      b.vocabSize(requiredInt("vocab_size"));
      if (family == ModelFamily.GPT2) {
        parseGpt2(b);
      } else {
        parseLlama(b, family);
      }
      if (root.hasNonNull("tie_word_embeddings")) {
        b.tieWordEmbeddings(bool("tie_word_embeddings"));
      }
      if (root.hasNonNull("initializer_range")) {
        b.initializerRange(number("initializer_range"));
      }
      // where config.json omits an id, transformers' class default (GPT-2 50256, the Llama
      // family bos 1 / eos 2), if the vocabulary has it
      int defaultBos = family == ModelFamily.GPT2 ? 50_256 : 1;
      int defaultEos = family == ModelFamily.GPT2 ? 50_256 : 2;
      int vocab = b.vocabSize;
      b.bosTokenId(optionalInt("bos_token_id",
          defaultBos < vocab ? OptionalInt.of(defaultBos) : OptionalInt.empty()));
      b.padTokenId(optionalInt("pad_token_id", OptionalInt.empty()));
      if (root.has("eos_token_id")) {
        b.eosTokenIds(eosIds());
      } else {
        b.eosTokenIds(defaultEos < vocab ? List.of(defaultEos) : List.of());
      }
      b.labels(labels());
      if (root.hasNonNull("torch_dtype")) {
        b.torchDtype(text("torch_dtype"));
      } else if (root.hasNonNull("dtype")) {
        b.torchDtype(text("dtype")); // transformers >= 4.56 writes "dtype"
      }
      Map<String, String> extras = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!KNOWN_KEYS.contains(field.getKey())) {
          extras.put(field.getKey(), field.getValue().toString());
        }
      }
      b.extraFields(extras);
      try {
        return b.build();
      } catch (IllegalArgumentException e) {
        throw new ModelConfigException(null, FILE + e.getMessage());
      }
    }

    private Architecture architecture() {
      JsonNode archs = root.get("architectures");
      if (archs == null || archs.isNull()) {
        if (!root.hasNonNull("model_type")) {
          throw missing("architectures");
        }
        String modelType = text("model_type");
        ModelFamily family =
            ModelFamily.fromModelType(modelType)
                .orElseThrow(
                    () ->
                        new ModelConfigException(
                            "model_type",
                            FILE + "model_type '" + modelType + "' is not supported; supported: "
                                + "llama, mistral, qwen2, gpt2"));
        return Architecture.of(family, TaskHead.CAUSAL_LM);
      }
      if (!archs.isArray() || archs.isEmpty() || !archs.get(0).isTextual()) {
        throw wrongType("architectures", "a non-empty list of strings", archs);
      }
      String name = archs.get(0).asText();
      return Architecture.fromHfName(name)
          .orElseThrow(
              () ->
                  new ModelConfigException(
                      "architectures",
                      FILE + "architectures '" + name + "' is not supported; supported: "
                          + Architecture.supportedNames()));
    }

    private void parseGpt2(Builder b) {
      int hidden = requiredInt("n_embd");
      b.hiddenSize(hidden);
      b.numLayers(requiredInt("n_layer"));
      b.numHeads(requiredInt("n_head"));
      b.maxPositionEmbeddings(requiredInt("n_positions"));
      b.intermediateSize(root.hasNonNull("n_inner") ? requiredInt("n_inner") : 4 * hidden);
      if (root.hasNonNull("layer_norm_epsilon")) {
        b.normEps(number("layer_norm_epsilon"));
      }
      String activation = root.hasNonNull("activation_function")
          ? text("activation_function") : "gelu_new";
      if (!activation.equals("gelu_new") && !activation.equals("gelu_pytorch_tanh")) {
        throw unsupported("activation_function", "'" + activation + "'",
            "gelu_new, gelu_pytorch_tanh");
      }
      if (root.hasNonNull("scale_attn_weights") && !bool("scale_attn_weights")) {
        throw unsupported("scale_attn_weights", "false", "true");
      }
      if (root.hasNonNull("scale_attn_by_inverse_layer_idx")
          && bool("scale_attn_by_inverse_layer_idx")) {
        throw unsupported("scale_attn_by_inverse_layer_idx", "true", "false");
      }
      if (root.hasNonNull("add_cross_attention") && bool("add_cross_attention")) {
        throw unsupported("add_cross_attention", "true", "false");
      }
    }

    private void parseLlama(Builder b, ModelFamily family) {
      int hidden = requiredInt("hidden_size");
      int heads = requiredInt("num_attention_heads");
      b.hiddenSize(hidden);
      b.numLayers(requiredInt("num_hidden_layers"));
      b.numHeads(heads);
      b.intermediateSize(requiredInt("intermediate_size"));
      if (root.hasNonNull("num_key_value_heads")) {
        b.numKvHeads(requiredInt("num_key_value_heads"));
      }
      if (root.hasNonNull("head_dim")) {
        b.headDim(requiredInt("head_dim"));
      }
      if (root.hasNonNull("rms_norm_eps")) {
        b.normEps(number("rms_norm_eps"));
      }
      if (root.hasNonNull("rope_theta")) {
        b.ropeTheta(number("rope_theta"));
      }
      if (root.hasNonNull("max_position_embeddings")) {
        b.maxPositionEmbeddings(requiredInt("max_position_embeddings"));
      }
      if (root.hasNonNull("hidden_act") && !text("hidden_act").equals("silu")) {
        throw unsupported("hidden_act", "'" + text("hidden_act") + "'", "silu");
      }
      if (root.hasNonNull("rope_scaling")) {
        b.ropeScaling(ropeScaling());
      }
      if (family == ModelFamily.LLAMA) {
        if (root.hasNonNull("attention_bias")) {
          b.attentionBias(bool("attention_bias"));
        }
        if (root.hasNonNull("mlp_bias")) {
          b.mlpBias(bool("mlp_bias"));
        }
      }
      if (family == ModelFamily.MISTRAL) {
        b.slidingWindow(optionalInt("sliding_window", OptionalInt.empty()));
      }
      if (family == ModelFamily.QWEN2 && root.hasNonNull("use_sliding_window")
          && bool("use_sliding_window")) {
        throw unsupported("use_sliding_window", "true", "false");
      }
      if (family == ModelFamily.QWEN2) {
        // kept verbatim: without use_sliding_window the window is not applied by transformers
        if (root.has("sliding_window")) {
          b.extraFields.put("sliding_window", root.get("sliding_window").toString());
        }
      }
    }

    private RopeScaling ropeScaling() {
      JsonNode node = root.get("rope_scaling");
      if (!node.isObject()) {
        throw wrongType("rope_scaling", "an object", node);
      }
      JsonNode type = node.hasNonNull("rope_type") ? node.get("rope_type") : node.get("type");
      String typeName = type == null ? "<none>" : type.asText();
      if (!typeName.equals("llama3")) {
        throw unsupported("rope_scaling.rope_type", "'" + typeName + "'", "llama3");
      }
      try {
        return new RopeScaling(
            nested(node, "factor").asDouble(),
            nested(node, "low_freq_factor").asDouble(),
            nested(node, "high_freq_factor").asDouble(),
            nested(node, "original_max_position_embeddings").asInt());
      } catch (IllegalArgumentException e) {
        throw new ModelConfigException("rope_scaling", FILE + e.getMessage());
      }
    }

    private JsonNode nested(JsonNode node, String key) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        throw missing("rope_scaling." + key);
      }
      if (!value.isNumber()) {
        throw wrongType("rope_scaling." + key, "a number", value);
      }
      return value;
    }

    private List<Integer> eosIds() {
      JsonNode node = root.get("eos_token_id");
      List<Integer> ids = new ArrayList<>();
      if (node.isNull()) {
        return ids;
      }
      if (node.isIntegralNumber()) {
        ids.add(node.asInt());
        return ids;
      }
      if (!node.isArray()) {
        throw wrongType("eos_token_id", "an integer or a list of integers", node);
      }
      for (JsonNode id : node) {
        if (!id.isIntegralNumber()) {
          throw wrongType("eos_token_id", "an integer or a list of integers", node);
        }
        ids.add(id.asInt());
      }
      return ids;
    }

    private List<String> labels() {
      JsonNode id2label = root.get("id2label");
      if (id2label != null && !id2label.isNull()) {
        if (!id2label.isObject()) {
          throw wrongType("id2label", "an object of id to label", id2label);
        }
        TreeMap<Integer, String> byId = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          try {
            byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
          } catch (NumberFormatException ex) {
            throw wrongType("id2label", "integer keys", id2label);
          }
        }
        if (byId.isEmpty() || byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
          throw wrongType("id2label", "ids 0..n-1", id2label);
        }
        return new ArrayList<>(byId.values());
      }
      if (root.hasNonNull("num_labels")) {
        int n = requiredInt("num_labels");
        if (n <= 0) {
          throw wrongType("num_labels", "a positive integer", root.get("num_labels"));
        }
        List<String> generated = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          generated.add("LABEL_" + i);
        }
        return generated;
      }
      return Builder.DEFAULT_LABELS;
    }

    private int requiredInt(String key) {
      JsonNode value = root.get(key);
      if (value == null || value.isNull()) {
        throw missing(key);
      }
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        throw wrongType(key, "an integer", value);
      }
      return value.asInt();
    }

    private OptionalInt optionalInt(String key, OptionalInt fallback) {
      if (!root.has(key)) {
        return fallback;
      }
      return root.get(key).isNull() ? OptionalInt.empty() : OptionalInt.of(requiredInt(key));
    }

    private double number(String key) {
      JsonNode value = root.get(key);
      if (!value.isNumber()) {
        throw wrongType(key, "a number", value);
      }
      return value.asDouble();
    }

    private boolean bool(String key) {
      JsonNode value = root.get(key);
      if (!value.isBoolean()) {
        throw wrongType(key, "true or false", value);
      }
      return value.asBoolean();
    }

    private String text(String key) {
      JsonNode value = root.get(key);
      if (!value.isTextual()) {
        throw wrongType(key, "a string", value);
      }
      return value.asText();
    }

    private static ModelConfigException missing(String key) {
      return new ModelConfigException(key, FILE + "missing required field '" + key + "'");
    }

    private static ModelConfigException wrongType(String key, String expected, JsonNode found) {
      return new ModelConfigException(
          key, FILE + "field '" + key + "' must be " + expected + ", got " + found);
    }

    private static ModelConfigException unsupported(String key, String value, String supported) {
      return new ModelConfigException(
          key,
          FILE + key + " " + value + " is not supported; supported: " + supported);
    }
  }

  /**
   * Builds a {@link ModelConfig}. Setters check their own range; {@link #build()} checks the
   * combination and that the required sizes were set. Not thread-safe.
   */
  public static final class Builder {
    static final List<String> DEFAULT_LABELS = List.of("LABEL_0", "LABEL_1");

    private final Architecture architecture;
    private int vocabSize;
    private int hiddenSize;
    private int numLayers;
    private int numHeads;
    private int numKvHeads;
    private int headDim;
    private int intermediateSize;
    private double normEps;
    private double ropeTheta = 10_000;
    private Optional<RopeScaling> ropeScaling = Optional.empty();
    private int maxPositionEmbeddings;
    private boolean tieWordEmbeddings;
    private boolean attentionBias;
    private boolean mlpBias;
    private OptionalInt slidingWindow = OptionalInt.empty();
    private OptionalInt bosTokenId;
    private List<Integer> eosTokenIds;
    private OptionalInt padTokenId = OptionalInt.empty();
    private List<String> labels = DEFAULT_LABELS;
    private double initializerRange = 0.02;
    private String torchDtype = "float32";
    private final Map<String, String> extraFields = new LinkedHashMap<>();

    private Builder(Architecture architecture) {
      this.architecture = architecture;
      // the defaults of the transformers configuration classes
      if (architecture.family() == ModelFamily.GPT2) {
        normEps = 1e-5;
        maxPositionEmbeddings = 1024;
        tieWordEmbeddings = true;
      } else {
        normEps = 1e-6;
        maxPositionEmbeddings = architecture.family() == ModelFamily.QWEN2 ? 32_768 : 2048;
        tieWordEmbeddings = false;
      }
      // no default bos/eos: they depend on the tokenizer (Llama's 1/2 are wrong for others)
    }

    private Builder(ModelConfig c) {
      this.architecture = c.architecture;
      vocabSize = c.vocabSize;
      hiddenSize = c.hiddenSize;
      numLayers = c.numLayers;
      numHeads = c.numHeads;
      numKvHeads = c.numKvHeads;
      headDim = c.headDim;
      intermediateSize = c.intermediateSize;
      normEps = c.normEps;
      ropeTheta = c.ropeTheta;
      ropeScaling = c.ropeScaling;
      maxPositionEmbeddings = c.maxPositionEmbeddings;
      tieWordEmbeddings = c.tieWordEmbeddings;
      attentionBias = c.attentionBias;
      mlpBias = c.mlpBias;
      slidingWindow = c.slidingWindow;
      bosTokenId = c.bosTokenId;
      eosTokenIds = c.eosTokenIds;
      padTokenId = c.padTokenId;
      labels = c.labels;
      initializerRange = c.initializerRange;
      torchDtype = c.torchDtype;
      extraFields.putAll(c.extraFields);
    }

    /** Required: the vocabulary size, &gt; 0. */
    public Builder vocabSize(int value) {
      checkPositive("vocab_size", value);
      vocabSize = value;
      return this;
    }

    /** Required: the width of the residual stream, &gt; 0. */
    public Builder hiddenSize(int value) {
      checkPositive("hidden_size", value);
      hiddenSize = value;
      return this;
    }

    /** Required: the number of transformer layers, &gt; 0. */
    public Builder numLayers(int value) {
      checkPositive("num_hidden_layers", value);
      numLayers = value;
      return this;
    }

    /** Required: the number of query heads, &gt; 0. */
    public Builder numHeads(int value) {
      checkPositive("num_attention_heads", value);
      numHeads = value;
      return this;
    }

    /** The number of key/value heads, &gt; 0 (default: {@code numHeads}, no grouping). */
    public Builder numKvHeads(int value) {
      checkPositive("num_key_value_heads", value);
      numKvHeads = value;
      return this;
    }

    /** The width of one head, &gt; 0 (default: {@code hiddenSize / numHeads}). */
    public Builder headDim(int value) {
      checkPositive("head_dim", value);
      headDim = value;
      return this;
    }

    /** The MLP width, &gt; 0 (required for the Llama family; GPT-2 default 4 × hidden). */
    public Builder intermediateSize(int value) {
      checkPositive("intermediate_size", value);
      intermediateSize = value;
      return this;
    }

    /** The normalisation epsilon, &gt; 0 (default 1e-6 for Llama-like, 1e-5 for GPT-2). */
    public Builder normEps(double value) {
      checkArgument(value > 0, "norm epsilon must be > 0 but was %s", value);
      normEps = value;
      return this;
    }

    /** The rotary base, &gt; 0 (default 10000). */
    public Builder ropeTheta(double value) {
      checkArgument(value > 0, "rope_theta must be > 0 but was %s", value);
      ropeTheta = value;
      return this;
    }

    /** The llama3 rotary scaling (default none). */
    public Builder ropeScaling(RopeScaling value) {
      ropeScaling = Optional.of(checkNotNull(value, "ropeScaling"));
      return this;
    }

    /** The longest position the model was trained for, &gt; 0. */
    public Builder maxPositionEmbeddings(int value) {
      checkPositive("max_position_embeddings", value);
      maxPositionEmbeddings = value;
      return this;
    }

    /** Whether the LM head reuses the token embeddings. */
    public Builder tieWordEmbeddings(boolean value) {
      tieWordEmbeddings = value;
      return this;
    }

    /** Llama's attention_bias (biases on q, k, v, o); ignored by other families. */
    public Builder attentionBias(boolean value) {
      attentionBias = value;
      return this;
    }

    /** Llama's mlp_bias; ignored by other families. */
    public Builder mlpBias(boolean value) {
      mlpBias = value;
      return this;
    }

    /** Mistral's sliding attention window, &gt; 0. */
    public Builder slidingWindow(int value) {
      checkPositive("sliding_window", value);
      slidingWindow = OptionalInt.of(value);
      return this;
    }

    Builder slidingWindow(OptionalInt value) {
      slidingWindow = value;
      return this;
    }

    /**
     * Required (empty for a model without one): the beginning-of-sequence id, below {@code
     * vocab_size}.
     */
    public Builder bosTokenId(OptionalInt value) {
      bosTokenId = checkNotNull(value, "bosTokenId");
      return this;
    }

    /**
     * Required (empty for none): the end-of-sequence ids, each below {@code vocab_size}.
     */
    public Builder eosTokenIds(List<Integer> value) {
      eosTokenIds = List.copyOf(value);
      return this;
    }

    /**
     * The bos, eos and pad ids of {@code tokenizer} (each empty where it has none); the
     * vocabulary size is not changed.
     *
     * @throws IllegalArgumentException if tokenizer is null
     */
    public Builder specialTokenIds(dev.rlhf4j.models.tokenizer.HfTokenizer tokenizer) {
      checkArgument(tokenizer != null, "tokenizer must not be null");
      bosTokenId = toInt(tokenizer.bosTokenId());
      padTokenId = toInt(tokenizer.padTokenId());
      eosTokenIds = tokenizer.eosTokenIds().stream().map(Math::toIntExact).toList();
      return this;
    }

    private static OptionalInt toInt(java.util.OptionalLong id) {
      return id.isPresent() ? OptionalInt.of(Math.toIntExact(id.getAsLong())) : OptionalInt.empty();
    }

    /** The padding id, if any. */
    public Builder padTokenId(OptionalInt value) {
      padTokenId = checkNotNull(value, "padTokenId");
      return this;
    }

    /** The classification labels in id order, at least one (default LABEL_0, LABEL_1). */
    public Builder labels(List<String> value) {
      checkArgument(!value.isEmpty(), "labels must not be empty");
      labels = List.copyOf(value);
      return this;
    }

    /** {@code n} labels named LABEL_0 .. LABEL_{n-1}; {@code n} &gt; 0. */
    public Builder numLabels(int n) {
      checkPositive("num_labels", n);
      List<String> generated = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        generated.add("LABEL_" + i);
      }
      labels = List.copyOf(generated);
      return this;
    }

    /** The standard deviation of random weights, &gt; 0 (default 0.02). */
    public Builder initializerRange(double value) {
      checkArgument(value > 0, "initializer_range must be > 0 but was %s", value);
      initializerRange = value;
      return this;
    }

    /** The {@code torch_dtype} to write (default "float32"). */
    public Builder torchDtype(String value) {
      torchDtype = checkNotNull(value, "torchDtype");
      return this;
    }

    /** Keys rlhf4j does not interpret, mapped to their JSON text; replaces earlier ones. */
    public Builder extraFields(Map<String, String> value) {
      extraFields.putAll(value);
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalArgumentException if a required size was not set or the combination is
     *     invalid (see {@link ModelConfig#ModelConfig})
     */
    public ModelConfig build() {
      checkArgument(vocabSize > 0, "vocab_size is required");
      checkArgument(hiddenSize > 0, "hidden_size is required");
      checkArgument(numLayers > 0, "num_hidden_layers is required");
      checkArgument(numHeads > 0, "num_attention_heads is required");
      boolean gpt2 = architecture.family() == ModelFamily.GPT2;
      checkArgument(gpt2 || intermediateSize > 0, "intermediate_size is required");
      checkArgument(
          bosTokenId != null,
          "bos_token_id is required: call bosTokenId(OptionalInt.of(id)), or OptionalInt.empty()"
              + " for a model without one, or specialTokenIds(tokenizer); there is no default"
              + " (the ids depend on the tokenizer)");
      checkArgument(
          eosTokenIds != null,
          "eos_token_id is required: call eosTokenIds(List.of(id, ...)) or"
              + " specialTokenIds(tokenizer); there is no default (the ids depend on the"
              + " tokenizer)");
      int kv = numKvHeads > 0 ? numKvHeads : numHeads;
      checkArgument(
          headDim > 0 || hiddenSize % numHeads == 0,
          "hidden_size (%s) must be a multiple of num_attention_heads (%s) unless head_dim is set",
          hiddenSize,
          numHeads);
      int dim = headDim > 0 ? headDim : hiddenSize / numHeads;
      int inner = intermediateSize > 0 ? intermediateSize : 4 * hiddenSize;
      return new ModelConfig(
          architecture, vocabSize, hiddenSize, numLayers, numHeads, kv, dim, inner, normEps,
          ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias,
          mlpBias, slidingWindow, bosTokenId, eosTokenIds, padTokenId, labels, initializerRange,
          torchDtype, extraFields);
    }
  }
}
