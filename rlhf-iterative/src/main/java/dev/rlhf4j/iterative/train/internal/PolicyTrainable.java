package dev.rlhf4j.iterative.train.internal;

import ai.djl.ndarray.NDArray;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.training.TrainingLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A causal LM policy as the training loop sees it: its parameters, and checkpoints saved as a
 * Hugging Face directory ({@code CausalLm.load} reads it back) with the tokenizer files, copied
 * from {@code tokenizerDirectory} when the policy was not loaded from a directory (from which
 * {@link CausalLm#save} copies them itself).
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
    return policy.parameters();
  }

  @Override
  public void save(Path directory) {
    policy.save(directory);
    if (policy.origin().isEmpty() && tokenizerDirectory != null) {
      try {
        for (String name : TOKENIZER_FILES) {
          Path file = tokenizerDirectory.resolve(name);
          if (Files.isRegularFile(file)) {
            Files.copy(file, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy the tokenizer files into " + directory, e);
      }
    }
  }
}
