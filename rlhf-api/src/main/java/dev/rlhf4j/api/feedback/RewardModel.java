package dev.rlhf4j.api.feedback;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.io.Fingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A pointwise reward r(x, a): higher means more preferred. Under the Bradley–Terry model (paper
 * eq. 1) P(a1 ≻ a2 | x) = σ(r(x, a1) − r(x, a2)).
 *
 * <p>Implement {@link #score(List)}; everything else has a default. Implementations that hold
 * native resources (DJL models, ONNX Runtime sessions) override {@link #close()}; whoever built the
 * model closes it. Implementations document whether {@code score} may be called from several
 * threads at once.
 */
@FunctionalInterface
public interface RewardModel extends AutoCloseable {

  /**
   * Scores a batch of responses.
   *
   * @param batch the responses with their prompts
   * @return one finite reward per request, in order
   */
  double[] score(List<ScoreRequest> batch);

  /** Scores one response. */
  default double score(List<Message> prompt, String response) {
    return score(List.of(new ScoreRequest(prompt, response)))[0];
  }

  /** Scores every response of every sample, in one batch, and attaches the rewards. */
  default List<AnnotatedSample> annotate(List<GeneratedSample> samples) {
    List<ScoreRequest> requests = new ArrayList<>();
    for (GeneratedSample s : samples) {
      for (Completion c : s.responses()) {
        requests.add(ScoreRequest.of(s.prompt(), c));
      }
    }
    double[] rewards = score(requests);
    if (rewards.length != requests.size()) {
      throw new IllegalStateException(
          getClass().getName() + ".score returned " + rewards.length + " rewards for "
              + requests.size() + " requests; it must return one per request");
    }
    List<AnnotatedSample> out = new ArrayList<>(samples.size());
    int k = 0;
    for (GeneratedSample s : samples) {
      List<Double> r = new ArrayList<>(s.responses().size());
      for (int i = 0; i < s.responses().size(); i++) {
        r.add(rewards[k++]);
      }
      out.add(AnnotatedSample.of(s, r));
    }
    return out;
  }

  /**
   * What this model is, by content: its files and the settings that change its scores. The
   * iterative loop records it in its run directory and refuses to resume with a model whose
   * fingerprint differs (a weight file replaced at the same path, another setting), while the
   * same files at another path still resume.
   *
   * <p>Empty (the default) means the model cannot say: the loop then records its {@code
   * toString()} instead, marks it unverified in {@code run.json}, logs a warning on every run,
   * and cannot detect a swapped model. A model backed by files should return {@code
   * Optional.of(Fingerprint.ofPath(directory))} (with {@link Fingerprint#with(String, String)}
   * for its settings); one that is pure code may return a fingerprint of its version and
   * settings. rlhf4j's own models loaded from a directory fingerprint it.
   *
   * @throws dev.rlhf4j.api.Rlhf4jException if the model's files cannot be read
   */
  default Optional<Fingerprint> fingerprint() {
    return Optional.empty();
  }

  /** Releases native resources; the default holds none. Idempotent. */
  @Override
  default void close() {}
}
