package dev.rlhf4j.iterative;

import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A tiny run: 3 iterations of 6 prompts, 4 samples each, 4 held-out prompts. */
final class Fixture {
  static final int ITERATIONS = 3;
  static final int PER_ITERATION = 6;

  final Path root;
  final Path initialPolicy;
  final FakeBackend backend = new FakeBackend();
  final LengthRewardModel rewardModel = new LengthRewardModel();

  Fixture(Path root) {
    this.root = root;
    this.initialPolicy = FakeBackend.writeInitialPolicy(root.resolve("pi0"));
  }

  static List<Prompt> prompts(int count) {
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(Prompt.ofUser("question " + i));
    }
    return out;
  }

  static List<Prompt> heldOut() {
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      out.add(Prompt.ofUser("held-out " + i));
    }
    return out;
  }

  /** A loop over this fixture's backend and reward model, writing to {@code dir} under root. */
  IterativeLoop.Builder loop(String dir) {
    return IterativeLoop.builder()
        .policy(initialPolicy)
        .backend(backend)
        .rewardModel(rewardModel)
        .prompts(PromptSource.of(prompts(ITERATIONS * PER_ITERATION)))
        .iterations(ITERATIONS)
        .promptsPerIteration(PER_ITERATION)
        .exploration(ExplorationStrategies.rejectionSampling(4))
        .evaluation(Evaluation.of(heldOut()))
        .seed(7)
        .runDirectory(root.resolve(dir));
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> tree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(dir::relativize).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Prompt> promptsOf(Path generated) {
    return Jsonl.readAll(generated, JsonlFormats.generatedSamples()).stream()
        .map(s -> s.prompt())
        .toList();
  }
}
