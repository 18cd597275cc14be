package dev.rlhf4j.sampling.exploration;

import dev.rlhf4j.api.LengthUnit;
import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.ExplorationContext;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import dev.rlhf4j.sampling.exploration.internal.CandidateSource;
import dev.rlhf4j.sampling.exploration.internal.PairSelector;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A built-in exploration strategy: it samples candidates for every prompt, ranks them, and keeps at
 * most one (chosen, rejected) pair per prompt under its {@link SelectionRules}. Obtain one from
 * {@link ExplorationStrategies} and adjust its rules with {@link #withSelection(SelectionRules)}:
 *
 * <pre>{@code
 * PairStrategy strategy = ExplorationStrategies.rejectionSampling(8)
 *     .withSelection(SelectionRules.builder()
 *         .lengthPenalty(0.001, LengthUnit.CHARACTERS)
 *         .build());
 * ExploreResult result = strategy.exploreWithStats(prompts, context);
 * }</pre>
 *
 * <p>Each pair's {@link PreferencePair#source() source} is {@code "iteration-<t>/<name>"}, e.g.
 * {@code "iteration-2/rejection-sampling"}. Random choices come from {@link
 * ExplorationContext#random()}, drawn once per call, so the same seed gives the same pairs.
 *
 * <p>Immutable and thread-safe; each call works only through the context it is given.
 */
public final class PairStrategy implements ExplorationStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(PairStrategy.class);

  private final String name;
  private final CandidateSource candidates;
  private final PairSelector selector;
  private final SelectionRules rules;

  PairStrategy(
      String name, CandidateSource candidates, PairSelector selector, SelectionRules rules) {
    this.name = name;
    this.candidates = candidates;
    this.selector = selector;
    this.rules = rules;
  }

  /** The strategy's name, e.g. {@code "rejection-sampling"}; the suffix of every pair's source. */
  public String name() {
    return name;
  }

  /** How many candidates each prompt gets. */
  public int candidatesPerPrompt() {
    return candidates.candidatesPerPrompt();
  }

  /** The rules pairs are selected by. */
  public SelectionRules selection() {
    return rules;
  }

  /**
   * The same strategy under other selection rules.
   *
   * @throws IllegalArgumentException if {@code newRules} is null
   */
  public PairStrategy withSelection(SelectionRules newRules) {
    checkArgument(
        newRules != null, "selection rules must not be null (use SelectionRules.defaults())");
    return new PairStrategy(name, candidates, selector, newRules);
  }

  /**
   * Collects pairs for {@code prompts}, with the counts of why the other prompts yielded none.
   *
   * @param prompts this iteration's slice; an empty slice samples nothing
   * @param context sampling and scoring for this iteration
   * @return the pairs in prompt order and their {@link SelectionStats}
   * @throws IllegalArgumentException if an argument is null
   * @throws IllegalStateException if the context lacks what this strategy needs (a previous policy
   *     after iteration 1 for two-checkpoints, a preference model for preference-knockout)
   * @throws dev.rlhf4j.api.Rlhf4jException if a sampler, the annotation or the preference model
   *     breaks its contract (wrong counts, order or probabilities)
   */
  public ExploreResult exploreWithStats(List<Prompt> prompts, ExplorationContext context) {
    checkArgument(prompts != null, "prompts must not be null");
    checkArgument(context != null, "context must not be null");
    if (prompts.isEmpty()) {
      return ExploreResult.empty();
    }
    List<GeneratedSample> sampled = candidates.sample(List.copyOf(prompts), context);
    ExploreResult result =
        selector.select(sampled, context, rules, "iteration-" + context.iteration() + "/" + name);
    LOG.debug("{} iteration {}: {}", name, context.iteration(), result.stats());
    result.stats().asMetrics().forEach(context::reportMetric);
    return result;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The pairs of {@link #exploreWithStats}; use that method to also get the counts.
   *
   * @throws IllegalArgumentException as {@link #exploreWithStats}
   * @throws IllegalStateException as {@link #exploreWithStats}
   */
  @Override
  public List<PreferencePair> explore(List<Prompt> prompts, ExplorationContext context) {
    return exploreWithStats(prompts, context).pairs();
  }

  @Override
  public String toString() {
    return name + "[" + candidates + ", " + rules + "]";
  }
}
