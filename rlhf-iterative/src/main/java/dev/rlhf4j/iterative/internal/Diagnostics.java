package dev.rlhf4j.iterative.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.iterative.train.DpoConfig;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The figures of {@link dev.rlhf4j.iterative.LoopDiagnostics}, computed from what an iteration
 * wrote (pairs, journals, training figures) and from log-probabilities. Names carry no prefix; the
 * loop adds {@code pairs/}, {@code proxy/} and {@code policy/}. Stateless.
 */
public final class Diagnostics {
  private Diagnostics() {}

  /**
   * The kept pairs' figures: margins and near-ties (over pairs with both scores; none when no pair
   * has them), lengths in characters (none without pairs) and in tokens (only when every response
   * of every pair is among {@code generated}, looked up by prompt and text).
   *
   * @param nearTieMargin a pair whose margin is below it is a near-tie
   */
  public static Map<String, Double> pairs(
      List<PreferencePair> pairs, List<GeneratedSample> generated, double nearTieMargin) {
    Map<String, Double> out = new LinkedHashMap<>();
    double[] margins =
        pairs.stream()
            .map(PreferencePair::margin)
            .filter(OptionalDouble::isPresent)
            .mapToDouble(OptionalDouble::getAsDouble)
            .toArray();
    if (margins.length > 0) {
      out.put("margin_mean", Arrays.stream(margins).average().orElseThrow());
      out.put("margin_median", median(margins));
      out.put("margin_min", Arrays.stream(margins).min().orElseThrow());
      long ties = Arrays.stream(margins).filter(m -> m < nearTieMargin).count();
      out.put("near_tie_fraction", (double) ties / margins.length);
      out.put("near_tie_margin", nearTieMargin);
    }
    if (pairs.isEmpty()) {
      return out;
    }
    double chosenChars = 0;
    double rejectedChars = 0;
    for (PreferencePair p : pairs) {
      chosenChars += p.chosen().length();
      rejectedChars += p.rejected().length();
    }
    out.put("chosen_chars", chosenChars / pairs.size());
    out.put("rejected_chars", rejectedChars / pairs.size());
    out.put("length_gap_chars", (chosenChars - rejectedChars) / pairs.size());

    Map<String, Integer> tokens = new HashMap<>();
    for (GeneratedSample s : generated) {
      for (Completion c : s.responses()) {
        tokens.putIfAbsent(key(s.prompt(), c.text()), c.tokenCount());
      }
    }
    double chosenTokens = 0;
    double rejectedTokens = 0;
    for (PreferencePair p : pairs) {
      String promptId = Prompt.contentId(p.prompt());
      Integer c = tokens.get(promptId + '\u0000' + p.chosen());
      Integer r = tokens.get(promptId + '\u0000' + p.rejected());
      if (c == null || r == null) {
        return out; // a response the policy did not sample here: its token count is unknown
      }
      chosenTokens += c;
      rejectedTokens += r;
    }
    out.put("chosen_tokens", chosenTokens / pairs.size());
    out.put("rejected_tokens", rejectedTokens / pairs.size());
    out.put("length_gap_tokens", (chosenTokens - rejectedTokens) / pairs.size());
    return out;
  }

  /**
   * The proxy's figures over every scored sample: {@code reward_mean} over all responses and
   * {@code reward_std_within_prompt}, the mean over samples with at least two responses of their
   * rewards' population standard deviation. Empty when nothing was scored.
   */
  public static Map<String, Double> proxy(List<AnnotatedSample> annotated) {
    Map<String, Double> out = new LinkedHashMap<>();
    double sum = 0;
    long count = 0;
    double stdSum = 0;
    int spread = 0;
    for (AnnotatedSample s : annotated) {
      List<Double> rewards = s.rewards();
      double mean = 0;
      for (double r : rewards) {
        mean += r / rewards.size();
        sum += r;
      }
      count += rewards.size();
      if (rewards.size() >= 2) {
        double squares = 0;
        for (double r : rewards) {
          squares += (r - mean) * (r - mean);
        }
        stdSum += Math.sqrt(squares / rewards.size());
        spread++;
      }
    }
    if (count > 0) {
      out.put("reward_mean", sum / count);
    }
    if (spread > 0) {
      out.put("reward_std_within_prompt", stdSum / spread);
    }
    return out;
  }

  /**
   * How far training moved the policy: {@code epochs} and {@code learning_rate} of {@code dpo};
   * {@code optimizer_steps} and {@code steps_per_pair} when the backend reported {@code steps};
   * {@code new_pair_fraction}.
   *
   * @param train what the backend reported
   * @param trainingPairs the size of the training set, ≥ 1
   * @param newPairs the pairs this iteration added to it
   */
  public static Map<String, Double> movement(
      Map<String, Double> train, DpoConfig dpo, int trainingPairs, int newPairs) {
    checkArgument(trainingPairs >= 1, "trainingPairs must be >= 1 but was %s", trainingPairs);
    Map<String, Double> out = new LinkedHashMap<>();
    Double steps = train.get("steps");
    if (steps != null) {
      out.put("optimizer_steps", steps);
      out.put("steps_per_pair", steps / trainingPairs);
    }
    out.put("epochs", (double) dpo.optimization().epochs());
    out.put("learning_rate", dpo.optimization().learningRate());
    out.put("new_pair_fraction", (double) newPairs / trainingPairs);
    return out;
  }

  /**
   * The Monte Carlo estimate of KL(π ‖ ref) from responses sampled from π: the mean over responses
   * of {@code logPolicy[i] − logReference[i]}.
   *
   * @throws IllegalArgumentException if the arrays are empty or of different lengths
   */
  public static double klEstimate(double[] logPolicy, double[] logReference) {
    checkArgument(
        logPolicy.length > 0 && logPolicy.length == logReference.length,
        "need one reference log-probability per response: %s policy, %s reference",
        logPolicy.length,
        logReference.length);
    double sum = 0;
    for (int i = 0; i < logPolicy.length; i++) {
      sum += logPolicy[i] - logReference[i];
    }
    return sum / logPolicy.length;
  }

  /**
   * The standard error of {@link #klEstimate}: the standard deviation of the per-response log
   * ratios (with n − 1) over √n; 0 for a single response.
   *
   * @throws IllegalArgumentException as {@link #klEstimate}
   */
  public static double klStandardError(double[] logPolicy, double[] logReference) {
    double mean = klEstimate(logPolicy, logReference);
    int n = logPolicy.length;
    if (n < 2) {
      return 0;
    }
    double squares = 0;
    for (int i = 0; i < n; i++) {
      double d = logPolicy[i] - logReference[i] - mean;
      squares += d * d;
    }
    return Math.sqrt(squares / (n - 1) / n);
  }

  private static String key(Prompt prompt, String text) {
    return Prompt.contentId(prompt.messages()) + '\u0000' + text;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
