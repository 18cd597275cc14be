package dev.rlhf4j.iterative.djl;

import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A tiny π0 for backend tests: a word-level tokenizer (six special tokens and twelve words) with
 * a one-line chat template, a random two-layer Llama over it, saved together as a Hugging Face
 * directory; and a rule-based reward model that likes the word "yes" and dislikes length.
 */
final class TinyPolicy {
  static final List<String> SPECIAL =
      List.of("<|pad|>", "<|unk|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>");
  static final List<String> WORDS =
      List.of("yes", "no", "maybe", "say", "one", "two", "three", "red", "blue", "cat", "dog",
          "ok");
  static final String TEMPLATE =
      "{% for message in messages %}{% if not loop.first %}{{ ' ' }}{% endif %}"
          + "<|{{ message['role'] }}|> {{ message['content'] }} <|end|>{% endfor %}"
          + "{% if add_generation_prompt %} <|assistant|>{% endif %}";

  private TinyPolicy() {}

  static List<String> vocabulary() {
    List<String> all = new ArrayList<>(SPECIAL);
    all.addAll(WORDS);
    return all;
  }

  /** Writes the tokenizer and a random policy with {@code seed} into {@code dir}. */
  static Path write(Path dir, long seed) {
    HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.WORDS)
        .vocabulary(vocabulary())
        .specialTokens(SPECIAL)
        .eosToken("<|end|>")
        .padToken("<|pad|>")
        .unkToken("<|unk|>")
        .chatTemplate(TEMPLATE)
        .build()
        .write(dir);
    ModelConfig config =
        ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
            .vocabSize(vocabulary().size())
            .hiddenSize(32)
            .numLayers(2)
            .numHeads(2)
            .numKvHeads(2)
            .intermediateSize(64)
            .maxPositionEmbeddings(64)
            .tieWordEmbeddings(true)
            .padTokenId(OptionalInt.of(0))
            .eosTokenIds(List.of(5))
            .bosTokenId(OptionalInt.empty())
            .initializerRange(0.1)
            .build();
    try (CausalLm model = CausalLm.randomInit(config, seed, ModelOptions.cpu())) {
      model.save(dir);
    }
    return dir;
  }

  /** Reward: +1 per "yes", −0.1 per word; deterministic and stateless. */
  static final class YesReward implements RewardModel {
    @Override
    public double[] score(List<ScoreRequest> batch) {
      double[] out = new double[batch.size()];
      for (int i = 0; i < out.length; i++) {
        String text = batch.get(i).response().strip();
        if (text.isEmpty()) {
          continue;
        }
        for (String word : text.split("\\s+")) {
          out[i] += word.equals("yes") ? 1.0 : -0.1;
        }
      }
      return out;
    }
  }
}
