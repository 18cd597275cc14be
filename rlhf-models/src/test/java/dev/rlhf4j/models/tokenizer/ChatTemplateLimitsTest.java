package dev.rlhf4j.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A chat template comes with a downloaded model and is untrusted: it must not exhaust the heap
 * or the CPU, call Java methods or read files. The hostile templates here end in an
 * OutOfMemoryError or run for minutes without the limits.
 */
class ChatTemplateLimitsTest {
  private static final List<Message> HI = List.of(Message.user("Hi"));
  private static final String DOUBLING =
      "{% set s = 'xxxxxxxxxx' %}{% for i in range(30) %}{% set s = s ~ s %}{% endfor %}{{ s }}";
  private static final String NESTED =
      "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{{ k }}"
          + "{% endfor %}{% endfor %}{% endfor %}";
  private static final String NESTED_EMPTY =
      "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
          + "{% endfor %}{% endfor %}{% endfor %}";

  @Test
  void doublingString_stopsAtTheOutputLimit() {
    assertThatThrownBy(() -> ChatTemplate.jinja("evil/doubling", DOUBLING).render(HI, false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("chat template 'evil/doubling'")
        .hasMessageContaining("limit of 33554432 characters")
        .hasMessageContaining("maxOutputChars");
  }

  @Test
  void doublingString_smallerConfiguredLimit() {
    ChatTemplate t =
        ChatTemplate.jinja("evil", DOUBLING)
            .withLimits(new ChatTemplate.Limits(1000, 100_000, Duration.ofSeconds(5)));
    assertThatThrownBy(() -> t.render(HI, false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("limit of 1000 characters");
  }

  @Test
  void nestedLoops_stopAtTheIterationLimit() {
    for (String source : List.of(NESTED, NESTED_EMPTY)) {
      assertThatThrownBy(() -> ChatTemplate.jinja("evil/loops", source).render(HI, false))
          .isInstanceOf(ChatTemplateException.class)
          .hasMessageContaining("chat template 'evil/loops' needs more than the limit of 100000"
              + " loop iterations (ChatTemplate.Limits.maxLoopIterations)");
    }
  }

  @Test
  void iterationLimit_countsEveryLoop() {
    ChatTemplate t =
        ChatTemplate.jinja("t", "{% for m in messages %}{% for c in ['a', 'b'] %}{{ c }}{% endfor %}"
                + "{% endfor %}")
            .withLimits(new ChatTemplate.Limits(1000, 3, Duration.ofSeconds(5)));
    // one outer iteration + one inner loop over 2 items: 3 iterations
    assertThat(t.render(HI, false)).isEqualTo("ab");
    assertThatThrownBy(() -> t.render(List.of(Message.user("a"), Message.assistant("b")), false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("limit of 3 loop iterations");
  }

  @Test
  void renderTime_isBounded() {
    // 100 x 1000 iterations, each building a 10,000-character string: well under the other limits
    String slow =
        "{% for i in range(100) %}{% for j in range(1000) %}{% set s = 'x' * 10000 %}"
            + "{% endfor %}{% endfor %}";
    ChatTemplate t =
        ChatTemplate.jinja("slow", slow)
            .withLimits(new ChatTemplate.Limits(1 << 20, 1_000_000, Duration.ofMillis(1)));
    assertThatThrownBy(() -> t.render(HI, false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("chat template 'slow' ran longer than the limit of 1 ms"
            + " (ChatTemplate.Limits.maxRenderTime)");
  }

  @Test
  void realTemplates_renderWithinTheDefaults_longConversation() {
    List<Message> long_ = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      long_.add(Message.user("question " + i + " " + "y".repeat(1000)));
      long_.add(Message.assistant("answer " + i));
    }
    for (String name : List.of("llama3", "qwen2", "mistral", "zephyr")) {
      ChatTemplate t =
          ChatTemplate.jinja(name, TinyTokenizers.template(name))
              .withVariables(Map.of("bos_token", "<s>", "eos_token", "</s>"));
      assertThat(t.render(long_, true)).contains("answer 499").hasSizeGreaterThan(500_000);
    }
  }

  @Test
  void sandbox_refusesJavaMethodsAndFiles() {
    for (String source :
        List.of(
            "{{ ''.getClass() }}",
            "{{ ''.getClass().forName('java.lang.Runtime') }}",
            "{{ messages.getClass().getClassLoader() }}",
            "{% include '/etc/hostname' %}",
            "{% import '/etc/hostname' as h %}",
            "{% from '/etc/hostname' import x %}")) {
      assertThatThrownBy(() -> ChatTemplate.jinja("evil", source).render(HI, false))
          .as(source)
          .isInstanceOf(ChatTemplateException.class)
          .hasMessageContaining("chat template 'evil' failed to render");
    }
  }

  @Test
  void limits_checkTheirValues() {
    assertThatThrownBy(() -> new ChatTemplate.Limits(0, 1, Duration.ofSeconds(1)))
        .hasMessage("maxOutputChars must be > 0 but was 0");
    assertThatThrownBy(() -> new ChatTemplate.Limits(1, -1, Duration.ofSeconds(1)))
        .hasMessage("maxLoopIterations must be > 0 but was -1");
    assertThatThrownBy(() -> new ChatTemplate.Limits(1, 1, Duration.ZERO))
        .hasMessage("maxRenderTime must be > 0 but was PT0S");
  }
}
