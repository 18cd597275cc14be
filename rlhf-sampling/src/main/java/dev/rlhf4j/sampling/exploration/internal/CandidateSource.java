package dev.rlhf4j.sampling.exploration.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.ExplorationContext;
import dev.rlhf4j.api.exploration.Sampler;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.exploration.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a strategy's candidates come from: the responses, per prompt, that pair selection ranks.
 * Immutable; every call samples through the context it is given.
 */
public sealed interface CandidateSource {

  /**
   * Samples the candidates of every prompt. The context's samplers are trusted to keep the {@link
   * Sampler} contract: the loop's context checks it, once, for every strategy.
   *
   * @return one sample per prompt, in prompt order, each with {@link #candidatesPerPrompt()}
   *     responses
   * @throws dev.rlhf4j.api.Rlhf4jException if a sampler breaks its contract
   */
  List<GeneratedSample> sample(List<Prompt> prompts, ExplorationContext context);

  /** How many candidates each prompt gets. */
  int candidatesPerPrompt();

  /**
   * {@code n} independent responses from the current policy at the run's sampling parameters (paper
   * §3.3: n = 8, temperature 1.0 or 0.7).
   *
   * @param n responses per prompt, ≥ 2
   */
  record PolicySamples(int n) implements CandidateSource {

    /**
     * @throws IllegalArgumentException if {@code n < 2}
     */
    public PolicySamples {
      checkArgument(n >= 2, "n must be >= 2 (a pair needs two responses) but was %s", n);
    }

    @Override
    public List<GeneratedSample> sample(List<Prompt> prompts, ExplorationContext context) {
      return context.policy().sample(prompts, n, context.sampling());
    }

    @Override
    public int candidatesPerPrompt() {
      return n;
    }
  }

  /**
   * One response at a high and one at a low temperature from the current policy (LLaMA-2 style,
   * paper §3.3). Candidate 0 is the high-temperature response, candidate 1 the low one. The second
   * call samples with a seed derived from the run's, so the two responses do not share random
   * draws.
   *
   * @param high the first temperature, finite and above {@code low}
   * @param low the second temperature, ≥ 0 (0 is greedy)
   */
  record TwoTemperatures(double high, double low) implements CandidateSource {

    /**
     * @throws IllegalArgumentException if {@code low} is negative, a value is not finite, or {@code
     *     high <= low}
     */
    public TwoTemperatures {
      checkArgument(
          low >= 0 && Double.isFinite(low),
          "low temperature must be >= 0 and finite (0 = greedy) but was %s",
          low);
      checkArgument(
          Double.isFinite(high) && high > low,
          "high temperature must be finite and > low temperature %s but was %s",
          low,
          high);
    }

    @Override
    public List<GeneratedSample> sample(List<Prompt> prompts, ExplorationContext context) {
      Sampler policy = context.policy();
      SamplingParams base = context.sampling();
      List<GeneratedSample> hot = policy.sample(prompts, 1, base.withTemperature(high));
      SamplingParams coldParams =
          base.toBuilder().temperature(low).seed(Seeds.derive(base.seed(), 0)).build();
      List<GeneratedSample> cold = policy.sample(prompts, 1, coldParams);
      return zip(prompts, hot, cold);
    }

    @Override
    public int candidatesPerPrompt() {
      return 2;
    }
  }

  /**
   * One response from the current policy and one from the previous iteration's (Claude style, paper
   * §3.3). Candidate 0 comes from the current policy, candidate 1 from the previous one, sampled
   * with a seed derived from the run's.
   *
   * <p>In iteration 1 there is no previous policy: both candidates are then two independent
   * responses of the current policy (the same as rejection sampling with n = 2), and a DEBUG line
   * says so. From iteration 2 on a missing previous policy is a configuration error.
   */
  record TwoCheckpoints() implements CandidateSource {
    private static final Logger LOG = LoggerFactory.getLogger(TwoCheckpoints.class);

    /**
     * @throws IllegalStateException if the iteration is after the first and the context has no
     *     previous policy
     */
    @Override
    public List<GeneratedSample> sample(List<Prompt> prompts, ExplorationContext context) {
      Sampler current = context.policy();
      Optional<Sampler> previous = context.previousPolicy();
      if (previous.isEmpty()) {
        if (context.iteration() > 1) {
          throw new IllegalStateException(
              "two-checkpoints exploration needs the previous iteration's policy but iteration "
                  + context.iteration()
                  + " has none; configure the loop to keep the previous policy, or use another"
                  + " strategy such as rejectionSampling(n)");
        }
        LOG.debug(
            "two-checkpoints: iteration {} has no previous policy; sampling both candidates from"
                + " the current policy",
            context.iteration());
        return current.sample(prompts, 2, context.sampling());
      }
      SamplingParams base = context.sampling();
      List<GeneratedSample> now = current.sample(prompts, 1, base);
      List<GeneratedSample> then =
          previous.get().sample(prompts, 1, base.withSeed(Seeds.derive(base.seed(), 1)));
      return zip(prompts, now, then);
    }

    @Override
    public int candidatesPerPrompt() {
      return 2;
    }
  }

  private static List<GeneratedSample> zip(
      List<Prompt> prompts, List<GeneratedSample> first, List<GeneratedSample> second) {
    List<GeneratedSample> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      Completion a = first.get(i).responses().get(0);
      Completion b = second.get(i).responses().get(0);
      out.add(new GeneratedSample(prompts.get(i), List.of(a, b)));
    }
    return out;
  }
}
