package dev.rlhf4j.reward.eval;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.LengthUnit;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Length-controlled win rate (Dubois et al. 2024, "Length-Controlled AlpacaEval: A Simple Way to
 * Debias Automatic Evaluators", arXiv:2404.04475), in its minimal form without the per-instruction
 * difficulty term.
 *
 * <p>A judge's preference for the policy's response over the baseline's in comparison {@code i}
 * is modelled by the generalised linear model
 *
 * <pre>
 *   P(policy wins | i) = σ(θ + φ · tanh(Δℓ_i / sd(Δℓ)))
 * </pre>
 *
 * where {@code Δℓ_i} is the policy's response length minus the baseline's, {@code sd(Δℓ)} the
 * sample standard deviation of those differences over all comparisons, θ the policy's quality
 * advantage and φ the judge's length sensitivity. θ and φ are fitted by L2-regularised logistic
 * regression on the outcomes (1 win, 0 loss, ½ tie, used as soft targets; Newton's method in
 * double precision). The length-controlled win rate answers "what would the preference be if both
 * responses had the same length": the model's prediction with the length term set to zero,
 * {@code σ(θ)}. AlpacaEval 2 additionally fits an instruction-difficulty term per prompt; without
 * it, the mean over prompts of the prediction is {@code σ(θ)} itself.
 *
 * <p>A judge that prefers only the longer response gets a length-controlled win rate near ½ however
 * much longer the policy's responses are, while its raw win rate approaches 1.
 *
 * <pre>{@code
 * LengthControlledWinRate.Result r =
 *     LengthControlledWinRate.defaults()
 *         .evaluate(goldRewardModel, policySamples, sftSamples, LengthUnit.CHARACTERS);
 * System.out.printf("win %.3f  LC win %.3f%n", r.winRate(), r.lengthControlledWinRate());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class LengthControlledWinRate {
  /** The default L2 penalty on θ and φ: small enough not to bias a fit on hundreds of pairs. */
  public static final double DEFAULT_L2 = 1e-3;

  private static final int MAX_NEWTON_STEPS = 200;
  private static final double TOLERANCE = 1e-12;

  private final double l2;

  private LengthControlledWinRate(double l2) {
    this.l2 = l2;
  }

  /** An evaluator with the L2 penalty {@link #DEFAULT_L2}. */
  public static LengthControlledWinRate defaults() {
    return new LengthControlledWinRate(DEFAULT_L2);
  }

  /**
   * An evaluator with L2 penalty {@code l2}: {@code l2/2 · (θ² + φ²)} is added to the negative
   * log-likelihood summed over the comparisons. A positive penalty keeps θ and φ finite when the
   * outcomes are perfectly separated (e.g. the longer response always wins).
   *
   * @throws IllegalArgumentException if l2 is not finite and > 0
   */
  public static LengthControlledWinRate withL2(double l2) {
    checkArgument(
        Double.isFinite(l2) && l2 > 0,
        "l2 must be finite and > 0 but was %s; use DEFAULT_L2 (%s) if unsure",
        l2,
        DEFAULT_L2);
    return new LengthControlledWinRate(l2);
  }

  /** The L2 penalty of the fit. */
  public double l2() {
    return l2;
  }

  /**
   * One judged comparison of a policy response against a baseline response.
   *
   * @param outcome 1 when the policy's response won, 0 when it lost, ½ for a tie (any value in
   *     [0, 1] is taken as a soft preference)
   * @param policyLength the policy response's length, in any unit shared by all comparisons
   * @param baselineLength the baseline response's length, in the same unit
   */
  public record Comparison(double outcome, double policyLength, double baselineLength) {
    /**
     * @throws IllegalArgumentException if outcome is outside [0, 1] or a length is negative or not
     *     finite
     */
    public Comparison {
      checkArgument(outcome >= 0 && outcome <= 1, "outcome must be in [0, 1] but was %s", outcome);
      checkArgument(
          Double.isFinite(policyLength) && policyLength >= 0,
          "policyLength must be finite and >= 0 but was %s",
          policyLength);
      checkArgument(
          Double.isFinite(baselineLength) && baselineLength >= 0,
          "baselineLength must be finite and >= 0 but was %s",
          baselineLength);
    }
  }

  /**
   * The fitted model and both win rates.
   *
   * @param comparisons how many comparisons were fitted
   * @param winRate the raw win rate: the mean outcome (ties ½)
   * @param lengthControlledWinRate σ(θ): the predicted win rate at equal lengths
   * @param theta the fitted quality term θ (logit scale)
   * @param phi the fitted length coefficient φ (logit per unit of tanh(Δℓ / sd))
   * @param lengthDifferenceSd the sample standard deviation of the length differences; 0 when all
   *     differences are equal, and then the length term is 0 for every comparison
   * @param meanPolicyLength the mean length of the policy's responses over the comparisons
   * @param meanBaselineLength the mean length of the baseline's responses over the comparisons
   */
  public record Result(
      int comparisons,
      double winRate,
      double lengthControlledWinRate,
      double theta,
      double phi,
      double lengthDifferenceSd,
      double meanPolicyLength,
      double meanBaselineLength) {
    /**
     * @throws IllegalArgumentException if comparisons is below 1 or a rate is outside [0, 1]
     */
    public Result {
      checkArgument(comparisons >= 1, "comparisons must be >= 1 but was %s", comparisons);
      checkArgument(winRate >= 0 && winRate <= 1, "winRate must be in [0, 1] but was %s", winRate);
      checkArgument(
          lengthControlledWinRate >= 0 && lengthControlledWinRate <= 1,
          "lengthControlledWinRate must be in [0, 1] but was %s",
          lengthControlledWinRate);
    }
  }

  /**
   * Fits the model to judged comparisons.
   *
   * @throws IllegalArgumentException if comparisons is null or empty or holds a null
   */
  public Result fit(List<Comparison> comparisons) {
    checkArgument(
        comparisons != null && !comparisons.isEmpty(), "comparisons must not be null or empty");
    int n = comparisons.size();
    double[] y = new double[n];
    double[] d = new double[n];
    double meanY = 0;
    double meanD = 0;
    double meanPolicy = 0;
    double meanBaseline = 0;
    for (int i = 0; i < n; i++) {
      Comparison c = comparisons.get(i);
      checkArgument(c != null, "comparison #%s must not be null", i);
      y[i] = c.outcome();
      d[i] = c.policyLength() - c.baselineLength();
      meanY += y[i] / n;
      meanD += d[i] / n;
      meanPolicy += c.policyLength() / n;
      meanBaseline += c.baselineLength() / n;
    }
    double ss = 0;
    for (double v : d) {
      ss += (v - meanD) * (v - meanD);
    }
    double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
    double[] t = new double[n];
    if (sd > 0) {
      for (int i = 0; i < n; i++) {
        t[i] = Math.tanh(d[i] / sd);
      }
    }
    double[] w = newton(y, t);
    return new Result(
        n,
        Math.min(1, Math.max(0, meanY)),
        sigmoid(w[0]),
        w[0],
        w[1],
        sd,
        meanPolicy,
        meanBaseline);
  }

  /**
   * Judges every policy response against every baseline response to the same prompt with {@code
   * judge} (the higher reward wins, equal rewards tie) and fits the model. All responses count: a
   * prompt with n policy and m baseline responses gives n·m comparisons.
   *
   * @param judge the reward model that decides each comparison; called once, never closed
   * @param policy the policy's samples
   * @param baseline the baseline's samples for the same prompt ids
   * @param unit the unit lengths are measured in
   * @throws IllegalArgumentException if an argument is null or empty, an id repeats within a list,
   *     the lists do not answer the same prompt ids, or the judge returns the wrong number of
   *     rewards
   */
  public Result evaluate(
      RewardModel judge,
      List<GeneratedSample> policy,
      List<GeneratedSample> baseline,
      LengthUnit unit) {
    checkArgument(judge != null, "judge must not be null");
    checkArgument(unit != null, "unit must not be null");
    return fit(compare(judge, policy, baseline, unit));
  }

  /**
   * The comparisons {@link #evaluate} fits: every policy response against every baseline response
   * to the same prompt, judged by {@code judge}'s rewards (ties ½), in policy order.
   *
   * @throws IllegalArgumentException as {@link #evaluate}
   */
  public static List<Comparison> compare(
      RewardModel judge,
      List<GeneratedSample> policy,
      List<GeneratedSample> baseline,
      LengthUnit unit) {
    checkArgument(judge != null, "judge must not be null");
    checkArgument(unit != null, "unit must not be null");
    checkArgument(policy != null && !policy.isEmpty(), "policy must not be null or empty");
    checkArgument(baseline != null && !baseline.isEmpty(), "baseline must not be null or empty");
    Map<String, GeneratedSample> theirs = byId("baseline", baseline);
    checkArgument(
        byId("policy", policy).keySet().equals(theirs.keySet()),
        "policy (%s prompts) and baseline (%s prompts) must answer the same prompt ids",
        policy.size(),
        baseline.size());
    List<ScoreRequest> requests = new ArrayList<>();
    for (GeneratedSample mine : policy) {
      for (GeneratedSample s : List.of(mine, theirs.get(mine.prompt().id()))) {
        for (Completion c : s.responses()) {
          requests.add(ScoreRequest.of(s.prompt(), c));
        }
      }
    }
    double[] rewards = judge.score(requests);
    checkArgument(
        rewards != null && rewards.length == requests.size(),
        "the judge returned %s rewards for %s requests; a RewardModel must return one per request",
        rewards == null ? "null" : String.valueOf(rewards.length),
        requests.size());
    List<Comparison> out = new ArrayList<>();
    int k = 0;
    for (GeneratedSample mine : policy) {
      GeneratedSample other = theirs.get(mine.prompt().id());
      int n = mine.responses().size();
      int m = other.responses().size();
      for (int i = 0; i < n; i++) {
        double r = rewards[k + i];
        int len = unit.measure(mine.responses().get(i));
        for (int j = 0; j < m; j++) {
          double b = rewards[k + n + j];
          double outcome = r > b ? 1 : r < b ? 0 : 0.5;
          out.add(new Comparison(outcome, len, unit.measure(other.responses().get(j))));
        }
      }
      k += n + m;
    }
    return out;
  }

  /** Penalised logistic regression on features (1, t) with soft targets y; returns (θ, φ). */
  private double[] newton(double[] y, double[] t) {
    double theta = 0;
    double phi = 0;
    double loss = loss(y, t, theta, phi);
    for (int step = 0; step < MAX_NEWTON_STEPS; step++) {
      double g0 = l2 * theta;
      double g1 = l2 * phi;
      double h00 = l2;
      double h01 = 0;
      double h11 = l2;
      for (int i = 0; i < y.length; i++) {
        double p = sigmoid(theta + phi * t[i]);
        double r = p - y[i];
        double v = p * (1 - p);
        g0 += r;
        g1 += r * t[i];
        h00 += v;
        h01 += v * t[i];
        h11 += v * t[i] * t[i];
      }
      double det = h00 * h11 - h01 * h01;
      double s0 = (h11 * g0 - h01 * g1) / det;
      double s1 = (h00 * g1 - h01 * g0) / det;
      // Backtracking keeps each step a descent step on the convex loss.
      double scale = 1;
      double next = loss(y, t, theta - s0, phi - s1);
      while (next > loss && scale > 1e-8) {
        scale /= 2;
        next = loss(y, t, theta - scale * s0, phi - scale * s1);
      }
      theta -= scale * s0;
      phi -= scale * s1;
      boolean converged = Math.abs(loss - next) <= TOLERANCE * Math.max(1, Math.abs(loss));
      loss = next;
      if (converged && Math.abs(scale * s0) + Math.abs(scale * s1) < 1e-9) {
        break;
      }
    }
    return new double[] {theta, phi};
  }

  private double loss(double[] y, double[] t, double theta, double phi) {
    double sum = 0.5 * l2 * (theta * theta + phi * phi);
    for (int i = 0; i < y.length; i++) {
      double z = theta + phi * t[i];
      // -[y log σ(z) + (1-y) log σ(-z)] = softplus(z) - y z, computed stably
      sum += softplus(z) - y[i] * z;
    }
    return sum;
  }

  private static double softplus(double z) {
    return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }

  private static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  private static Map<String, GeneratedSample> byId(String name, List<GeneratedSample> samples) {
    Map<String, GeneratedSample> map = new HashMap<>();
    for (GeneratedSample sample : samples) {
      checkArgument(sample != null, "%s holds a null sample", name);
      checkArgument(
          map.put(sample.prompt().id(), sample) == null,
          "%s holds prompt id %s twice",
          name,
          sample.prompt().id());
    }
    return map;
  }
}
