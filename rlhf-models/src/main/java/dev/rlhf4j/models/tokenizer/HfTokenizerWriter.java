package dev.rlhf4j.models.tokenizer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.models.tokenizer.internal.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small Hugging Face tokenizer directory from an explicit vocabulary: a {@code
 * tokenizer.json} that the native fast tokenizer (and so {@link HfTokenizer#load}) reads, and a
 * {@code tokenizer_config.json} with the special tokens and the chat template. For synthetic
 * tasks, examples, benchmarks and tests that need a real tokenizer without downloading one.
 *
 * <pre>{@code
 * HfTokenizerWriter writer =
 *     HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.WORDS)
 *         .vocabulary(List.of("<pad>", "<unk>", "<end>", "yes", "no"))
 *         .specialTokens(List.of("<pad>", "<unk>", "<end>"))
 *         .padToken("<pad>").unkToken("<unk>").eosToken("<end>")
 *         .chatTemplate("{% for m in messages %}{{ m['content'] }} <end>{% endfor %}")
 *         .build();
 * try (HfTokenizer tokenizer = HfTokenizer.load(writer.write(Path.of("tok")))) {
 *   tokenizer.encode("yes no", false);   // [3, 4]
 * }
 * }</pre>
 *
 * <p>A token's id is its index in the vocabulary. The special tokens are written as added tokens
 * with those ids: the tokenizer matches them whole before splitting the text, and {@link
 * HfTokenizer#decode} drops them. The configuration always says {@code tokenizer_class
 * PreTrainedTokenizerFast} and {@code clean_up_tokenization_spaces false}, so decoding gives the
 * tokens' text back unchanged.
 *
 * <p>Immutable and thread-safe; writing the same directory from two threads at once is not.
 */
public final class HfTokenizerWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METASPACE = "\u2581";

  private final Segmentation segmentation;
  private final List<String> vocabulary;
  private final List<String> specialTokens;
  private final List<String> merges;
  private final Map<String, String> namedTokens;
  private final boolean addBosToken;
  private final String chatTemplate;
  private final int modelMaxLength;

  /** How text is cut into tokens; each is one closed combination of tokenizer.json parts. */
  public enum Segmentation {
    /**
     * Whole words: a {@code WordLevel} model after a {@code WhitespaceSplit} pre-tokenizer. A word
     * outside the vocabulary becomes the unknown token (required); decoding joins the tokens with
     * single spaces. Merges are not allowed.
     */
    WORDS,
    /**
     * Characters: a {@code BPE} model with no pre-tokenizer and a {@code Fuse} decoder, so every
     * character is a token (the vocabulary should hold every character the texts use), the
     * merges join neighbours, and decoding gives the exact text back.
     */
    CHARACTERS,
    /**
     * Characters in the SentencePiece style: like {@link #CHARACTERS}, but a {@code Metaspace}
     * pre-tokenizer and decoder turn each space into "▁" and start every text with one, as
     * Llama-2 and Mistral tokenizers do. The vocabulary should hold "▁".
     */
    METASPACE_CHARACTERS
  }

  private HfTokenizerWriter(Builder builder) {
    this.segmentation = builder.segmentation;
    this.vocabulary = List.copyOf(builder.vocabulary);
    this.specialTokens = List.copyOf(builder.specialTokens);
    this.merges = List.copyOf(builder.merges);
    this.namedTokens = Map.copyOf(builder.namedTokens);
    this.addBosToken = builder.addBosToken;
    this.chatTemplate = builder.chatTemplate;
    this.modelMaxLength = builder.modelMaxLength;
  }

  /**
   * Starts a builder.
   *
   * @throws IllegalArgumentException if segmentation is null
   */
  public static Builder builder(Segmentation segmentation) {
    checkArgument(segmentation != null, "segmentation must not be null");
    return new Builder(segmentation);
  }

  /** A builder holding this writer's settings. */
  public Builder toBuilder() {
    Builder builder = new Builder(segmentation);
    builder.vocabulary = vocabulary;
    builder.specialTokens = specialTokens;
    builder.merges = merges;
    builder.namedTokens.putAll(namedTokens);
    builder.addBosToken = addBosToken;
    builder.chatTemplate = chatTemplate;
    builder.modelMaxLength = modelMaxLength;
    return builder;
  }

  /** The tokens in id order. */
  public List<String> vocabulary() {
    return vocabulary;
  }

  /**
   * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}, creating the
   * directory if needed and replacing the files.
   *
   * @return {@code dir}, ready for {@link HfTokenizer#load}
   * @throws IllegalArgumentException if dir is null
   * @throws UncheckedIOException if the directory or a file cannot be written
   */
  public Path write(Path dir) {
    checkArgument(dir != null, "dir must not be null");
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(TokenizerFiles.TOKENIZER_JSON), tokenizerJson());
      Files.writeString(dir.resolve(TokenizerFiles.TOKENIZER_CONFIG_JSON), tokenizerConfigJson());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the tokenizer files to " + dir, e);
    }
    return dir;
  }

  /** The text of {@code tokenizer.json}. */
  public String tokenizerJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int id = 0; id < vocabulary.size(); id++) {
      if (specialTokens.contains(vocabulary.get(id))) {
        added
            .addObject()
            .put("id", id)
            .put("content", vocabulary.get(id))
            .put("single_word", false)
            .put("lstrip", false)
            .put("rstrip", false)
            .put("normalized", false)
            .put("special", true);
      }
    }
    root.putNull("normalizer");
    switch (segmentation) {
      case WORDS -> root.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
      case CHARACTERS -> root.putNull("pre_tokenizer");
      case METASPACE_CHARACTERS -> metaspace(root.putObject("pre_tokenizer"));
    }
    if (addBosToken) {
      bosPostProcessor(root.putObject("post_processor"));
    } else {
      root.putNull("post_processor");
    }
    switch (segmentation) {
      case WORDS -> root.putNull("decoder");
      case CHARACTERS -> root.putObject("decoder").put("type", "Fuse");
      case METASPACE_CHARACTERS -> metaspace(root.putObject("decoder"));
    }
    ObjectNode model = root.putObject("model");
    if (segmentation == Segmentation.WORDS) {
      model.put("type", "WordLevel");
      putVocabulary(model);
      model.put("unk_token", namedTokens.get("unk_token"));
    } else {
      model.put("type", "BPE");
      model.putNull("dropout");
      model.put("unk_token", namedTokens.get("unk_token"));
      model.putNull("continuing_subword_prefix");
      model.putNull("end_of_word_suffix");
      model.put("fuse_unk", false);
      model.put("byte_fallback", false);
      putVocabulary(model);
      ArrayNode mergeList = model.putArray("merges");
      merges.forEach(mergeList::add);
    }
    return prettyPrint(root);
  }

  /** The text of {@code tokenizer_config.json}. */
  public String tokenizerConfigJson() {
    ObjectNode config = JSON.createObjectNode();
    config.put("tokenizer_class", "PreTrainedTokenizerFast");
    for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
      if (namedTokens.containsKey(key)) {
        config.put(key, namedTokens.get(key));
      }
    }
    config.put("clean_up_tokenization_spaces", false);
    if (modelMaxLength > 0) {
      config.put("model_max_length", modelMaxLength);
    }
    if (chatTemplate != null) {
      config.put("chat_template", chatTemplate);
    }
    return prettyPrint(config);
  }

  private void putVocabulary(ObjectNode model) {
    ObjectNode vocab = model.putObject("vocab");
    for (int id = 0; id < vocabulary.size(); id++) {
      vocab.put(vocabulary.get(id), id);
    }
  }

  private static void metaspace(ObjectNode node) {
    node.put("type", "Metaspace")
        .put("replacement", METASPACE)
        .put("prepend_scheme", "always")
        .put("split", true);
  }

  /** transformers' TemplateProcessing for a BOS before each sequence, as Llama tokenizers save. */
  private void bosPostProcessor(ObjectNode post) {
    String bos = namedTokens.get("bos_token");
    post.put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode special = post.putObject("special_tokens").putObject(bos);
    special.put("id", bos);
    special.putArray("ids").add(vocabulary.indexOf(bos));
    special.putArray("tokens").add(bos);
  }

  private static String prettyPrint(ObjectNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // a tree of strings, numbers and booleans always serializes
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  /**
   * Settings for {@link HfTokenizerWriter}: the vocabulary is required, the special tokens name
   * which of its tokens are special, and {@code bos/eos/pad/unk} tokens must be among them.
   * Setters check their own values; {@link #build()} checks the combination. Not thread-safe.
   */
  public static final class Builder {
    private final Segmentation segmentation;
    private List<String> vocabulary;
    private List<String> specialTokens = List.of();
    private List<String> merges = List.of();
    private final Map<String, String> namedTokens = new LinkedHashMap<>();
    private boolean addBosToken;
    private String chatTemplate;
    private int modelMaxLength;

    private Builder(Segmentation segmentation) {
      this.segmentation = segmentation;
    }

    /**
     * The tokens in id order: the first has id 0. Required.
     *
     * @throws IllegalArgumentException if tokens is null or empty, or holds a null, an empty
     *     string or a token twice (the message names both ids)
     */
    public Builder vocabulary(List<String> tokens) {
      checkArgument(tokens != null && !tokens.isEmpty(), "vocabulary must not be null or empty");
      Map<String, Integer> seen = new HashMap<>();
      for (int id = 0; id < tokens.size(); id++) {
        String token = tokens.get(id);
        checkArgument(
            token != null && !token.isEmpty(),
            "vocabulary[%s] must not be null or empty but was %s",
            id,
            token == null ? "null" : "''");
        Integer first = seen.putIfAbsent(token, id);
        checkArgument(
            first == null, "vocabulary holds '%s' twice, at ids %s and %s", token, first, id);
      }
      this.vocabulary = List.copyOf(tokens);
      return this;
    }

    /**
     * Which vocabulary tokens are special (chat markers, BOS, EOS, padding, unknown): matched
     * whole in any text and dropped by {@link HfTokenizer#decode}. None by default. Checked
     * against the vocabulary in {@link #build()}.
     *
     * @throws IllegalArgumentException if tokens is null, or holds a null or a token twice
     */
    public Builder specialTokens(List<String> tokens) {
      checkArgument(tokens != null, "specialTokens must not be null");
      for (int i = 0; i < tokens.size(); i++) {
        checkArgument(tokens.get(i) != null, "specialTokens[%s] must not be null", i);
        checkArgument(
            tokens.indexOf(tokens.get(i)) == i,
            "specialTokens holds '%s' twice",
            tokens.get(i));
      }
      this.specialTokens = List.copyOf(tokens);
      return this;
    }

    /**
     * BPE merges, in priority order, each written {@code "left right"}: the tokenizer joins a
     * {@code left} token followed by a {@code right} token into {@code leftright}. None by
     * default; only for the character segmentations. The three tokens of each merge must be in
     * the vocabulary (checked in {@link #build()}).
     *
     * @throws IllegalArgumentException if merges is null, or a merge is null or not two non-empty
     *     tokens separated by one space
     */
    public Builder merges(List<String> merges) {
      checkArgument(merges != null, "merges must not be null");
      for (int i = 0; i < merges.size(); i++) {
        String merge = merges.get(i);
        checkArgument(
            merge != null && merge.split(" ", -1).length == 2 && !merge.startsWith(" ")
                && !merge.endsWith(" "),
            "merges[%s] must be two tokens separated by one space, like \"a b\", but was %s",
            i,
            merge == null ? "null" : "'" + merge + "'");
      }
      this.merges = List.copyOf(merges);
      return this;
    }

    /**
     * The beginning-of-sequence token; none by default.
     *
     * @throws IllegalArgumentException if token is null or empty
     */
    public Builder bosToken(String token) {
      return namedToken("bos_token", token);
    }

    /**
     * The end-of-sequence token that ends a response; none by default.
     *
     * @throws IllegalArgumentException if token is null or empty
     */
    public Builder eosToken(String token) {
      return namedToken("eos_token", token);
    }

    /**
     * The padding token; none by default. Use a token of its own, not the EOS: a reward model
     * pools at the last non-pad token.
     *
     * @throws IllegalArgumentException if token is null or empty
     */
    public Builder padToken(String token) {
      return namedToken("pad_token", token);
    }

    /**
     * The token that stands for text outside the vocabulary; required for {@link
     * Segmentation#WORDS}. Without one, the character segmentations drop unknown characters.
     *
     * @throws IllegalArgumentException if token is null or empty
     */
    public Builder unkToken(String token) {
      return namedToken("unk_token", token);
    }

    private Builder namedToken(String key, String token) {
      checkArgument(token != null && !token.isEmpty(), "%s must not be null or empty", key);
      namedTokens.put(key, token);
      return this;
    }

    /**
     * Whether {@link HfTokenizer#encode encode(text, true)} puts the BOS token before the text
     * (a post-processor, as Llama tokenizers have); false by default. Requires {@link
     * #bosToken}.
     */
    public Builder addBosToken(boolean add) {
      this.addBosToken = add;
      return this;
    }

    /**
     * The Jinja chat template of tokenizer_config.json; none by default.
     *
     * @throws IllegalArgumentException if template is null or blank
     */
    public Builder chatTemplate(String template) {
      checkArgument(template != null && !template.isBlank(), "chatTemplate must not be blank");
      this.chatTemplate = template;
      return this;
    }

    /**
     * The {@code model_max_length} the configuration declares (informational: {@link
     * HfTokenizer} never truncates); not written by default.
     *
     * @throws IllegalArgumentException if length is not positive
     */
    public Builder modelMaxLength(int length) {
      checkArgument(length > 0, "modelMaxLength must be > 0 but was %s", length);
      this.modelMaxLength = length;
      return this;
    }

    /**
     * Checks the combination and makes the writer.
     *
     * @throws IllegalStateException if no vocabulary was set
     * @throws IllegalArgumentException if a special token is not in the vocabulary; if the bos,
     *     eos, pad or unk token is not one of the special tokens; if {@link Segmentation#WORDS}
     *     has no unk token, has merges, or a token that is not special holds white space (the
     *     pre-tokenizer could never produce it); if a merge's tokens are not in the vocabulary;
     *     or if {@link #addBosToken} is set without a bos token
     */
    public HfTokenizerWriter build() {
      checkState(vocabulary != null, "vocabulary(...) is required");
      for (String special : specialTokens) {
        checkArgument(
            vocabulary.contains(special),
            "special token '%s' is not in the vocabulary; add it there (its index is its id)",
            special);
      }
      for (Map.Entry<String, String> named : namedTokens.entrySet()) {
        checkArgument(
            specialTokens.contains(named.getValue()),
            "%s '%s' must be one of the special tokens %s",
            named.getKey(),
            named.getValue(),
            specialTokens);
      }
      checkArgument(
          !addBosToken || namedTokens.containsKey("bos_token"),
          "addBosToken(true) needs a bosToken(...)");
      if (segmentation == Segmentation.WORDS) {
        checkWords();
      } else {
        checkMerges();
      }
      return new HfTokenizerWriter(this);
    }

    private void checkWords() {
      checkArgument(
          namedTokens.containsKey("unk_token"),
          "segmentation WORDS needs an unkToken(...) for words outside the vocabulary");
      checkArgument(
          merges.isEmpty(), "merges apply to character segmentations, not WORDS: %s", merges);
      for (String token : vocabulary) {
        checkArgument(
            specialTokens.contains(token) || token.chars().noneMatch(Character::isWhitespace),
            "word '%s' holds white space, so the WORDS segmentation can never produce it;"
                + " split it or make it a special token",
            token);
      }
    }

    private void checkMerges() {
      List<String> missing = new ArrayList<>();
      for (String merge : merges) {
        int space = merge.indexOf(' ');
        for (String token :
            List.of(merge.substring(0, space), merge.substring(space + 1),
                merge.substring(0, space) + merge.substring(space + 1))) {
          if (!vocabulary.contains(token) && !missing.contains(token)) {
            missing.add(token);
          }
        }
      }
      checkArgument(
          missing.isEmpty(), "merges need these tokens in the vocabulary: %s", missing);
    }
  }
}
