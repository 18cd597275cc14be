package dev.rlhf4j.models.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading and writing config.json. */
class ModelConfigTest {

  /** A Llama 3.1-style config.json, shortened. */
  private static final String LLAMA31 =
      """
      {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": 128256,
        "hidden_size": 4096,
        "intermediate_size": 14336,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "rms_norm_eps": 1e-05,
        "rope_theta": 500000.0,
        "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "max_position_embeddings": 131072,
        "tie_word_embeddings": false,
        "bos_token_id": 128000,
        "eos_token_id": [128001, 128008, 128009],
        "hidden_act": "silu",
        "attention_dropout": 0.0,
        "pretraining_tp": 1,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.43.0.dev0"
      }
      """;

  @Test
  void fromJson_llama31_readsEveryField() {
    ModelConfig c = ModelConfig.fromJson(LLAMA31);
    assertThat(c.architecture()).isEqualTo(Architecture.LLAMA_CAUSAL_LM);
    assertThat(c.numKvHeads()).isEqualTo(8);
    assertThat(c.headDim()).isEqualTo(128);
    assertThat(c.normEps()).isEqualTo(1e-5);
    assertThat(c.ropeScaling()).contains(new RopeScaling(8.0, 1.0, 4.0, 8192));
    assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
    assertThat(c.bosTokenId()).hasValue(128000);
    assertThat(c.padTokenId()).isEmpty();
    assertThat(c.torchDtype()).isEqualTo("bfloat16");
    assertThat(c.extraFields()).containsEntry("pretraining_tp", "1");
  }

  @Test
  void toJson_thenFromJson_isTheSameConfig() {
    ModelConfig c = ModelConfig.fromJson(LLAMA31);
    assertThat(ModelConfig.fromJson(c.toJson())).isEqualTo(c);
    assertThat(c.toJson())
        .contains("\"rope_type\" : \"llama3\"", "\"transformers_version\" : \"4.43.0.dev0\"",
            "\"eos_token_id\" : [ 128001, 128008, 128009 ]");
  }

  @Test
  void fromJson_gpt2_mapsItsKeys() {
    ModelConfig c =
        ModelConfig.fromJson(
            """
            {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 50257,
             "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024, "n_inner": null,
             "activation_function": "gelu_new", "layer_norm_epsilon": 1e-05,
             "bos_token_id": 50256, "eos_token_id": 50256}
            """);
    assertThat(c.hiddenSize()).isEqualTo(768);
    assertThat(c.intermediateSize()).isEqualTo(3072);
    assertThat(c.tieWordEmbeddings()).isTrue();
    assertThat(c.numKvHeads()).isEqualTo(12);
    assertThat(c.maxPositionEmbeddings()).isEqualTo(1024);
    String json = c.toJson();
    assertThat(json).contains("\"n_embd\" : 768", "\"n_positions\" : 1024")
        .doesNotContain("hidden_size");
    assertThat(ModelConfig.fromJson(json)).isEqualTo(c);
  }

  @Test
  void fromJson_qwen2_keepsSlidingWindowKeysVerbatim() {
    ModelConfig c =
        ModelConfig.fromJson(
            """
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936,
             "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
             "num_attention_heads": 14, "num_key_value_heads": 2, "sliding_window": 32768,
             "use_sliding_window": false, "max_window_layers": 21, "tie_word_embeddings": true,
             "eos_token_id": 151645, "bos_token_id": 151643}
            """);
    assertThat(c.qkvBias()).isTrue();
    assertThat(c.outputBias()).isFalse();
    assertThat(c.slidingWindow()).isEmpty();
    assertThat(c.toJson()).contains("\"sliding_window\" : 32768", "\"max_window_layers\" : 21");
  }

