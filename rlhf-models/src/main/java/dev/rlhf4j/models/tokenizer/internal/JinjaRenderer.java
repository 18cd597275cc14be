package dev.rlhf4j.models.tokenizer.internal;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import com.hubspot.jinjava.tree.TagNode;
import dev.rlhf4j.models.tokenizer.ChatTemplate;
import dev.rlhf4j.models.tokenizer.ChatTemplateException;
import java.lang.reflect.Array;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeBuilder;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * Renders Hugging Face chat templates with Jinjava, set up the way transformers compiles them:
 * {@code trim_blocks=True}, {@code lstrip_blocks=True}, a single trailing newline of the template
 * dropped ({@code keep_trailing_newline=False}), {@code raise_exception(msg)} and {@code
 * strftime_now(fmt)} as globals, and {@code tojson} writing Python's {@code json.dumps(...,
 * ensure_ascii=False)} text. Python's {@code str} methods ({@code .strip()}, {@code
 * .startswith(...)}, {@code .split(...)}, ...) work on strings, and {@code trim} strips what
 * Python's {@code str.strip} strips, and {@code and} returns an operand as in Python (see {@link
 * PythonicSyntaxBuilder}).
 *
 * <p>The {@code loopcontrols} tags {@code break} and {@code continue} work (Jinjava 2.7.4 and
 * later). Known gaps against Jinja2: slices with a step other than {@code [::-1]} do not parse;
 * strings cannot be indexed ({@code 'abc'[0]}) and {@code %} does not format strings; booleans
 * print as {@code true}/{@code false} rather than {@code True}/{@code False}, and lists print in
 * Java's form ({@code [a, b]}) rather than Python's ({@code ['a', 'b']}). The chat templates of
 * the common model families (Llama-3, Mistral, Qwen2, Zephyr, Gemma) use none of these on
 * plain-text turns.
 *
 * <p>Templates are untrusted input (they come with a downloaded model): each rendering is bounded
 * by {@link ChatTemplate.Limits} (output characters, also checked on every string concatenation;
 * loop iterations; wall-clock time), Java methods that are not Python {@code str} methods
 * cannot be called ({@code ''.getClass()} fails), and {@code include}, {@code import} and
 * {@code from} find no files (there is no resource locator). Jinjava caps {@code range(n)} at
 * 1000 items.
 *
 * <p>Thread-safe: each call renders with its own interpreter.
 */
public final class JinjaRenderer {
  /** One Jinjava per output limit: Jinjava reads that limit from its configuration. */
  private static final Map<Long, Jinjava> BY_OUTPUT_LIMIT = new ConcurrentHashMap<>();
  /** The budget of the rendering running on this thread, read by the loop and node hooks. */
  private static final ThreadLocal<Budget> BUDGET = new ThreadLocal<>();

  private JinjaRenderer() {}

