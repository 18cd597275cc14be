package dev.rlhf4j.iterative.train.internal;

import ai.djl.ndarray.NDArray;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.PeftAdapter;
import dev.rlhf4j.training.TrainingLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A causal LM policy as the training loop sees it: what trains ({@link
 * CausalLm#trainableParameters()}: the LoRA adapter when one is attached, else every parameter not
 * frozen), and checkpoints. Without an adapter a checkpoint is a Hugging Face directory ({@code
 * CausalLm.load} reads it back) with the tokenizer files, copied from {@code tokenizerDirectory}
 * when the policy was not loaded from a directory (from which {@link CausalLm#save} copies them
 * itself). With an adapter it is a PEFT adapter directory ({@link PeftAdapter#save}: {@code
 * adapter_config.json}, whose {@code base_model_name_or_path} points at the policy's origin, and
 * {@code adapter_model.safetensors}) with the tokenizer files.
 *
 * @param policy the trained policy
 * @param tokenizerDirectory where the tokenizer files come from, or null
 */
public record PolicyTrainable(CausalLm policy, Path tokenizerDirectory)
    implements TrainingLoop.Trainable {
  private static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json",
          "merges.txt", "tokenizer.model", "added_tokens.json", "chat_template.jinja",
          "generation_config.json");

  @Override
  public Map<String, NDArray> parameters() {
    return policy.trainableParameters();
  }

  @Override
  public void save(Path directory) {
    Path tokenizerSource = tokenizerDirectory;
    if (policy.loraConfig().isPresent()) {
      PeftAdapter.save(policy, directory);
      if (tokenizerSource == null) {
        tokenizerSource = policy.origin().orElse(null);
      }
    } else {
      policy.save(directory);
      if (policy.origin().isPresent()) {
        return;
      }
    }
    if (tokenizerSource != null) {
      copyTokenizerFiles(tokenizerSource, directory);
    }
  }

  /** Copies the tokenizer and generation files that {@code from} holds into {@code to}. */
  public static void copyTokenizerFiles(Path from, Path to) {
    try {
      for (String name : TOKENIZER_FILES) {
        Path file = from.resolve(name);
        if (Files.isRegularFile(file) && !Files.exists(to.resolve(name))) {
          Files.copy(file, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the tokenizer files into " + to, e);
    }
  }
}
