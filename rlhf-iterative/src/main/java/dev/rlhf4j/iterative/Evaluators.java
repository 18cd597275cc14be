package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in {@link Evaluator}s. Each looks at the first response of every sample (the loop
 * evaluates one response per prompt; {@link CheckpointEvaluator} compares all n).
 *
 * <p>Metric names say what is measured, under which judge and against which baseline: a judge
 * is named by the caller (e.g. {@code "proxy_greedy"}, {@code "gold_sampled"}), so {@code
 * winRate("proxy_greedy", proxy)} reports {@code proxy_greedy_win_rate_vs_pi0} and two judges in
 * one run never collide. The loop's default evaluator names its judge {@code proxy_greedy} when
 * the evaluation decodes greedily (temperature 0, the default) and {@code proxy_sampled}
 * otherwise. The baseline π0 is scored with the same evaluator, so it reports the same keys.
 *
 * <p>All are stateless; they are as thread-safe as the models they hold.
 */
public final class Evaluators {
  private static final java.util.regex.Pattern JUDGE_NAME =
      java.util.regex.Pattern.compile("[a-z][a-z0-9_]*");

  private Evaluators() {}

  /**
   * Mean length, mean reward and win rate against π0, all under {@code judge}: {@code
   * mean_length}, {@code mean_<judgeName>_reward}, {@code <judgeName>_win_rate_vs_pi0}. What the
   * loop evaluates with when no evaluator is given and it ranks with a reward model (judge name
   * {@code proxy_greedy} or {@code proxy_sampled}).
   *
   * @throws IllegalArgumentException if judgeName is not lower-case letters, digits and
   *     underscores starting with a letter, or judge is null
   */
  public static Evaluator standard(String judgeName, RewardModel judge) {
    checkJudgeName(judgeName);
    return all(meanLength(), meanReward(judgeName + "_reward", judge), winRate(judgeName, judge));
  }

  /**
   * Mean length and win rate against π0 under {@code judge}: {@code mean_length} and {@code
   * <judgeName>_win_rate_vs_pi0}. What the loop evaluates with when no evaluator is given and it
   * ranks with a preference model only.
   *
   * @throws IllegalArgumentException as {@link #standard(String, RewardModel)}
   */
  public static Evaluator standardPairwise(String judgeName, PreferenceModel judge) {
    checkJudgeName(judgeName);
    return all(meanLength(), pairwiseWinRate(judgeName, judge));
  }

  /** {@code mean_length}: the mean response length in characters (Unicode code points). */
  public static Evaluator meanLength() {
    return (responses, baseline) -> {
      double sum = 0;
      for (GeneratedSample s : responses) {
        String text = first(s).text();
        sum += text.codePointCount(0, text.length());
      }
      return Map.of("mean_length", responses.isEmpty() ? 0 : sum / responses.size());
    };
  }

  /**
   * {@code mean_<name>}: the mean reward under {@code model}, e.g. a gold reward model with name
   * {@code "gold_reward"}.
   *
   * @throws IllegalArgumentException if name is blank or model is null
   */
  public static Evaluator meanReward(String name, RewardModel model) {
    checkArgument(name != null && !name.isBlank(), "name must not be blank");
    checkArgument(model != null, "model must not be null");
    return (responses, baseline) -> {
      double[] rewards = score(model, responses);
      double sum = 0;
      for (double r : rewards) {
        sum += r;
      }
      return Map.of("mean_" + name, rewards.length == 0 ? 0 : sum / rewards.length);
    };
  }

  /**
   * {@code <judgeName>_win_rate_vs_pi0}: the fraction of prompts whose response {@code judge}
   * rewards above π0's, a tie counting ½ (so π0 against itself scores 0.5).
   *
   * @throws IllegalArgumentException as {@link #standard(String, RewardModel)}
   */
  public static Evaluator winRate(String judgeName, RewardModel judge) {
    checkJudgeName(judgeName);
    checkArgument(judge != null, "judge must not be null");
    String key = judgeName + "_win_rate_vs_pi0";
    return (responses, baseline) -> {
      checkSameSize(responses, baseline);
      double[] ours = score(judge, responses);
      double[] theirs = score(judge, baseline);
      double wins = 0;
      for (int i = 0; i < ours.length; i++) {
        wins += ours[i] > theirs[i] ? 1 : ours[i] == theirs[i] ? 0.5 : 0;
      }
      return Map.of(key, ours.length == 0 ? 0.5 : wins / ours.length);
    };
  }