  /**
   * Renders {@code source} with {@code variables} within {@code limits}.
   *
   * @param name the template's name, for error messages
   * @throws ChatTemplateException if the template calls {@code raise_exception}, does not parse,
   *     an expression in it fails, or it exceeds one of the limits (output size, loop iterations,
   *     render time); the message names the template and quotes the errors or the limit
   */
  public static String render(
      String name, String source, Map<String, ?> variables, ChatTemplate.Limits limits) {
    Jinjava jinjava = BY_OUTPUT_LIMIT.computeIfAbsent(limits.maxOutputChars(), JinjaRenderer::create);
    Budget budget = new Budget(limits);
    Budget outer = BUDGET.get();
    BUDGET.set(budget);
    RenderResult result;
    try {
      result = jinjava.renderForResult(rewrite(source), variables);
    } catch (TemplateLimitExceeded e) {
      result = null;
    } finally {
      if (outer == null) {
        BUDGET.remove();
      } else {
        BUDGET.set(outer);
      }
    }
    if (budget.exceeded != null) {
      throw new ChatTemplateException("chat template '" + name + "' " + budget.exceeded, null);
    }
    List<String> problems = new ArrayList<>();
    for (TemplateError error : result.getErrors()) {
      String raised = raisedMessage(error.getException());
      if (raised != null) {
        throw new ChatTemplateException(
            "chat template '" + name + "' refused the conversation: " + raised, raised);
      }
      if (isOutputTooBig(error)) {
        throw new ChatTemplateException(
            "chat template '" + name + "' produced more than the limit of "
                + limits.maxOutputChars() + " characters (ChatTemplate.Limits.maxOutputChars)",
            null);
      }
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        problems.add("line " + error.getLineno() + ": " + error.getMessage()
            + (error.getFieldName() == null || error.getFieldName().isEmpty()
                ? ""
                : " (in '" + error.getFieldName() + "')"));
      }
    }
    if (!problems.isEmpty()) {
      throw new ChatTemplateException(
          "chat template '" + name + "' failed to render: " + String.join("; ", problems), null);
    }
    return result.getOutput();
  }

  private static boolean isOutputTooBig(TemplateError error) {
    for (Throwable t = error.getException(); t != null; t = t.getCause()) {
      if (t instanceof OutputTooBigException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return error.getMessage() != null && error.getMessage().contains("OutputTooBigException");
  }

  /**
   * What one rendering may still spend. The first limit reached is kept; every later hook throws
   * again at once, so a template that catches the error in a loop still stops within one step.
   */
  private static final class Budget {
    private final ChatTemplate.Limits limits;
    private final long deadline;
    private long iterations;
    private String exceeded;

    Budget(ChatTemplate.Limits limits) {
      this.limits = limits;
      this.deadline = System.nanoTime() + limits.maxRenderTime().toNanos();
    }

    void iterate(long count) {
      iterations += count;
      if (exceeded == null && iterations > limits.maxLoopIterations()) {
        exceeded = "needs more than the limit of " + limits.maxLoopIterations()
            + " loop iterations (ChatTemplate.Limits.maxLoopIterations)";
      }
      check();
    }

    void check() {
      if (exceeded == null && System.nanoTime() - deadline > 0) {
        exceeded = "ran longer than the limit of " + limits.maxRenderTime().toMillis()
            + " ms (ChatTemplate.Limits.maxRenderTime)";
      }
      if (exceeded != null) {
        throw new TemplateLimitExceeded(exceeded);
      }
    }
  }

  private static void checkBudget() {
    Budget budget = BUDGET.get();
    if (budget != null) {
      budget.check();
    }
  }

  /** Thrown when a limit is reached; the message given to the caller comes from the budget. */
  static final class TemplateLimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateLimitExceeded(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Jinjava's {@code for}, counting every loop's length against the budget before it runs (a
   * loop with {@code break} is charged in full) and checking the clock at each loop start; the
   * node hook checks it again before every node the loop body renders.
   */
  private static final class BoundedForTag extends ForTag {
    private static final long serialVersionUID = 1L;

    @Override
    public String renderForCollection(
        TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars, Object items) {
      Budget budget = BUDGET.get();
      if (budget != null) {
        budget.iterate(lengthOf(items));
      }
      return super.renderForCollection(tagNode, interpreter, loopVars, items);
    }

    private static long lengthOf(Object items) {
      if (items instanceof Collection<?> c) {
        return c.size();
      }
      if (items instanceof Map<?, ?> m) {
        return m.size();
      }
      if (items != null && items.getClass().isArray()) {
        return Array.getLength(items);
      }
      return 1;
    }
  }

  /**
   * Adapts what Jinjava reads differently from Jinja2: line breaks ({@code \r\n}, {@code \r})
   * become {@code \n} and a single trailing newline is dropped, as Jinja's lexer does; the
   * reversing slice {@code [::-1]} (Qwen3 walks {@code messages[::-1]}) becomes the {@code
   * reverse} filter; comments are removed and {@code lstrip_blocks} is applied here with
   * Jinja2's rules (see {@link #applyWhitespaceRules}).
   */
  static String rewrite(String source) {
    String lines = source.replace("\r\n", "\n").replace('\r', '\n');
    if (lines.endsWith("\n")) {
      lines = lines.substring(0, lines.length() - 1);
    }
    return applyWhitespaceRules(lines.replace("[::-1]", "|reverse"));
  }

  /**
   * Removes {@code {# ... #}} comments and applies {@code lstrip_blocks} as Jinja2's lexer does,
   * leaving {@code trim_blocks} and the {@code -} markers of tags to Jinjava (which implements
   * them as Jinja2 does). Jinja2 strips the spaces and tabs before a block tag or comment only
   * when nothing else precedes the tag on its line (Jinjava's own {@code lstrip_blocks} strips
   * them before any tag, so it stays off): {@code "a {% endfor %}"} keeps its space, {@code "\n
   *  {% endfor %}"} loses the indentation. {@code {%+ ... %}} turns the stripping off for one
   * tag and {@code ... +%}} keeps the newline after it. {@code {# ... #}} comments go with their
   * indentation when they start a line, and take one newline after them ({@code {#-} and {@code
   * -#}} strip all whitespace on their side). Strings inside tags are skipped, so {@code "%}"} in
   * a string does not end a tag; {@code {% raw %}} content is copied as it is.
   */
  static String applyWhitespaceRules(String source) {
    StringBuilder out = new StringBuilder(source.length());
    // where the current line's text starts in out, or -1 when a tag already stands on the line
    int lineStart = 0;
    int at = 0;
    while (true) {
      int open = nextTag(source, at);
      if (open < 0) {
        return out.append(source, at, source.length()).toString();
      }
      int lastBreak = source.lastIndexOf('\n', open - 1);
      out.append(source, at, open);
      if (lastBreak >= at) {
        lineStart = out.length() - (open - lastBreak - 1);
      }
      char kind = source.charAt(open + 1);
      char marker = open + 2 < source.length() ? source.charAt(open + 2) : ' ';
      if (kind != '{' && marker != '-' && marker != '+' && lineStart >= 0
          && isBlank(out, lineStart)) {
        out.setLength(lineStart);
      }
      if (kind == '#') {
        int end = source.indexOf("#}", open + 2);
        if (end < 0) {
          // unterminated: Jinjava reports it
          return out.append(source, open, source.length()).toString();
        }
        if (marker == '-') {
          while (out.length() > 0 && Character.isWhitespace(out.charAt(out.length() - 1))) {
            out.setLength(out.length() - 1);
          }
        }
        at = end + 2;
        lineStart = -1;
        if (end > open + 2 && source.charAt(end - 1) == '-') {
          while (at < source.length() && Character.isWhitespace(source.charAt(at))) {
            at++;
          }
          if (at > end + 2 && source.charAt(at - 1) == '\n') {
            lineStart = out.length();
          }
        } else if (source.startsWith("\n", at)) {
          at++;
          lineStart = out.length();
        }
        continue;
      }
      int end = tagEnd(source, open, kind == '{' ? "}}" : "%}");
      if (end < 0) {
        return out.append(source, open, source.length()).toString();
      }
      lineStart = -1;
      if (kind == '{') {
        out.append(source, open, end);
        at = end;
        continue;
      }
      String tag = source.substring(open, end);
      if (marker == '+') {
        tag = "{%" + tag.substring(3);
      }
      boolean keepNewline = tag.endsWith("+%}");
      if (keepNewline) {
        tag = tag.substring(0, tag.length() - 3) + "%}";
      }
      out.append(tag);
      at = end;
      if (keepNewline && source.startsWith("\n", at)) {
        // Jinjava's trim_blocks takes one newline: give it one more to take
        out.append('\n');
      }
      if (RAW.matcher(tag).matches()) {
        Matcher endRaw = END_RAW.matcher(source);
        int rawEnd = endRaw.find(at) ? endRaw.start() : source.length();
        out.append(source, at, rawEnd);
        at = rawEnd;
      }
    }
  }

  private static final Pattern RAW = Pattern.compile("\\{%[-+]?\\s*raw\\s*[-+]?%}");
  private static final Pattern END_RAW = Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%}");

  /** The next "{{", "{%" or "{#" at or after {@code from}, or -1. */
  private static int nextTag(String source, int from) {
    for (int i = source.indexOf('{', from); i >= 0 && i + 1 < source.length();
        i = source.indexOf('{', i + 1)) {
      char c = source.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
    }
    return -1;
  }

  /** The index just past {@code close} ending the tag opened at {@code open}, or -1. */
  private static int tagEnd(String source, int open, String close) {
    int i = open + 2;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (c == '\'' || c == '"') {
        i++;
        while (i < source.length() && source.charAt(i) != c) {
          i += source.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else if (source.startsWith(close, i)) {
        return i + close.length();
      } else {
        i++;
      }
    }
    return -1;
  }

  private static boolean isBlank(CharSequence text, int from) {
    for (int i = from; i < text.length(); i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static String raisedMessage(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof TemplateRaised) {
        return t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static Jinjava create(long maxOutputChars) {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStrings());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            // checked in string concatenation and filters too, so s ~ s cannot grow unbounded
            .withMaxOutputSize(maxOutputChars)
            .withProcessors(
                JinjavaProcessors.newBuilder()
                    .withNodePreProcessor((node, interpreter) -> checkBudget())
                    .build())
            .withTrimBlocks(true)
            // lstrip_blocks is applied by rewrite(): Jinjava's strips before any tag
            .withLstripBlocks(false)
            .withElResolver(resolver)
            // message text is data: "{{ x }}" in a message must not be rendered again
            .withNestedInterpretationEnabled(false)
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    // {{- x -}} strips surrounding whitespace as in Jinja2
                    .withUseTrimmingForNotesAndExpressions(true)
                    // not withUsePyishObjectMapper: it would print lists as Python does, but it
                    // writes every value through JSON and leaves control characters escaped
                    .withEvaluateMapKeys(true)
                    .withIterateOverMapKeys(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withKeepNullableLoopValues(true)
                    .build())
            .build();
    Jinjava jinjava = new PythonicJinjava(config);
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "raise_exception", Functions.class, "raiseException", Object.class));
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "strftime_now", Functions.class, "strftimeNow", String.class));
    jinjava.getGlobalContext().registerTag(new BoundedForTag());
    jinjava.getGlobalContext().registerFilter(new ToJson());
    jinjava.getGlobalContext().registerFilter(new Trim());
    jinjava.getGlobalContext().registerFilter(new Items());
    // the first rendering loads and links the interpreter (seconds on a busy machine): do it
    // here, so that it does not count against the first template's time limit
    jinjava.renderForResult("{% for x in [1] %}{{ x ~ 'a' }}{% endfor %}", Map.of());
    return jinjava;
  }

  /** Jinjava whose expressions use {@link PythonicSyntaxBuilder}. */
  private static final class PythonicJinjava extends Jinjava {
    private final ExpressionFactory expressionFactory;

    PythonicJinjava(JinjavaConfig config) {
      super(config);
      Properties properties = new Properties();
      properties.setProperty(TreeBuilder.class.getName(), PythonicSyntaxBuilder.class.getName());
      this.expressionFactory = new ExpressionFactoryImpl(properties, new TruthyTypeConverter());
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
      return expressionFactory;
    }
  }

  /** Thrown by {@code raise_exception}; found again in the render errors. */
  static final class TemplateRaised extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateRaised(String message) {
      super(message, null, false, false);
    }
  }

  /** The global functions of HF chat templates; public for Jinjava's reflection only. */
  public static final class Functions {
    private Functions() {}

    /**
     * {@code raise_exception(message)}: stops rendering with the template's message.
     *
     * @return never
     */
    public static Object raiseException(Object message) {
      throw new TemplateRaised(String.valueOf(message));
    }

    /** {@code strftime_now(format)}: the local time in a Python strftime format. */
    public static String strftimeNow(String format) {
      return StrftimeFormatter.format(ZonedDateTime.now(), format);
    }
  }

  /** {@code tojson}, as transformers overrides it: Python's json.dumps, non-ASCII kept. */
  private static final class ToJson implements Filter {
    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      int indent = args.length > 0 && args[0] != null ? Integer.parseInt(args[0]) : -1;
      return PythonJson.dumps(var, indent);
    }

    @Override
    public Object filter(
        Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      Object indent = kwargs.containsKey("indent") ? kwargs.get("indent")
          : args.length > 0 ? args[0] : null;
      return PythonJson.dumps(var, indent == null ? -1 : ((Number) toNumber(indent)).intValue());
    }

    private static Object toNumber(Object value) {
      return value instanceof Number ? value : Long.parseLong(value.toString());
    }
  }

  /** {@code items}: a mapping's (key, value) pairs, for {@code for k, v in x | items}. */
  private static final class Items implements Filter {
    @Override
    public String getName() {
      return "items";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      if (var == null) {
        return List.of();
      }
      if (!(var instanceof Map<?, ?>)) {
        throw new IllegalArgumentException(
            "the items filter needs a mapping, got " + var.getClass().getName());
      }
      return new ArrayList<>(((Map<?, ?>) var).entrySet());
    }
  }

  /** {@code trim([chars])}: Python's str.strip, which also strips non-ASCII spaces. */
  private static final class Trim implements Filter {
    @Override
    public String getName() {
      return "trim";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      if (var == null) {
        return "";
      }
      String chars = args.length > 0 ? args[0] : null;
      return PythonStrings.strip(var.toString(), chars, true, true);
    }

    @Override
    public Object filter(
        Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      String[] strings =
          java.util.Arrays.stream(args)
              .map(a -> a == null ? null : a.toString())
              .collect(Collectors.toList())
              .toArray(new String[0]);
      return filter(var, interpreter, strings);
    }
  }
}
