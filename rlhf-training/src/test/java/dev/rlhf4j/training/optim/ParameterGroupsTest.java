package dev.rlhf4j.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ParameterGroupsTest {
  private static final Shape MATRIX = new Shape(8, 8);
  private static final Shape VECTOR = new Shape(8);

  @Test
  void defaults_llamaNames() {
    ParameterGroups groups = ParameterGroups.defaults();
    assertThat(groups.noDecay("model.embed_tokens.weight", MATRIX)).isTrue();
    assertThat(groups.noDecay("model.layers.0.self_attn.q_proj.weight", MATRIX)).isFalse();
    assertThat(groups.noDecay("model.layers.0.self_attn.q_proj.bias", VECTOR)).isTrue();
    assertThat(groups.noDecay("model.layers.0.mlp.down_proj.weight", MATRIX)).isFalse();
    assertThat(groups.noDecay("model.layers.0.input_layernorm.weight", VECTOR)).isTrue();
    assertThat(groups.noDecay("model.norm.weight", VECTOR)).isTrue();
    assertThat(groups.noDecay("lm_head.weight", MATRIX)).isFalse();
  }

  @Test
  void defaults_gpt2Names() {
    ParameterGroups groups = ParameterGroups.defaults();
    assertThat(groups.noDecay("transformer.wte.weight", MATRIX)).isTrue();
    assertThat(groups.noDecay("transformer.wpe.weight", MATRIX)).isTrue();
    assertThat(groups.noDecay("transformer.h.0.attn.c_attn.weight", MATRIX)).isFalse();
    assertThat(groups.noDecay("transformer.h.0.ln_1.weight", VECTOR)).isTrue();
    assertThat(groups.noDecay("transformer.h.0.mlp.c_fc.bias", VECTOR)).isTrue();
  }

  @Test
  void defaults_rankDecidesForUnknownNames_andNamesAreCaseInsensitive() {
    ParameterGroups groups = ParameterGroups.defaults();
    assertThat(groups.noDecay("score", new Shape())).isTrue();
    assertThat(groups.noDecay("v_head.summary", VECTOR)).isTrue();
    assertThat(groups.noDecay("v_head.summary", MATRIX)).isFalse();
    assertThat(groups.noDecay("Encoder.LayerNorm.gamma", MATRIX)).isTrue();
  }

  @Test
  void decayAll_and_or() {
    assertThat(ParameterGroups.decayAll().noDecay("model.norm.weight", VECTOR)).isFalse();
    ParameterGroups heads = (name, shape) -> name.startsWith("lm_head");
    ParameterGroups combined = ParameterGroups.decayAll().or(heads);
    assertThat(combined.noDecay("lm_head.weight", MATRIX)).isTrue();
    assertThat(combined.noDecay("model.norm.weight", VECTOR)).isFalse();
    assertThatThrownBy(() -> heads.or(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("other must not be null");
  }
}