  /**
   * {@code <judgeName>_win_rate_vs_pi0}: the fraction of prompts where {@code judge} prefers the
   * response to π0's (P(response ≻ π0's) above ½), a probability of exactly ½ counting ½.
   *
   * @throws IllegalArgumentException as {@link #standard(String, RewardModel)}
   */
  public static Evaluator pairwiseWinRate(String judgeName, PreferenceModel judge) {
    checkJudgeName(judgeName);
    checkArgument(judge != null, "judge must not be null");
    String key = judgeName + "_win_rate_vs_pi0";
    return (responses, baseline) -> {
      checkSameSize(responses, baseline);
      List<Comparison> batch = new ArrayList<>(responses.size());
      for (int i = 0; i < responses.size(); i++) {
        batch.add(
            new Comparison(
                responses.get(i).prompt().messages(),
                first(responses.get(i)).text(),
                first(baseline.get(i)).text()));
      }
      double[] p = batch.isEmpty() ? new double[0] : judge.probabilityFirstPreferred(batch);
      if (p.length != batch.size()) {
        throw new Rlhf4jException(
            "preference model returned " + p.length + " probabilities for " + batch.size()
                + " comparisons; it must return one per comparison");
      }
      double wins = 0;
      for (double v : p) {
        wins += v > 0.5 ? 1 : v == 0.5 ? 0.5 : 0;
      }
      return Map.of(key, p.length == 0 ? 0.5 : wins / p.length);
    };
  }

  /**
   * Every metric of every evaluator, in order.
   *
   * @throws IllegalArgumentException if evaluators is empty or holds null
   * @throws Rlhf4jException at evaluation, if two evaluators report the same metric name
   */
  public static Evaluator all(Evaluator... evaluators) {
    checkArgument(evaluators != null && evaluators.length > 0, "give at least one evaluator");
    List<Evaluator> copy = List.of(evaluators);
    return (responses, baseline) -> {
      Map<String, Double> out = new LinkedHashMap<>();
      for (Evaluator e : copy) {
        e.evaluate(responses, baseline)
            .forEach(
                (k, v) -> {
                  if (out.put(k, v) != null) {
                    throw new Rlhf4jException(
                        "two evaluators report the metric " + k + "; give each judge its own"
                            + " name, e.g. Evaluators.winRate(\"gold_greedy\", gold)");
                  }
                });
      }
      return out;
    };
  }

  private static void checkJudgeName(String judgeName) {
    checkArgument(
        judgeName != null && JUDGE_NAME.matcher(judgeName).matches(),
        "judgeName must be lower-case letters, digits and underscores, starting with a letter"
            + " (e.g. \"proxy_greedy\"), but was %s",
        judgeName);
  }

  private static Completion first(GeneratedSample s) {
    return s.responses().get(0);
  }

  private static double[] score(RewardModel model, List<GeneratedSample> samples) {
    if (samples.isEmpty()) {
      return new double[0];
    }
    List<ScoreRequest> batch = new ArrayList<>(samples.size());
    for (GeneratedSample s : samples) {
      batch.add(ScoreRequest.of(s.prompt(), first(s)));
    }
    double[] rewards = model.score(batch);
    if (rewards.length != batch.size()) {
      throw new Rlhf4jException(
          "reward model returned " + rewards.length + " rewards for " + batch.size()
              + " responses; it must return one per response");
    }
    return rewards;
  }

  private static void checkSameSize(List<GeneratedSample> a, List<GeneratedSample> b) {
    if (a.size() != b.size()) {
      throw new Rlhf4jException(
          a.size() + " responses but " + b.size() + " baseline responses; they must pair up");
    }
  }
}
