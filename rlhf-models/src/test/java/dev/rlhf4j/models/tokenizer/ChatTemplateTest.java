package dev.rlhf4j.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Message;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders templates that reproduce the logic of the Llama-3, Qwen2 (ChatML), Mistral and Zephyr
 * chat templates, plus one that exercises the rest of the Jinja features HF templates use, and
 * compares with the exact text Python's Jinja2 gives in transformers' environment (trim_blocks,
 * lstrip_blocks, json.dumps-style tojson).
 */
class ChatTemplateTest {
  private static final List<Message> FULL =
      List.of(
          Message.system("You are terse."), Message.user("Hi there"), Message.assistant("Hello!"));
  private static final List<Message> PROMPT =
      List.of(Message.system("You are terse."), Message.user("Hi there"));
  private static final List<Message> NO_SYSTEM =
      List.of(Message.user("Hi there"), Message.assistant("Hello!"));
  private static final List<Message> SPACES =
      List.of(
          Message.system("  You are terse. \n"),
          Message.user(" Hi \"there\" é "),
          Message.assistant("  Hello!  "));

  private static ChatTemplate template(String name) {
    String bos = name.equals("llama3") ? "<|begin_of_text|>" : "<s>";
    return ChatTemplate.jinja(name, TinyTokenizers.template(name))
        .withVariables(Map.of("bos_token", bos, "eos_token", "</s>"));
  }

  static Stream<Arguments> renderings() {
    String l3sys = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse."
        + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>";
    String l3gen = "<|start_header_id|>assistant<|end_header_id|>\n\n";
    String qsys = "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there"
        + "<|im_end|>\n";
    String zsys = "<|system|>\nYou are terse.</s>\n<|user|>\nHi there</s>\n";
    String fjson = "{\"role\": \"assistant\", \"content\": \"Hello!\"}";
    return Stream.of(
        Arguments.of("llama3", FULL, false, l3sys + l3gen + "Hello!<|eot_id|>"),
        Arguments.of("llama3", FULL, true, l3sys + l3gen + "Hello!<|eot_id|>" + l3gen),
        Arguments.of("llama3", PROMPT, true, l3sys + l3gen),
        Arguments.of("llama3", PROMPT, false, l3sys),
        Arguments.of("llama3", SPACES, false,
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse."
                + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi \"there\" é<|eot_id|>"
                + l3gen + "Hello!<|eot_id|>"),
        Arguments.of("qwen2", FULL, false, qsys + "<|im_start|>assistant\nHello!<|im_end|>\n"),
        Arguments.of("qwen2", FULL, true,
            qsys + "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>assistant\n"),
        Arguments.of("qwen2", PROMPT, true, qsys + "<|im_start|>assistant\n"),
        Arguments.of("qwen2", NO_SYSTEM, false,
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi there"
                + "<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"),
        Arguments.of("mistral", FULL, false,
            "<s> [INST] You are terse.\n\nHi there [/INST] Hello!</s>"),
        Arguments.of("mistral", FULL, true,
            "<s> [INST] You are terse.\n\nHi there [/INST] Hello!</s>"),
        Arguments.of("mistral", PROMPT, true, "<s> [INST] You are terse.\n\nHi there [/INST]"),
        Arguments.of("mistral", NO_SYSTEM, false, "<s> [INST] Hi there [/INST] Hello!</s>"),
        Arguments.of("mistral", SPACES, false,
            "<s> [INST]   You are terse. \n\n\n Hi \"there\" é  [/INST]   Hello!  </s>"),
        Arguments.of("zephyr", FULL, false, zsys + "<|assistant|>\nHello!</s>\n"),
        Arguments.of("zephyr", FULL, true, zsys + "<|assistant|>\nHello!</s>\n<|assistant|>\n"),
        Arguments.of("zephyr", PROMPT, true, zsys + "<|assistant|>\n"),
        Arguments.of("zephyr", PROMPT, false, zsys),
        Arguments.of("zephyr", SPACES, false,
            "<|system|>\n  You are terse. \n</s>\n<|user|>\n Hi \"there\" é </s>\n<|assistant|>\n"
                + "  Hello!  </s>\n"),
        Arguments.of("features", FULL, false,
            "SYS:You are terse.\nUSER(1): Hi there\nASSISTANT(2)!: Hello!\n"
                + "turns=2 last_user=\"Hi there\"\n" + fjson + "\nstarts-with-Hel 3\n"),
        Arguments.of("features", FULL, true,
            "SYS:You are terse.\nUSER(1): Hi there\nASSISTANT(2)!: Hello!\n"
                + "turns=2 last_user=\"Hi there\"\n" + fjson + "\nstarts-with-Hel 3\nGEN"),
        Arguments.of("features", PROMPT, true,
            "SYS:You are terse.\nUSER(1)!: Hi there\nturns=1 last_user=\"Hi there\"\n"
                + "{\"role\": \"user\", \"content\": \"Hi there\"}\nGEN"),
        Arguments.of("features", NO_SYSTEM, false,
            "USER(1): Hi there\nASSISTANT(2)!: Hello!\nturns=2 last_user=\"Hi there\"\n"
                + fjson + "\nstarts-with-Hel 3\n"),
        Arguments.of("features", SPACES, false,
            "SYS:You are terse.\nUSER(1): Hi \"there\" é\nASSISTANT(2)!: Hello!\n"
                + "turns=2 last_user=\" Hi \\\"there\\\" é \"\n"
                + "{\"role\": \"assistant\", \"content\": \"  Hello!  \"}\n"));
  }

