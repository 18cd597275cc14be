package dev.rlhf4j.models.tokenizer;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.models.tokenizer.internal.JinjaRenderer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template: the Jinja program in a model's {@code tokenizer_config.json} that
 * turns a list of messages into the exact text the model was trained on. Each model renders its
 * own template (a policy and a reward model that disagree on the template read different text).
 *
 * <p>Rendering matches transformers' {@code apply_chat_template(..., tokenize=False)}: the
 * template sees {@code messages} (a list of {@code {"role": ..., "content": ...}} maps, roles
 * {@code system}, {@code user}, {@code assistant}), {@code add_generation_prompt}, the bound
 * variables (a tokenizer binds {@code bos_token}, {@code eos_token}, {@code pad_token}, ...), and
 * the globals {@code raise_exception(msg)} and {@code strftime_now(fmt)}; blocks are rendered
 * with {@code trim_blocks} and {@code lstrip_blocks} on. A template that calls {@code
 * raise_exception} fails with a {@link ChatTemplateException} carrying its message.
 *
 * <p>A template is untrusted input (it comes with a downloaded model), so each rendering is
 * bounded by {@link Limits} ({@link Limits#DEFAULT} unless {@link #withLimits} says otherwise),
 * cannot call Java methods ({@code ''.getClass()} fails) and cannot read files ({@code include},
 * {@code import} and {@code from} find nothing).
 *
 * <p>Immutable and thread-safe.
 */
public final class ChatTemplate {
  private final String name;
  private final String source;
  private final Map<String, Object> variables;
  private final Limits limits;

  private ChatTemplate(String name, String source, Map<String, Object> variables, Limits limits) {
    this.name = name;
    this.source = source;
    this.variables = variables;
    this.limits = limits;
  }

  /**
   * Bounds on one rendering, so that a hostile template cannot exhaust the heap or the CPU; a
   * rendering past a bound fails with a {@link ChatTemplateException} naming the template and
   * the limit. The defaults are far above what the Llama-3, Qwen2, Mistral, Zephyr and Gemma
   * templates need for any conversation that fits a context window (they loop once over the
   * messages, and the output is about as long as the messages).
   *
   * @param maxOutputChars the most characters the rendering, or any string it builds on the way
   *     ({@code s ~ s}), may hold; default 32 Mi (33,554,432)
   * @param maxLoopIterations the most {@code for} iterations of one rendering, all loops
   *     together, counted when each loop starts (a loop left with {@code break} counts in full);
   *     default 100,000
   * @param maxRenderTime the longest wall-clock time one rendering may take, a backstop for what
   *     the other limits let through; default 10 s (a 4,000-message, 2-million-character
   *     conversation renders in 0.1–1 s with these templates on a 2-core machine)
   */
  public record Limits(long maxOutputChars, long maxLoopIterations, Duration maxRenderTime) {
    /** 32 Mi characters, 100,000 loop iterations, 10 seconds. */
    public static final Limits DEFAULT = new Limits(32L << 20, 100_000, Duration.ofSeconds(10));

    /**
     * @throws IllegalArgumentException if a count is not positive, or the time is null, zero or
     *     negative
     */
    public Limits {
      checkArgument(maxOutputChars > 0, "maxOutputChars must be > 0 but was %s", maxOutputChars);
      checkArgument(
          maxLoopIterations > 0, "maxLoopIterations must be > 0 but was %s", maxLoopIterations);
      checkArgument(
          maxRenderTime != null && !maxRenderTime.isNegative() && !maxRenderTime.isZero(),
          "maxRenderTime must be > 0 but was %s",
          maxRenderTime);
    }
  }

  /**
   * A template from Jinja source, with no variables bound.
   *
   * @param name what error messages call it, e.g. the model directory
   * @param source the Jinja source, as in {@code tokenizer_config.json}'s {@code chat_template}
   * @throws IllegalArgumentException if name is null or blank, or source is null or blank
   */
  public static ChatTemplate jinja(String name, String source) {
    checkArgument(name != null && !name.isBlank(), "name must not be null or blank");
    checkArgument(
        source != null && !source.isBlank(),
        "source of chat template '%s' must not be null or blank",
        name);
    return new ChatTemplate(name, source, Map.of(), Limits.DEFAULT);
  }

  /**
   * A copy with more variables bound (later values win), e.g. {@code bos_token} or a
   * template-specific switch such as {@code date_string}.
   *
   * @throws IllegalArgumentException if a name or value is null, or a name is {@code messages} or
   *     {@code add_generation_prompt} (those are set by {@link #render})
   */
  public ChatTemplate withVariables(Map<String, ?> more) {
    checkArgument(more != null, "variables must not be null");
    Map<String, Object> merged = new LinkedHashMap<>(variables);
    for (Map.Entry<String, ?> entry : more.entrySet()) {
      checkVariable(entry.getKey(), entry.getValue());
      merged.put(entry.getKey(), entry.getValue());
    }
    return new ChatTemplate(name, source, Map.copyOf(merged), limits);
  }

  /**
   * A copy that renders within other limits.
   *
   * @throws IllegalArgumentException if limits is null
   */
  public ChatTemplate withLimits(Limits limits) {
    checkArgument(limits != null, "limits must not be null");
    return new ChatTemplate(name, source, variables, limits);
  }

  /** The bounds on each rendering. */
  public Limits limits() {
    return limits;
  }

  /** The name error messages use. */
  public String name() {
    return name;
  }

  /** The Jinja source. */
  public String source() {
    return source;
  }

  /** The bound variables. */
  public Map<String, Object> variables() {
    return variables;
  }

  /**
   * Renders a conversation.
   *
   * @param messages the turns, in order
   * @param addGenerationPrompt whether to end with the header that opens an assistant turn (use
   *     it for prompts a model will answer)
   * @return the text, special tokens written out as text
   * @throws IllegalArgumentException if messages is null or holds a null
   * @throws ChatTemplateException if the template refuses the conversation, fails, or exceeds one
   *     of its {@link #limits()}
   */
  public String render(List<Message> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, Map.of());
  }

  /**
   * Renders a conversation with extra variables for this call only (they win over bound ones).
   *
   * @throws IllegalArgumentException if messages is null or holds a null, or an extra variable is
   *     null or named {@code messages} or {@code add_generation_prompt}
   * @throws ChatTemplateException if the template refuses the conversation, fails, or exceeds one
   *     of its {@link #limits()}
   */
  public String render(
      List<Message> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
    checkArgument(messages != null, "messages must not be null");
    checkArgument(extraVariables != null, "extraVariables must not be null");
    List<Map<String, Object>> turns = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      Message message = messages.get(i);
      checkArgument(message != null, "messages[%s] must not be null", i);
      Map<String, Object> turn = new LinkedHashMap<>();
      turn.put("role", message.role().wireName());
      turn.put("content", message.content());
      turns.add(turn);
    }
    Map<String, Object> context = new HashMap<>(variables);
    for (Map.Entry<String, ?> entry : extraVariables.entrySet()) {
      checkVariable(entry.getKey(), entry.getValue());
      context.put(entry.getKey(), entry.getValue());
    }
    context.put("messages", turns);
    context.put("add_generation_prompt", addGenerationPrompt);
    return JinjaRenderer.render(name, source, context, limits);
  }

  private static void checkVariable(String key, Object value) {
    checkArgument(key != null, "variable names must not be null");
    checkArgument(value != null, "variable '%s' must not be null", key);
    checkArgument(
        !key.equals("messages") && !key.equals("add_generation_prompt"),
        "variable '%s' is set by render(...) and cannot be bound",
        key);
  }

  @Override
  public String toString() {
    return "ChatTemplate[" + name + ", " + source.length() + " chars, variables="
        + variables.keySet() + "]";
  }
}
