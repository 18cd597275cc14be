package dev.rlhf4j.api.feedback;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.io.Fingerprint;
import java.util.List;
import java.util.Optional;

/**
 * A pairwise preference P(a1 ≻ a2 | x) (paper §2.3): unlike a {@link RewardModel} it need not be
 * transitive. rlhf4j's own implementation reads an LM's probability of answering "A" to {@code
 * [CONTEXT] x [RESPONSE A] a1 [RESPONSE B] a2}, averaged over both orders.
 *
 * <p>Implement {@link #probabilityFirstPreferred(List)}. Whoever built the model closes it.
 */
@FunctionalInterface
public interface PreferenceModel extends AutoCloseable {

  /**
   * For each comparison, the probability that {@code first} is preferred to {@code second}.
   *
   * @return one probability in [0, 1] per comparison, in order
   */
  double[] probabilityFirstPreferred(List<Comparison> batch);

  /** The probability that {@code first} is preferred to {@code second}. */
  default double probabilityFirstPreferred(List<Message> prompt, String first, String second) {
    return probabilityFirstPreferred(List.of(new Comparison(prompt, first, second)))[0];
  }

  /**
   * What this model is, by content: its files and the settings that change its probabilities. The
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
