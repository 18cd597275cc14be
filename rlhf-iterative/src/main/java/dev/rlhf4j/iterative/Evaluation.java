package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The held-out evaluation the loop runs on π0 before the first iteration and on each iteration's
 * policy after it: one response per prompt, scored by an {@link Evaluator}.
 *
 * <p>By default responses are decoded greedily (temperature 0), so an iteration's figures reflect
 * the policy and not sampling noise; the seed of {@code sampling} is replaced by one derived from
 * the run's seed, the same in every iteration. Without an evaluator the loop uses {@link
 * Evaluators#standard(String, dev.rlhf4j.api.feedback.RewardModel)} under the run's reward model,
 * or {@link Evaluators#standardPairwise} under its preference model when it has no reward model,
 * naming the judge {@code proxy_greedy} ({@code proxy_sampled} when {@code sampling} is not
 * greedy): e.g. {@code eval/proxy_greedy_win_rate_vs_pi0}, the same key for π0 and every
 * iteration.
 *
 * @param prompts the held-out prompts, non-empty, with distinct ids; they should not overlap the
 *     training prompts
 * @param sampling how responses are decoded
 * @param evaluator the evaluator, or empty for the standard one under the run's proxy
 */
public record Evaluation(
    List<Prompt> prompts, SamplingParams sampling, Optional<Evaluator> evaluator) {

  /**
   * @throws IllegalArgumentException if a field is null, prompts is empty or two prompts share an
   *     id
   */
  public Evaluation {
    checkArgument(prompts != null, "prompts must not be null");
    prompts = List.copyOf(prompts);
    checkArgument(!prompts.isEmpty(), "evaluation prompts must not be empty");
    Set<String> ids = new HashSet<>();
    for (Prompt p : prompts) {
      checkArgument(ids.add(p.id()), "evaluation prompt id %s appears twice", p.id());
    }
    checkArgument(sampling != null, "sampling must not be null");
    checkArgument(evaluator != null, "evaluator must not be null (use Optional.empty())");
  }

  /**
   * Greedy decoding of {@code prompts} with the standard evaluator.
   *
   * @throws IllegalArgumentException as the constructor
   */
  public static Evaluation of(List<Prompt> prompts) {
    return new Evaluation(
        prompts, SamplingParams.builder().temperature(0).build(), Optional.empty());
  }

  /**
   * The same evaluation scored by {@code newEvaluator}.
   *
   * @throws IllegalArgumentException if newEvaluator is null
   */
  public Evaluation withEvaluator(Evaluator newEvaluator) {
    checkArgument(newEvaluator != null, "evaluator must not be null");
    return new Evaluation(prompts, sampling, Optional.of(newEvaluator));
  }

  /**
   * The same evaluation decoded with {@code newSampling}.
   *
   * @throws IllegalArgumentException if newSampling is null
   */
  public Evaluation withSampling(SamplingParams newSampling) {
    return new Evaluation(prompts, newSampling, evaluator);
  }
}