  @ParameterizedTest(name = "{0} {1} addGenerationPrompt={2}")
  @MethodSource("renderings")
  void render_matchesJinja2Exactly(
      String name, List<Message> messages, boolean addGenerationPrompt, String expected) {
    assertThat(template(name).render(messages, addGenerationPrompt)).isEqualTo(expected);
  }

  private static final List<Message> THINKING =
      List.of(
          Message.user("Hi there"),
          Message.assistant("<think>hmm</think>\n\nHello!"),
          Message.user(" Bye "));

  @Test
  void gemmaStyle_rendersModelTurnsAndRefusesASystemTurn() {
    ChatTemplate gemma =
        ChatTemplate.jinja("gemma", TinyTokenizers.template("gemma"))
            .withVariables(Map.of("bos_token", "<bos>"));
    String turns = "<bos><start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n"
        + "<think>hmm</think>\n\nHello!<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n";
    assertThat(gemma.render(THINKING, false)).isEqualTo(turns);
    assertThat(gemma.render(THINKING, true)).isEqualTo(turns + "<start_of_turn>model\n");
    assertThatThrownBy(() -> gemma.render(PROMPT, true))
        .isInstanceOfSatisfying(
            ChatTemplateException.class,
            e -> assertThat(e.raisedMessage()).hasValue("System role not supported"));
  }

  @Test
  void pythonIdioms_reversedSliceAndOperandReturningAndAndItems_matchJinja2() {
    // messages[::-1], (x == y) and 'model' or role, s.split(...)[-1].lstrip('\n'), | items
    ChatTemplate t = ChatTemplate.jinja("reversed", TinyTokenizers.template("reversed"));
    assertThat(t.render(THINKING, false))
        .isEqualTo("<|user|>Hi there\n<|model|>Hello!\n<|user|> Bye *\na=1;b=x;");
    assertThat(t.render(PROMPT, true)).isEqualTo("<|system|>You are terse.\n<|user|>Hi there*\n"
        + "a=1;b=x;<|model|>");
  }

  @Test
  void raiseException_surfacesTheTemplatesMessage() {
    List<Message> twoUsers = List.of(Message.user("a"), Message.user("b"));
    assertThatThrownBy(() -> template("mistral").render(twoUsers, true))
        .isInstanceOfSatisfying(
            ChatTemplateException.class,
            e -> assertThat(e.raisedMessage())
                .hasValue("After the optional system message, conversation roles must alternate"
                    + " user/assistant/user/assistant/..."))
        .hasMessageContaining("chat template 'mistral' refused the conversation")
        .hasMessageContaining("roles must alternate");
  }