  @Test
  void fromJson_mistral_readsSlidingWindow() {
    ModelConfig c =
        ModelConfig.fromJson(
            """
            {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": 32000,
             "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
             "num_attention_heads": 32, "num_key_value_heads": 8, "sliding_window": 4096,
             "head_dim": null}
            """);
    assertThat(c.slidingWindow()).hasValue(4096);
    assertThat(c.headDim()).isEqualTo(128);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
          "intermediate_size"})
  void fromJson_missingRequiredField_namesIt(String field) {
    String json = LLAMA31.replace("\"" + field + "\"", "\"removed_" + field + "\"");
    assertThatThrownBy(() -> ModelConfig.fromJson(json))
        .isInstanceOf(ModelConfigException.class)
        .hasMessage("config.json: missing required field '" + field + "'")
        .extracting(e -> ((ModelConfigException) e).field())
        .isEqualTo(java.util.Optional.of(field));
  }

  @Test
  void fromJson_unknownArchitecture_listsSupportedOnes() {
    String json = LLAMA31.replace("LlamaForCausalLM", "FooForCausalLM");
    assertThatThrownBy(() -> ModelConfig.fromJson(json))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageStartingWith(
            "config.json: architectures 'FooForCausalLM' is not supported; supported: "
                + "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel");
  }

  @Test
  void fromJson_wrongType_namesFieldAndValue() {
    String json = LLAMA31.replace("\"hidden_size\": 4096", "\"hidden_size\": \"4096\"");
    assertThatThrownBy(() -> ModelConfig.fromJson(json))
        .isInstanceOf(ModelConfigException.class)
        .hasMessage("config.json: field 'hidden_size' must be an integer, got \"4096\"");
  }

  @Test
  void fromJson_unsupportedSettings_areRefusedByName() {
    assertThatThrownBy(() -> ModelConfig.fromJson(LLAMA31.replace("\"llama3\"", "\"yarn\"")))
        .hasMessage(
            "config.json: rope_scaling.rope_type 'yarn' is not supported; supported: llama3");
    assertThatThrownBy(() -> ModelConfig.fromJson(LLAMA31.replace("\"silu\"", "\"gelu\"")))
        .hasMessage("config.json: hidden_act 'gelu' is not supported; supported: silu");
    String qwen =
        """
        {"architectures": ["Qwen2ForCausalLM"], "vocab_size": 10, "hidden_size": 8,
         "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
         "use_sliding_window": true, "sliding_window": 4}
        """;
    assertThatThrownBy(() -> ModelConfig.fromJson(qwen))
        .hasMessage("config.json: use_sliding_window true is not supported; supported: false");
  }

  @Test
  void fromJson_inconsistentHeads_failsWithNumbers() {
    String json = LLAMA31.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5");
    assertThatThrownBy(() -> ModelConfig.fromJson(json))
        .isInstanceOf(ModelConfigException.class)
        .hasMessage(
            "config.json: num_attention_heads (32) must be a multiple of num_key_value_heads (5)");
  }

  @Test
  void classifier_writesId2LabelAndReadsItBack() {
    ModelConfig c =
        ModelConfig.builder(Architecture.QWEN2_SEQUENCE_CLASSIFICATION)
            .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
            .vocabSize(10).hiddenSize(8).numLayers(1).numHeads(2).intermediateSize(8)
            .numLabels(1).padTokenId(OptionalInt.of(0)).build();
    String json = c.toJson();
    assertThat(json).contains("\"id2label\" : {", "\"0\" : \"LABEL_0\"");
    ModelConfig back = ModelConfig.fromJson(json);
    assertThat(back).isEqualTo(c);
    assertThat(back.numLabels()).isEqualTo(1);
  }

  @Test
  void builder_missingSize_failsNamingIt() {
    assertThatThrownBy(
            () -> ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
                .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2)).vocabSize(10).hiddenSize(8)
                .numLayers(1).numHeads(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("intermediate_size is required");
    assertThatThrownBy(() -> ModelConfig.builder(Architecture.GPT2_LM_HEAD)
        .bosTokenId(OptionalInt.of(56)).eosTokenIds(List.of(56)).vocabSize(0))
        .hasMessage("vocab_size must be > 0 but was 0");
  }

  @Test
  void ropeScaling_llama3_keepsHighFrequenciesAndDividesLowOnes() {
    RopeScaling s = new RopeScaling(8.0, 1.0, 4.0, 8192);
    double high = 1.0; // wavelength 2π, far below 8192 / 4
    double low = 2 * Math.PI / 100_000; // wavelength 100000, above 8192
    double[] scaled = s.scale(new double[] {high, low});
    assertThat(scaled[0]).isEqualTo(high);
    assertThat(scaled[1]).isEqualTo(low / 8.0);
    assertThat(List.of(Architecture.values())).hasSize(8);
  }

  @Test
  void builder_requiresBosAndEos_withoutLlamaDefaults() {
    ModelConfig.Builder b =
        ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
            .vocabSize(10).hiddenSize(8).numLayers(1).numHeads(2).intermediateSize(8);
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bos_token_id is required: call bosTokenId(OptionalInt.of(id))");
    b.bosTokenId(OptionalInt.empty());
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("eos_token_id is required: call eosTokenIds(List.of(id, ...))");
    ModelConfig c = b.eosTokenIds(List.of(7)).build();
    assertThat(c.bosTokenId()).isEmpty();
    assertThat(c.eosTokenIds()).containsExactly(7);
  }

  @Test
  void tokenIds_mustBeInsideTheVocabulary() {
    ModelConfig.Builder b =
        ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
            .vocabSize(10).hiddenSize(8).numLayers(1).numHeads(2).intermediateSize(8)
            .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(10));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("eos_token_id must be a token id in [0, vocab_size = 10) but was 10");
  }

  @Test
  void fromJson_withoutIds_takesTransformersDefaultsOnlyInsideTheVocabulary() {
    String json = "{\"architectures\": [\"LlamaForCausalLM\"], \"vocab_size\": 2,"
        + " \"hidden_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
        + " \"intermediate_size\": 8}";
    ModelConfig c = ModelConfig.fromJson(json);
    assertThat(c.bosTokenId()).hasValue(1);
    assertThat(c.eosTokenIds()).isEmpty();
  }
}
