package dev.rlhf4j.examples.custom;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.ExplorationContext;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import java.util.ArrayList;
import java.util.List;

/**
 * A user-written exploration strategy, "margin-gated best vs worst": sample {@code n} responses per
 * prompt from the current policy, score them with the run's reward model, and keep the best
 * against the worst only when the reward margin is at least {@code minMargin}; otherwise skip the
 * prompt.
 *
 * <p>Why gate? The paper's rejection sampling (§3.3) keeps every best-vs-worst pair except exact
 * ties. When the reward model is noisy, a pair whose rewards differ by a hair carries little
 * signal and may well be ranked the wrong way round; dropping those spends DPO's updates on the
 * pairs the reward model is sure about. The price is fewer pairs per prompt sampled.
 *
 * <p>This is all a strategy has to do: everything it samples and scores through the {@link
 * ExplorationContext} is recorded by the loop in the iteration's {@code generated.jsonl} and
 * {@code annotated.jsonl}, and the pairs it returns go to {@code pairs.jsonl} with their scores.
 * Sampling with {@link ExplorationContext#sampling()} (which carries a seed derived for the
 * iteration) makes runs repeat.
 *
 * <p>Immutable and thread-safe.
 */
public final class MarginGatedBestVsWorst implements ExplorationStrategy {
  /** The {@link PreferencePair#source()} of the pairs this strategy returns. */
  public static final String SOURCE = "margin-gated-best-vs-worst";

  private final int n;
  private final double minMargin;

  /**
   * A strategy sampling {@code n} responses per prompt and keeping pairs whose margin reaches
   * {@code minMargin}.
   *
   * @param n responses per prompt, ≥ 2
   * @param minMargin the least reward margin (best − worst) of a kept pair, finite and &gt; 0 (so
   *     ties are always dropped)
   * @throws IllegalArgumentException if n is below 2 or minMargin is not finite and positive
   */
  public MarginGatedBestVsWorst(int n, double minMargin) {
    checkArgument(n >= 2, "n must be >= 2 to form a pair but was %s", n);
    checkArgument(
        minMargin > 0 && Double.isFinite(minMargin),
        "minMargin must be finite and > 0 but was %s",
        minMargin);
    this.n = n;
    this.minMargin = minMargin;
  }

  /** Responses sampled per prompt. */
  public int n() {
    return n;
  }

  /** The least reward margin of a kept pair. */
  public double minMargin() {
    return minMargin;
  }

  /**
   * Samples, scores and gates; at most one pair per prompt.
   *
   * @return the kept pairs, in prompt order, with their rewards as scores
   */
  @Override
  public List<PreferencePair> explore(List<Prompt> prompts, ExplorationContext context) {
    // One call samples every prompt: the policy batches the decoding itself.
    List<GeneratedSample> generated = context.policy().sample(prompts, n, context.sampling());
    // One call scores every response with the run's reward model (and records the rewards).
    List<AnnotatedSample> scored = context.annotate(generated);

    List<PreferencePair> pairs = new ArrayList<>();
    for (AnnotatedSample sample : scored) {
      int best = sample.argMax();
      int worst = sample.argMin();
      double margin = sample.reward(best) - sample.reward(worst);
      if (margin >= minMargin) {
        pairs.add(sample.pair(best, worst, SOURCE));
      }
    }
    return pairs;
  }

  @Override
  public String toString() {
    return "MarginGatedBestVsWorst[n=" + n + ", minMargin=" + minMargin + "]";
  }
}