  @Test
  void raiseException_onALateSystemTurn() {
    List<Message> lateSystem =
        List.of(Message.user("a"), Message.assistant("b"), Message.system("c"));
    assertThatThrownBy(() -> template("mistral").render(lateSystem, false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("roles must alternate");
  }

  @Test
  void render_unparseableTemplate_namesTheTemplate() {
    ChatTemplate broken = ChatTemplate.jinja("my-model", "{% for m in messages %}{{ m['role'] }");
    assertThatThrownBy(() -> broken.render(PROMPT, false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("chat template 'my-model' failed to render")
        .satisfies(e -> assertThat(((ChatTemplateException) e).raisedMessage()).isEmpty());
  }

  @Test
  void render_unknownMethod_fails() {
    ChatTemplate broken = ChatTemplate.jinja("t", "{{ messages[0]['content'].nonsense() }}");
    assertThatThrownBy(() -> broken.render(PROMPT, false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("nonsense");
  }

  @Test
  void tojson_writesPythonJsonDumps() {
    Map<String, Object> x = new LinkedHashMap<>();
    x.put("name", "é\"q\"");
    x.put("n", java.util.Arrays.asList(1, 2.5, true, null));
    x.put("e", Map.of());
    x.put("l", List.of());
    String rendered =
        ChatTemplate.jinja("t", "{{ x | tojson }}|{{ x | tojson(indent=2) }}")
            .render(List.of(), false, Map.of("x", x));
    assertThat(rendered)
        .isEqualTo("{\"name\": \"é\\\"q\\\"\", \"n\": [1, 2.5, true, null], \"e\": {}, \"l\": []}"
            + "|{\n  \"name\": \"é\\\"q\\\"\",\n  \"n\": [\n    1,\n    2.5,\n    true,\n"
            + "    null\n  ],\n  \"e\": {},\n  \"l\": []\n}");
  }

  @Test
  void pythonStringMethods_behaveAsInPython() {
    String source =
        "{{ s.split() | join('/') }}|{{ s.split(',', 1) | join('/') }}"
            + "|{{ s.rstrip(' ,') }}|{{ s.lstrip() }}"
            + "|{{ 'hello world'.title() }}|{{ 'Hi'.upper() ~ 'Hi'.lower() }}"
            + "|{{ '-'.join(['a','b']) }}|{{ 'a.b.c'.split('.') | length }}"
            + "|{{ 'yes' if 'abc'.endswith(['x','c']) else 'no' }}|{{ 'aXbX'.replace('X','y') }}"
            + "|{{ 'abc'.find('c') }}|{{ s.strip() }}|{{ s | trim }}"
            + "|{% for p in 'x/y'.split('/') %}{{ loop.index }}{{ p }}{% endfor %}"
            + "|{{ 'x</think>y'.split('</think>')[-1] }}";
    String rendered =
        ChatTemplate.jinja("t", source).render(List.of(), false, Map.of("s", "  a, b  c ,, "));
    assertThat(rendered)
        .isEqualTo("a,/b/c/,,|  a/ b  c ,, |  a, b  c|a, b  c ,, "
            + "|Hello World|HIhi|a-b|3|yes|ayby|2|a, b  c ,,|a, b  c ,,|1x2y|y");
  }

  @Test
  void render_whitespaceControlAndTrailingNewline_matchJinja2() {
    ChatTemplate t =
        ChatTemplate.jinja(
            "t", "{% if x %}\n    A\n{% endif %}\n  {%- if y -%}\n B \n{%- endif %}\nC\n");
    assertThat(t.render(List.of(), false, Map.of("x", true, "y", true))).isEqualTo("    A\nBC");
  }

  @Test
  void loopControls_breakAndContinue_matchJinja2() {
    ChatTemplate t =
        ChatTemplate.jinja(
            "t",
            "{%- for m in messages %}{%- if m.role == 'system' %}{% continue %}{% endif %}"
                + "{%- if m.role == 'assistant' %}{% break %}{% endif %}"
                + "{{ m.role }}{{ loop.index }};{%- endfor %}"
                + "|{% for i in range(5) %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}");
    assertThat(t.render(FULL, false)).isEqualTo("user2;|012");
  }

  @Test
  void render_commentsAreTrimmedLikeBlocks() {
    ChatTemplate t =
        ChatTemplate.jinja(
            "t",
            "{# c #}\n{{ 'x' }}\n  {# indented #}\ny\n{#- t -#}\n  z {# inline #} w\n"
                + "{# multi\nline #}\nq\na  {# not at line start #}\nb");
    assertThat(t.render(List.of(), false)).isEqualTo("x\nyz  w\nq\na  b");
  }

  @Test
  void chatml_rendersQwen2TurnsWithoutDefaultSystem() {
    assertThat(ChatFormat.CHATML.template().render(FULL, false))
        .isEqualTo("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there"
            + "<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n");
    assertThat(ChatFormat.CHATML.template().render(List.of(Message.user("Hi")), true))
        .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void llama3_rendersLikeTheLlama3Template() {
    ChatTemplate fallback =
        ChatFormat.LLAMA3.template().withVariables(Map.of("bos_token", "<|begin_of_text|>"));
    for (List<Message> conversation : List.of(FULL, PROMPT, SPACES)) {
      for (boolean generation : new boolean[] {false, true}) {
        assertThat(fallback.render(conversation, generation))
            .isEqualTo(template("llama3").render(conversation, generation));
      }
    }
  }

  @Test
  void withVariables_refusesReservedNames() {
    ChatTemplate t = ChatFormat.CHATML.template();
    assertThatThrownBy(() -> t.withVariables(Map.of("messages", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'messages'");
    assertThatThrownBy(() -> t.render(PROMPT, true, Map.of("add_generation_prompt", false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'add_generation_prompt'");
  }

  @Test
  void jinja_refusesBlankSource() {
    assertThatThrownBy(() -> ChatTemplate.jinja("m", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chat template 'm'");
  }

  /**
   * Expected strings from Python: Jinja2 3.1.6, {@code ImmutableSandboxedEnvironment(trim_blocks=
   * True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])}, messages a and b.
   */
  static Stream<Arguments> lstripCases() {
    return Stream.of(
        // a tag after text on its line keeps the space before it
        Arguments.of("{% for m in messages %}{{ m['content'] }} {% endfor %}", "a b "),
        Arguments.of(
            "{% for m in messages %}\n  {{ m['content'] }}\n  {% if not loop.last %}, {% endif %}"
                + "\n{% endfor %}",
            "  a\n,   b\n"),
        // comments: after one on a line, the next tag is not at the line's start
        Arguments.of(
            "x  {# c #}  {% if true %}y{% endif %}\n  {# c #}\n  {% if true %}z{% endif %}",
            "x    yz"),
        // {%+ keeps the indentation, +%} keeps the newline
        Arguments.of(
            "\t{%+ if true %}a{% endif %}\n\t{% if true +%}\nb\n{% endif %}|", "\ta\nb\n|"),
        // \r\n read as \n, a trailing newline dropped
        Arguments.of(
            "{{ 'a' }}  {% if true %}b{% endif %}\r\n  {% if true %}c{% endif %}\r\nd\r\n",
            "a  bcd"),
        // "{%" inside a string and inside raw is text
        Arguments.of(
            "{% if true %}\n    {{- ' x ' -}}\n    {% endif %}|{% set s = '  {% x %}' %}{{ s }}\n"
                + "   {% raw %}  {% if %}{% endraw %}",
            " x |  {% x %}\n  {% if %}"));
  }

  @ParameterizedTest
  @MethodSource("lstripCases")
  void lstripBlocks_stripsOnlyWhenTheTagStartsItsLine_asJinja2(String source, String expected) {
    List<Message> ab = List.of(Message.user("a"), Message.assistant("b"));
    assertThat(ChatTemplate.jinja("lstrip", source).render(ab, false)).isEqualTo(expected);
  }
}
