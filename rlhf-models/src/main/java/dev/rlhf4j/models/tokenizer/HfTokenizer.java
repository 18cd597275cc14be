package dev.rlhf4j.models.tokenizer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.Role;
import dev.rlhf4j.models.tokenizer.internal.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face fast tokenizer loaded from a local model directory, with the model's special
 * tokens and chat template.
 *
 * <p>The directory must hold {@code tokenizer.json}; {@code tokenizer_config.json} (special
 * tokens, {@code chat_template}, {@code clean_up_tokenization_spaces}), {@code
 * special_tokens_map.json}, {@code chat_template.jinja}, {@code generation_config.json} and
 * {@code config.json} (their {@code eos_token_id}, an integer or a list) are read when present.
 * Nothing is downloaded.
 *
 * <p>Unlike DJL's {@code HuggingFaceTokenizer} defaults, nothing is truncated or padded, and
 * every encode call says whether the tokenizer's own special tokens (a BOS for Llama, none for
 * Qwen2) are added. Text rendered from a chat template already holds its special tokens as text:
 * encode it with {@code addSpecialTokens = false}, as transformers' {@code apply_chat_template}
 * does, or the BOS appears twice.
 *
 * <pre>{@code
 * try (HfTokenizer tokenizer = HfTokenizer.load(Path.of("models/my-sft"))) {
 *   long[] prompt = tokenizer.encodeChat(List.of(Message.user("Hi")), true);
 *   PromptResponseIds pair =
 *       tokenizer.encodePromptResponse(List.of(Message.user("Hi")), "Hello!", true);
 *   long[] labels = pair.labels(-100);   // prompt masked out
 * }
 * }</pre>
 *
 * <p>Owns a native tokenizer: close it. {@link #close()} is idempotent; every other method throws
 * {@link IllegalStateException} after it. Encoding, decoding and rendering may run concurrently
 * from several threads; closing must not race with them.
 */
public final class HfTokenizer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HfTokenizer.class);

  private final Path directory;
  private final HuggingFaceTokenizer tokenizer;
  private final Map<String, Long> vocabulary;
  private final Map<Long, String> tokensById;
  private final int vocabSize;
  private final Set<Long> specialTokenIds;
  private final Map<String, String> specialTokens;
  private final Set<Long> eosTokenIds;
  private final ChatTemplate chatTemplate;
  private final boolean cleanUpTokenizationSpaces;
  private final AtomicBoolean closed = new AtomicBoolean();

  private HfTokenizer(Builder builder, TokenizerFiles.Contents contents, HuggingFaceTokenizer hf) {
    this.directory = builder.directory;
    this.tokenizer = hf;
    this.vocabulary = contents.vocabulary();
    Map<Long, String> reverse = new HashMap<>();
    long maxId = -1;
    for (Map.Entry<String, Long> entry : vocabulary.entrySet()) {
      reverse.putIfAbsent(entry.getValue(), entry.getKey());
      maxId = Math.max(maxId, entry.getValue());
    }
    this.tokensById = Map.copyOf(reverse);
    this.vocabSize = Math.toIntExact(maxId + 1);
    this.specialTokenIds = contents.specialTokenIds();
    this.specialTokens = contents.specialTokens();
    this.cleanUpTokenizationSpaces = contents.cleanUpTokenizationSpaces();

    for (String key : List.of("bos_token", "eos_token", "pad_token")) {
      String token = specialTokens.get(key);
      if (token != null && !vocabulary.containsKey(token)) {
        LOG.warn("{} names {} '{}' but the tokenizer has no such token; its id is left empty",
            directory, key, token);
      }
    }
    Set<Long> eos = new LinkedHashSet<>();
    lookUpSpecial("eos_token").ifPresent(eos::add);
    eos.addAll(contents.configEosTokenIds());

    ChatTemplate template = builder.chatTemplate;
    if (template == null && contents.chatTemplate().isPresent()) {
      template = ChatTemplate.jinja(directory.toString(), contents.chatTemplate().get());
    }
    if (template == null && builder.fallbackFormat != null) {
      template = builder.fallbackFormat.template();
      for (String marker : builder.fallbackFormat.markerTokens()) {
        if (!vocabulary.containsKey(marker)) {
          LOG.warn(
              "{} has no chat_template and its tokenizer lacks {}, a marker of the {} fallback"
                  + " format: the marker will be split into ordinary tokens",
              directory, marker, builder.fallbackFormat);
        }
      }
      OptionalLong endOfTurn = tokenToId(builder.fallbackFormat.endOfTurnToken());
      endOfTurn.ifPresent(eos::add);
    }
    this.chatTemplate =
        template == null
            ? null
            : template
                .withVariables(specialTokens)
                .withVariables(builder.templateVariables)
                .withLimits(builder.templateLimits);

    for (long id : builder.extraEosTokenIds) {
      checkArgument(
          id >= 0 && id < vocabSize,
          "extra EOS token id must be in [0, %s) for %s but was %s",
          vocabSize,
          directory,
          id);
      eos.add(id);
    }
    this.eosTokenIds = Collections.unmodifiableSet(eos);
  }

  /**
   * Loads the tokenizer of a model directory with default settings: no fallback chat format, no
   * extra EOS ids.
   *
   * @throws IllegalArgumentException if modelDirectory is null or not a directory
   * @throws Rlhf4jException if tokenizer.json is missing or any file is malformed (the message
   *     names the file)
   */
  public static HfTokenizer load(Path modelDirectory) {
    return builder(modelDirectory).build();
  }

  /**
   * Starts a builder for the tokenizer of a model directory.
   *
   * @throws IllegalArgumentException if modelDirectory is null
   */
  public static Builder builder(Path modelDirectory) {
    checkArgument(modelDirectory != null, "modelDirectory must not be null");
    return new Builder(modelDirectory);
  }

  /** The model directory this tokenizer was loaded from. */
  public Path directory() {
    return directory;
  }

  /**
   * Encodes text to token ids, without truncation or padding.
   *
   * @param addSpecialTokens whether to add the tokenizer's own special tokens (its post-processor:
   *     BOS for Llama-style tokenizers); false for text rendered from a chat template
   * @throws IllegalArgumentException if text is null
   * @throws IllegalStateException if the tokenizer was closed
   */
  public long[] encode(String text, boolean addSpecialTokens) {
    checkArgument(text != null, "text must not be null");
    checkOpen();
    return tokenizer.encode(text, addSpecialTokens, false).getIds();
  }

  /**
   * Encodes several texts at once (the native tokenizer may use several threads). Each result is
   * as {@link #encode(String, boolean)} would give: no truncation, no padding.
   *
   * @throws IllegalArgumentException if texts is null or holds a null
   * @throws IllegalStateException if the tokenizer was closed
   */
  public List<long[]> encodeBatch(List<String> texts, boolean addSpecialTokens) {
    checkArgument(texts != null, "texts must not be null");
    for (int i = 0; i < texts.size(); i++) {
      checkArgument(texts.get(i) != null, "texts[%s] must not be null", i);
    }
    checkOpen();
    if (texts.isEmpty()) {
      return List.of();
    }
    Encoding[] encodings = tokenizer.batchEncode(texts.toArray(new String[0]), addSpecialTokens,
        false);
    List<long[]> out = new ArrayList<>(encodings.length);
    for (Encoding encoding : encodings) {
      out.add(encoding.getIds());
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Decodes ids to text, dropping special tokens (BOS, EOS, end-of-turn markers, padding): the
   * text a user would see. Applies {@code clean_up_tokenization_spaces} when the model's
   * tokenizer_config.json asks for it, as transformers does.
   *
   * @throws IllegalArgumentException if ids is null
   * @throws IllegalStateException if the tokenizer was closed
   */
  public String decode(long[] ids) {
    return decode(ids, true);
  }

  /**
   * Decodes ids to text, writing special tokens out as text (for debugging a rendered prompt).
   *
   * @throws IllegalArgumentException if ids is null
   * @throws IllegalStateException if the tokenizer was closed
   */
  public String decodeWithSpecialTokens(long[] ids) {
    return decode(ids, false);
  }

  /**
   * Decodes several id sequences, dropping special tokens, as {@link #decode(long[])} does.
   *
   * @throws IllegalArgumentException if idLists is null or holds a null
   * @throws IllegalStateException if the tokenizer was closed
   */
  public List<String> decodeBatch(List<long[]> idLists) {
    checkArgument(idLists != null, "idLists must not be null");
    for (int i = 0; i < idLists.size(); i++) {
      checkArgument(idLists.get(i) != null, "idLists[%s] must not be null", i);
    }
    checkOpen();
    if (idLists.isEmpty()) {
      return List.of();
    }
    String[] texts = tokenizer.batchDecode(idLists.toArray(new long[0][]), true);
    List<String> out = new ArrayList<>(texts.length);
    for (String text : texts) {
      out.add(cleanUp(text));
    }
    return Collections.unmodifiableList(out);
  }

  private String decode(long[] ids, boolean skipSpecialTokens) {
    checkArgument(ids != null, "ids must not be null");
    checkOpen();
    return cleanUp(tokenizer.decode(ids, skipSpecialTokens));
  }

  private String cleanUp(String text) {
    if (!cleanUpTokenizationSpaces) {
      return text;
    }
    // transformers' clean_up_tokenization: undo the spaces a word-level decoder puts before
    // punctuation and English contractions
    return text.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re");
  }

  /**
   * The id of a token, as written in the vocabulary or the added tokens (e.g. {@code "<|eot_id|>"}
   * or {@code "Ġhello"}); empty if the tokenizer does not have it.
   *
   * @throws IllegalArgumentException if token is null
   */
  public OptionalLong tokenToId(String token) {
    checkArgument(token != null, "token must not be null");
    Long id = vocabulary.get(token);
    return id == null ? OptionalLong.empty() : OptionalLong.of(id);
  }

  /** The token with an id, as written in the vocabulary; empty if no token has it. */
  public Optional<String> idToToken(long id) {
    return Optional.ofNullable(tokensById.get(id));
  }

  /**
   * The number of token ids: the largest id of the vocabulary and the added tokens, plus one
   * ({@code len(tokenizer)} in transformers). A model's embedding matrix may have more rows.
   */
  public int vocabSize() {
    return vocabSize;
  }

  /** The ids of the added tokens marked special; decoding drops them. */
  public Set<Long> specialTokenIds() {
    return specialTokenIds;
  }

  /**
   * The special tokens as the configuration names them ({@code bos_token}, {@code eos_token},
   * {@code pad_token}, {@code unk_token}, ...); the chat template sees the same variables.
   */
  public Map<String, String> specialTokens() {
    return specialTokens;
  }

  /** The beginning-of-sequence token of tokenizer_config.json, if any. */
  public Optional<String> bosToken() {
    return Optional.ofNullable(specialTokens.get("bos_token"));
  }

  /** The id of {@link #bosToken()}, if the token is in the vocabulary. */
  public OptionalLong bosTokenId() {
    return lookUpSpecial("bos_token");
  }

  /** The end-of-sequence token of tokenizer_config.json, if any. */
  public Optional<String> eosToken() {
    return Optional.ofNullable(specialTokens.get("eos_token"));
  }

  /**
   * The id of {@link #eosToken()}, if the token is in the vocabulary; the id to append to a
   * response that must end. Generation should stop on any of {@link #eosTokenIds()}.
   */
  public OptionalLong eosTokenId() {
    return lookUpSpecial("eos_token");
  }

  /**
   * Every id that ends a response, in this order: the {@code eos_token}, the {@code eos_token_id}
   * of generation_config.json and config.json (Llama-3 lists {@code <|eot_id|>} there), the
   * fallback format's end-of-turn token, and the builder's extra ids. Unmodifiable.
   */
  public Set<Long> eosTokenIds() {
    return eosTokenIds;
  }

  /**
   * The padding token of tokenizer_config.json, if any. Never substitute the EOS token: a reward
   * model that pools the last non-pad token would then read the wrong position.
   */
  public Optional<String> padToken() {
    return Optional.ofNullable(specialTokens.get("pad_token"));
  }

  /** The id of {@link #padToken()}, if the token is in the vocabulary. */
  public OptionalLong padTokenId() {
    return lookUpSpecial("pad_token");
  }

  private OptionalLong lookUpSpecial(String key) {
    String token = specialTokens.get(key);
    return token == null ? OptionalLong.empty() : tokenToId(token);
  }

  /** Whether a chat template is available: the directory's own, an override, or a fallback. */
  public boolean hasChatTemplate() {
    return chatTemplate != null;
  }

  /**
   * The chat template, with this tokenizer's special tokens bound: the builder's override, else
   * the directory's own, else the fallback format.
   *
   * @throws Rlhf4jException if there is none; the message says how to choose a fallback
   */
  public ChatTemplate chatTemplate() {
    if (chatTemplate == null) {
      throw new Rlhf4jException(
          directory + " has no chat_template (in " + TokenizerFiles.TOKENIZER_CONFIG_JSON
              + " or " + TokenizerFiles.CHAT_TEMPLATE_JINJA + "): choose one with"
              + " HfTokenizer.builder(dir).fallbackChatFormat(ChatFormat.CHATML) or"
              + " .chatTemplate(ChatTemplate.jinja(...))");
    }
    return chatTemplate;
  }

  /**
   * Renders messages with {@link #chatTemplate()}.
   *
   * @param addGenerationPrompt whether to end with the header that opens an assistant turn
   * @throws IllegalArgumentException if messages is null or holds a null
   * @throws Rlhf4jException if there is no chat template
   * @throws ChatTemplateException if the template refuses the conversation or fails
   */
  public String applyChatTemplate(List<Message> messages, boolean addGenerationPrompt) {
    return chatTemplate().render(messages, addGenerationPrompt);
  }

  /**
   * Renders messages with {@link #chatTemplate()} and encodes the text without adding special
   * tokens (the template wrote them).
   *
   * @throws IllegalArgumentException if messages is null or holds a null
   * @throws IllegalStateException if the tokenizer was closed
   * @throws Rlhf4jException if there is no chat template
   * @throws ChatTemplateException if the template refuses the conversation or fails
   */
  public long[] encodeChat(List<Message> messages, boolean addGenerationPrompt) {
    return encode(applyChatTemplate(messages, addGenerationPrompt), false);
  }

  /**
   * Encodes a prompt and a response so that the ids start with exactly the ids of the prompt as
   * it is given to the model for generation, and says where the response starts.
   *
   * <p>The prompt is rendered with {@code add_generation_prompt = true}, the whole conversation
   * (prompt plus an assistant turn holding the response) without it, and the first rendering must
   * be a prefix of the second. The two parts are then tokenized separately and concatenated:
   * tokenizing the whole text at once could let a BPE merge join the last characters of the prompt
   * with the first of the response, and the prompt's ids would no longer be a prefix. The
   * response part is the rest of the conversation's rendering, so it carries whatever the template
   * writes after an answer ({@code <|eot_id|>}, {@code <|im_end|>\n}, {@code </s>}).
   *
   * <p>The response is tokenized on its own, so a tokenizer that marks the start of a text (the
   * SentencePiece "▁" prefix) may give it slightly different ids than the whole text would; the
   * prompt ids are exact.
   *
   * @param prompt the conversation so far; must not end with an assistant turn
   * @param response the assistant's answer
   * @param appendEos whether to append {@link #eosTokenId()} when the response ids do not already
   *     end with one of {@link #eosTokenIds()}
   * @throws IllegalArgumentException if prompt is null, empty, holds a null or ends with an
   *     assistant turn, or response is null
   * @throws IllegalStateException if the tokenizer was closed
   * @throws Rlhf4jException if there is no chat template, if the template renders the prompt
   *     differently inside the whole conversation (the message shows both renderings), or if
   *     appendEos is set and the tokenizer has no EOS token
   * @throws ChatTemplateException if the template refuses the conversation or fails
   */
  public PromptResponseIds encodePromptResponse(
      List<Message> prompt, String response, boolean appendEos) {
    checkArgument(prompt != null && !prompt.isEmpty(), "prompt must hold at least one message");
    checkArgument(response != null, "response must not be null");
    for (int i = 0; i < prompt.size(); i++) {
      // List.of(...).contains(null) would throw: look at each turn
      checkArgument(prompt.get(i) != null, "prompt[%s] must not be null", i);
    }
    checkArgument(
        prompt.get(prompt.size() - 1).role() != Role.ASSISTANT,
        "prompt must not end with an assistant turn: the response is the assistant turn");
    ChatTemplate template = chatTemplate();
    String promptText = template.render(prompt, true);
    List<Message> conversation = new ArrayList<>(prompt);
    conversation.add(Message.assistant(response));
    String fullText = template.render(conversation, false);
    if (!fullText.startsWith(promptText)) {
      throw new Rlhf4jException(prefixMismatch(template.name(), promptText, fullText));
    }
    long[] promptIds = encode(promptText, false);
    long[] responseIds = encode(fullText.substring(promptText.length()), false);
    boolean addEos =
        appendEos
            && (responseIds.length == 0
                || !eosTokenIds.contains(responseIds[responseIds.length - 1]));
    if (addEos && eosTokenId().isEmpty()) {
      throw new Rlhf4jException(
          "appendEos was requested but " + directory + " has no eos_token in its vocabulary;"
              + " pass appendEos = false or fix " + TokenizerFiles.TOKENIZER_CONFIG_JSON);
    }
    long[] ids = Arrays.copyOf(promptIds, promptIds.length + responseIds.length + (addEos ? 1 : 0));
    System.arraycopy(responseIds, 0, ids, promptIds.length, responseIds.length);
    if (addEos) {
      ids[ids.length - 1] = eosTokenId().getAsLong();
    }
    return new PromptResponseIds(ids, promptIds.length);
  }

  private static String prefixMismatch(String name, String promptText, String fullText) {
    int at = 0;
    int limit = Math.min(promptText.length(), fullText.length());
    while (at < limit && promptText.charAt(at) == fullText.charAt(at)) {
      at++;
    }
    return "chat template '" + name + "' renders the prompt differently inside the whole"
        + " conversation (they differ at character " + at + "), so the response cannot be cut"
        + " off at a token boundary. Prompt with add_generation_prompt:\n" + promptText
        + "\n--- whole conversation:\n" + fullText;
  }

  /** Releases the native tokenizer. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      tokenizer.close();
    }
  }

  private void checkOpen() {
    checkState(!closed.get(), "the tokenizer of %s was closed", directory);
  }

  @Override
  public String toString() {
    return "HfTokenizer[" + directory + ", vocabSize=" + vocabSize + ", chatTemplate="
        + (chatTemplate == null ? "none" : chatTemplate.name()) + "]";
  }

  /**
   * Settings for {@link HfTokenizer}; the model directory is given to {@link
   * HfTokenizer#builder(Path)}. Not thread-safe.
   */
  public static final class Builder {
    private final Path directory;
    private final Set<Long> extraEosTokenIds = new LinkedHashSet<>();
    private final Map<String, Object> templateVariables = new LinkedHashMap<>();
    private ChatFormat fallbackFormat;
    private ChatTemplate chatTemplate;
    private ChatTemplate.Limits templateLimits = ChatTemplate.Limits.DEFAULT;

    private Builder(Path directory) {
      this.directory = directory;
    }

    /**
     * More ids that end a response, added to {@link HfTokenizer#eosTokenIds()} (e.g. Llama-3's
     * {@code <|eot_id|>}, 128009, when config.json lists only {@code <|end_of_text|>}). Checked
     * against the vocabulary size in {@link #build()}.
     *
     * @throws IllegalArgumentException if ids is null or holds a null or a negative id
     */
    public Builder extraEosTokenIds(Collection<Long> ids) {
      checkArgument(ids != null, "extraEosTokenIds must not be null");
      for (Long id : ids) {
        checkArgument(id != null && id >= 0, "extra EOS token ids must be >= 0 but got %s", id);
      }
      extraEosTokenIds.addAll(ids);
      return this;
    }

    /**
     * The format to render chats in when the directory has no chat template of its own. Unset by
     * default: then {@link HfTokenizer#chatTemplate()} throws rather than guessing a format.
     *
     * @throws IllegalArgumentException if format is null
     */
    public Builder fallbackChatFormat(ChatFormat format) {
      checkArgument(format != null, "fallbackChatFormat must not be null");
      this.fallbackFormat = format;
      return this;
    }

    /**
     * A chat template to use instead of the directory's own (the tokenizer's special tokens are
     * bound to it as well).
     *
     * @throws IllegalArgumentException if template is null
     */
    public Builder chatTemplate(ChatTemplate template) {
      checkArgument(template != null, "chatTemplate must not be null");
      this.chatTemplate = template;
      return this;
    }

    /**
     * The bounds on each rendering of the chat template (it comes with the model and is
     * untrusted); {@link ChatTemplate.Limits#DEFAULT} unless set. They replace the limits of a
     * template given to {@link #chatTemplate} too.
     *
     * @throws IllegalArgumentException if limits is null
     */
    public Builder chatTemplateLimits(ChatTemplate.Limits limits) {
      checkArgument(limits != null, "chatTemplateLimits must not be null");
      this.templateLimits = limits;
      return this;
    }

    /**
     * Variables every rendering of the chat template sees, bound after (and so winning over) the
     * special tokens: template switches such as Qwen3's {@code enable_thinking} or a fixed
     * {@code date_string} for Llama-3.1, so that prompts do not change from one day to the next.
     *
     * @throws IllegalArgumentException if variables is null, holds a null name or value, or names
     *     {@code messages} or {@code add_generation_prompt}
     */
    public Builder chatTemplateVariables(Map<String, ?> variables) {
      checkArgument(variables != null, "chatTemplateVariables must not be null");
      // the same checks the template applies, made now rather than at build()
      ChatFormat.CHATML.template().withVariables(variables);
      templateVariables.putAll(variables);
      return this;
    }

    /**
     * Loads the tokenizer.
     *
     * @throws IllegalArgumentException if the directory does not exist or is not a directory, or
     *     an extra EOS id is not below the vocabulary size
     * @throws Rlhf4jException if tokenizer.json is missing, or tokenizer.json,
     *     tokenizer_config.json, special_tokens_map.json, generation_config.json or config.json
     *     is malformed; the message names the file
     */
    public HfTokenizer build() {
      checkArgument(
          Files.isDirectory(directory),
          "model directory %s does not exist or is not a directory",
          directory.toAbsolutePath());
      TokenizerFiles.Contents contents = TokenizerFiles.read(directory);
      Path file = directory.resolve(TokenizerFiles.TOKENIZER_JSON);
      HuggingFaceTokenizer hf;
      try {
        hf =
            HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optTruncation(false)
                .optPadding(false)
                .optAddSpecialTokens(false)
                .build();
      } catch (IOException | RuntimeException e) {
        throw new Rlhf4jException(
            "cannot load " + file.toAbsolutePath() + " as a Hugging Face tokenizer: "
                + e.getMessage(),
            e);
      }
      try {
        return new HfTokenizer(this, contents, hf);
      } catch (RuntimeException e) {
        hf.close();
        throw e;
      }
    }
  }
}
