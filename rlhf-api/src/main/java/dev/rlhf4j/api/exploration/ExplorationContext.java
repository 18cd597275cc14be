package dev.rlhf4j.api.exploration;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.feedback.PreferenceModel;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What an {@link ExplorationStrategy} may use during one iteration. The loop records every sample
 * and score that passes through it as the iteration's hand-off files.
 *
 * <p>A context is confined to the thread that calls the strategy.
 */
public interface ExplorationContext {

  /** The iteration being collected for, 1-based. */
  int iteration();

  /**
   * The current policy (the last iteration's weights). The loop's context checks every answer
   * against the {@link Sampler} contract (one sample per prompt, in prompt order, {@code n}
   * responses each) and fails naming the sampler, so a strategy need not check it again.
   */
  Sampler policy();

  /**
   * The policy of the previous iteration, for Claude-style two-checkpoint exploration; empty in
   * the first iteration or when the loop does not keep it. Checked like {@link #policy()}.
   */
  Optional<Sampler> previousPolicy();

  /** The run's sampling parameters, with a seed derived for this iteration. */
  SamplingParams sampling();

  /** Scores every response with the run's reward model. */
  List<AnnotatedSample> annotate(List<GeneratedSample> samples);

  /** The run's pairwise preference model, when it ranks with one instead of a reward model. */
  Optional<PreferenceModel> preferenceModel();

  /** A generator seeded from the run's seed and this iteration: use it for every random choice. */
  RandomGenerator random();

  /**
   * Reports a figure of this iteration's exploration (how many prompts yielded a pair, how many
   * were dropped and why, ...). The loop writes the figures to the iteration's {@code
   * selection.json} and reports them as {@code explore/<name>}, beside its own {@code prompts}
   * and {@code pairs}; a later value of one name replaces the earlier one. Every strategy may call
   * it, the built-in ones and a user's alike. The default does nothing (a context outside the
   * loop).
   *
   * @param name the metric's name, e.g. {@code "ties_dropped"}
   * @param value its value
   */
  default void reportMetric(String name, double value) {}

  /**
   * Tells the loop that sampling and scoring are done and the strategy now selects its pairs: the
   * SELECT stage is timed from here. Optional; without it, SELECT starts when the strategy
   * returns. The default does nothing.
   */
  default void beginSelection() {}
}
