package dev.rlhf4j.examples.sorting;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The sorting task's simulated human labeller, a different model from the list task's: an
 * inattentive Bradley–Terry labeller with a length bias. With probability {@code 1 − ε} it
 * compares the answers, preferring the first with probability σ(β·(gold₁ − gold₂) + λ·(words₁ −
 * words₂)) (every word counts, fillers included, so longer answers win beyond what the gold says);
 * with probability ε it does not look and flips a fair coin. So
 *
 * <pre>  P(first) = ε/2 + (1 − ε)·σ(β·Δgold + λ·Δwords)</pre>
 *
 * <p>Stateless and thread-safe; {@link #close()} does nothing.
 */
public final class SortingLabeller implements PreferenceModel {
  private final SortingGold gold;
  private final double rationality;
  private final double lengthBias;
  private final double inattention;

  SortingLabeller(SortingGold gold, double rationality, double lengthBias, double inattention) {
    this.gold = gold;
    this.rationality = rationality;
    this.lengthBias = lengthBias;
    this.inattention = inattention;
  }

  /** β, the logit per unit of gold-reward difference. */
  public double rationality() {
    return rationality;
  }

  /** λ, the logit per word the first answer is longer. */
  public double lengthBias() {
    return lengthBias;
  }

  /** ε, the probability of a coin-flip label. */
  public double inattention() {
    return inattention;
  }

  /**
   * The probability that {@code first} is preferred, by the formula above.
   *
   * @throws IllegalArgumentException if batch is null or a prompt is not the task's
   */
  @Override
  public double[] probabilityFirstPreferred(List<Comparison> batch) {
    checkArgument(batch != null, "batch must not be null");
    double[] out = new double[batch.size()];
    for (int i = 0; i < out.length; i++) {
      Comparison c = batch.get(i);
      List<Integer> digits = SortingGold.digitsOf(c.prompt());
      double logit =
          rationality * (gold.reward(digits, c.first()) - gold.reward(digits, c.second()))
              + lengthBias
                  * (SortingTask.words(c.first()).size() - SortingTask.words(c.second()).size());
      out[i] = inattention / 2 + (1 - inattention) / (1 + Math.exp(-logit));
    }
    return out;
  }

  /**
   * One label: whether {@code first} is preferred, a Bernoulli draw with {@link
   * #probabilityFirstPreferred}.
   *
   * @throws IllegalArgumentException if an argument is null or the prompt is not the task's
   */
  public boolean prefersFirst(
      List<dev.rlhf4j.api.Message> prompt, String first, String second, RandomGenerator random) {
    checkArgument(random != null, "random must not be null");
    double p = probabilityFirstPreferred(List.of(new Comparison(prompt, first, second)))[0];
    return random.nextDouble() < p;
  }

  @Override
  public String toString() {
    return "SortingLabeller[beta=" + rationality + ", lengthBias=" + lengthBias
        + ", inattention=" + inattention + "]";
  }
}
