package dev.rlhf4j.reward;

import dev.rlhf4j.models.config.Architecture;
import java.util.OptionalInt;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny Hugging Face model directories for tests: a character-level BPE tokenizer written by
 * {@link HfTokenizerWriter} (the special tokens of ChatML, newline, printable ASCII and the
 * SentencePiece "▁" word marker) with a ChatML chat template, and tiny Llama configurations sized
 * to it. Nothing is downloaded.
 */
public final class TinyModels {
  /** Special tokens, ids 0.. in this order. */
  public static final List<String> SPECIAL =
      List.of("<unk>", "<s>", "</s>", "<pad>", "<|im_start|>", "<|im_end|>");

  /** The ChatML template (as Qwen2 writes it, without the default system prompt). */
  public static final String CHATML =
      "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
          + "message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  private static final String METASPACE = "\u2581";

  private TinyModels() {}

  /** How the tokenizer treats padding and word boundaries. */
  public enum Variant {
    /** pad {@code <pad>}, eos {@code <|im_end|>}. */
    DISTINCT_PAD,
    /** pad = eos = {@code <|im_end|>}: the setting a reward model must not read at. */
    PAD_IS_EOS,
    /** no pad token at all. */
    NO_PAD,
    /**
     * SentencePiece-style: spaces become "▁" and every text starts with one, and no merge makes
     * "▁A" one token, so the answer "A" encodes to two tokens.
     */
    METASPACE
  }

  /** The number of ids of the tokenizer (the same for every variant). */
  public static int vocabSize() {
    return vocabulary().size();
  }

  private static List<String> vocabulary() {
    List<String> vocabulary = new ArrayList<>(SPECIAL);
    vocabulary.add("\n");
    for (char c = 32; c < 127; c++) {
      vocabulary.add(String.valueOf(c));
    }
    vocabulary.add(METASPACE);
    return vocabulary;
  }

  /** The id of a single-character token or a special token. */
  public static long idOf(String token) {
    int id = vocabulary().indexOf(token);
    if (id < 0) {
      throw new IllegalArgumentException("no token " + token);
    }
    return id;
  }

  /** Writes tokenizer.json and tokenizer_config.json of {@code variant} into {@code dir}. */
  public static Path writeTokenizer(Path dir, Variant variant) {
    HfTokenizerWriter.Builder writer =
        HfTokenizerWriter.builder(
                variant == Variant.METASPACE
                    ? HfTokenizerWriter.Segmentation.METASPACE_CHARACTERS
                    : HfTokenizerWriter.Segmentation.CHARACTERS)
            .vocabulary(vocabulary())
            .specialTokens(SPECIAL)
            .bosToken("<s>")
            .eosToken("<|im_end|>")
            .unkToken("<unk>")
            .chatTemplate(CHATML);
    if (variant == Variant.PAD_IS_EOS) {
      writer.padToken("<|im_end|>");
    } else if (variant != Variant.NO_PAD) {
      writer.padToken("<pad>");
    }
    return writer.build().write(dir);
  }

  /** A tiny Llama causal LM configuration over the tiny tokenizer. */
  public static ModelConfig causalLm(int hidden, int layers) {
    return ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
        .bosTokenId(OptionalInt.of(1))
        .vocabSize(vocabSize())
        .hiddenSize(hidden)
        .numLayers(layers)
        .numHeads(4)
        .numKvHeads(2)
        .intermediateSize(2 * hidden)
        .maxPositionEmbeddings(512)
        .eosTokenIds(List.of((int) idOf("<|im_end|>")))
        .build();
  }

  /** The same model as a one-label sequence classifier (a reward model). */
  public static ModelConfig rewardModel(int hidden, int layers) {
    return causalLm(hidden, layers)
        .withArchitecture(Architecture.LLAMA_SEQUENCE_CLASSIFICATION)
        .toBuilder()
        .numLabels(1)
        .build();
  }
}
