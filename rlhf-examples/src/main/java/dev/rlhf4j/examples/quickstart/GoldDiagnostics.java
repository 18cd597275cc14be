package dev.rlhf4j.examples.quickstart;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * One iteration of an iterative run judged by the task's gold reward, which the loop itself does
 * not have (its own metrics are {@link QuickstartReport.IterationDiagnostics}): how far the proxy's
 * choices can be trusted as the policy moves away from the data the proxy was trained on (issue
 * 18: proxy drift).
 *
 * @param run {@code iterative-dpo} or {@code iterative-dpo-lp}
 * @param iteration 1-based
 * @param pairs the iteration's kept best-vs-worst pairs
 * @param pairAgreement of the pairs the gold does not tie, the fraction whose chosen response the
 *     gold scores higher; NaN if the gold ties every pair
 * @param pairGoldTieFraction the fraction of pairs the gold scores equal
 * @param onPolicyAccuracy the proxy's pairwise accuracy against the gold on the policy's own
 *     samples: over every two responses to one prompt that the gold does not tie, the fraction the
 *     proxy orders as the gold does (a proxy tie ½), as {@link
 *     dev.rlhf4j.reward.eval.PairAccuracy} counts on the offline held-out pairs; NaN without such
 *     comparisons
 * @param onPolicyComparisons how many comparisons {@code onPolicyAccuracy} counts
 * @param chosenGold the mean gold reward of the chosen responses
 * @param rejectedGold the mean gold reward of the rejected responses
 */
public record GoldDiagnostics(
    String run,
    int iteration,
    int pairs,
    double pairAgreement,
    double pairGoldTieFraction,
    double onPolicyAccuracy,
    long onPolicyComparisons,
    double chosenGold,
    double rejectedGold) {

  /**
   * @throws IllegalArgumentException if run is blank, iteration below 1 or a count negative
   */
  public GoldDiagnostics {
    checkArgument(run != null && !run.isBlank(), "run must not be blank");
    checkArgument(iteration >= 1, "iteration must be >= 1 but was %s", iteration);
    checkArgument(pairs >= 0 && onPolicyComparisons >= 0,
        "pairs and onPolicyComparisons must be >= 0 but were %s and %s", pairs,
        onPolicyComparisons);
  }

  /**
   * Judges one iteration.
   *
   * @param run the run's name
   * @param iteration 1-based
   * @param gold the gold reward
   * @param pairs the iteration's kept pairs (its {@code pairs.jsonl})
   * @param annotated the policy's samples with the proxy's rewards, before any length penalty
   *     (its {@code annotated.jsonl})
   * @throws IllegalArgumentException if an argument is null, run is blank or iteration below 1
   */
  public static GoldDiagnostics of(
      String run, int iteration, RewardModel gold, List<PreferencePair> pairs,
      List<AnnotatedSample> annotated) {
    checkArgument(gold != null && pairs != null && annotated != null,
        "gold, pairs and annotated must not be null");
    List<ScoreRequest> requests = new ArrayList<>();
    for (PreferencePair p : pairs) {
      requests.add(new ScoreRequest(p.prompt(), p.chosen()));
      requests.add(new ScoreRequest(p.prompt(), p.rejected()));
    }
    double[] pairScores = requests.isEmpty() ? new double[0] : gold.score(requests);
    int agree = 0;
    int ties = 0;
    double chosen = 0;
    double rejected = 0;
    for (int i = 0; i < pairs.size(); i++) {
      double c = pairScores[2 * i];
      double r = pairScores[2 * i + 1];
      chosen += c / pairs.size();
      rejected += r / pairs.size();
      if (c == r) {
        ties++;
      } else if (c > r) {
        agree++;
      }
    }
    int decided = pairs.size() - ties;

    List<ScoreRequest> sampleRequests = new ArrayList<>();
    for (AnnotatedSample s : annotated) {
      for (int i = 0; i < s.size(); i++) {
        sampleRequests.add(ScoreRequest.of(s.prompt(), s.responses().get(i)));
      }
    }
    double[] sampleGold = sampleRequests.isEmpty() ? new double[0] : gold.score(sampleRequests);
    double wins = 0;
    long comparisons = 0;
    int offset = 0;
    for (AnnotatedSample s : annotated) {
      for (int i = 0; i < s.size(); i++) {
        for (int j = i + 1; j < s.size(); j++) {
          double g = sampleGold[offset + i] - sampleGold[offset + j];
          if (g == 0) {
            continue;
          }
          double p = s.reward(i) - s.reward(j);
          comparisons++;
          wins += p == 0 ? 0.5 : (p > 0) == (g > 0) ? 1 : 0;
        }
      }
      offset += s.size();
    }
    return new GoldDiagnostics(
        run,
        iteration,
        pairs.size(),
        decided == 0 ? Double.NaN : (double) agree / decided,
        pairs.isEmpty() ? Double.NaN : (double) ties / pairs.size(),
        comparisons == 0 ? Double.NaN : wins / comparisons,
        comparisons,
        pairs.isEmpty() ? Double.NaN : chosen,
        pairs.isEmpty() ? Double.NaN : rejected);
  }
}
