package dev.rlhf4j.sampling.exploration.internal;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.exploration.ExplorationContext;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.sampling.exploration.ExploreResult;
import dev.rlhf4j.sampling.exploration.SelectionRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Best and worst of n by a pairwise preference model, with a linear number of comparisons.
 *
 * <ol>
 *   <li>A single-elimination knockout over the n candidates finds the best: n − 1 comparisons.
 *   <li>A second knockout over the other n − 1 candidates, in which the loser of each match goes
 *       on, finds the worst: n − 2 comparisons.
 *   <li>The best and the worst are compared once more to judge the pair (tie, margin, order),
 *       unless they already met in the first knockout: at most 1 comparison.
 * </ol>
 *
 * <p>At most 2n − 2 comparisons per prompt in all, against n(n − 1)/2 for a full round robin. Every
 * round of a knockout is one {@link PreferenceModel#probabilityFirstPreferred(List)} call for all
 * prompts of the slice, so a slice costs at most ⌈log₂ n⌉ + ⌈log₂(n − 1)⌉ + 1 calls.
 *
 * <p>The bracket is seeded in candidate order: round one pairs candidates (0, 1), (2, 3), ...; an
 * odd one out goes on unplayed. In a match (a, b), a is the earlier candidate and is passed as
 * {@code first}; averaging out position bias is the preference model's job. A match is decided by
 * the adjusted log-odds d = logit P(a ≻ b) − (pen(a) − pen(b)) with pen from {@link
 * SelectionRules#penalty}; on d = 0 the earlier candidate wins the best-knockout and the later one
 * goes on in the worst-knockout.
 *
 * <p>The final comparison decides the pair: chosen is whichever of best and worst it prefers
 * (normally the best; a non-transitive model can say otherwise), and |d| is the margin that {@link
 * SelectionRules} judges. The pair records the raw P(chosen ≻ rejected) as chosen score and its
 * complement as rejected score.
 */
public record PreferenceKnockout() implements PairSelector {

  @Override
  public ExploreResult select(
      List<GeneratedSample> candidates,
      ExplorationContext context,
      SelectionRules rules,
      String source) {
    PreferenceModel model =
        context
            .preferenceModel()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "preference-knockout ranks with a PreferenceModel but the exploration"
                            + " context has none; give the loop a preference model, or use a"
                            + " reward-model strategy such as rejectionSampling(n)"));
    context.beginSelection();
    int promptCount = candidates.size();
    double[][] penalties = new double[promptCount][];
    List<Map<Long, Double>> firstPassResults = new ArrayList<>(promptCount);
    List<List<Integer>> all = new ArrayList<>(promptCount);
    for (GeneratedSample sample : candidates) {
      int n = sample.responses().size();
      double[] pen = new double[n];
      List<Integer> indices = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        pen[i] = rules.penalty(sample.responses().get(i));
        indices.add(i);
      }
      penalties[all.size()] = pen;
      all.add(indices);
      firstPassResults.add(new HashMap<>());
    }
    StatsCounter stats = new StatsCounter();
    int[] best = knockout(model, candidates, penalties, all, true, firstPassResults, stats);
    List<List<Integer>> others = new ArrayList<>(promptCount);
    for (int p = 0; p < promptCount; p++) {
      List<Integer> rest = new ArrayList<>(all.get(p));
      rest.remove(Integer.valueOf(best[p]));
      others.add(rest);
    }
    int[] worst = knockout(model, candidates, penalties, others, false, null, stats);

    // the final comparison, asked only where it is needed and not already known
    double[] finalP = new double[promptCount];
    List<Comparison> batch = new ArrayList<>();
    List<Integer> asked = new ArrayList<>();
    for (int p = 0; p < promptCount; p++) {
      List<Completion> responses = candidates.get(p).responses();
      int a = Math.min(best[p], worst[p]);
      int b = Math.max(best[p], worst[p]);
      Double known = firstPassResults.get(p).get(key(a, b));
      if (known != null) {
        finalP[p] = known;
      } else if (!(rules.dropIdenticalText() && identical(responses, a, b))) {
        batch.add(comparison(candidates.get(p), a, b));
        asked.add(p);
      }
    }
    if (!batch.isEmpty()) {
      double[] probabilities = ask(model, batch, stats);
      for (int k = 0; k < asked.size(); k++) {
        finalP[asked.get(k)] = probabilities[k];
      }
    }

    List<PreferencePair> pairs = new ArrayList<>();
    for (int p = 0; p < promptCount; p++) {
      GeneratedSample sample = candidates.get(p);
      stats.responses(sample.responses());
      int a = Math.min(best[p], worst[p]);
      int b = Math.max(best[p], worst[p]);
      if (rules.dropIdenticalText() && identical(sample.responses(), a, b)) {
        stats.verdict(DropRules.Verdict.IDENTICAL_TEXT);
        continue;
      }
      double d = adjustedLogOdds(finalP[p], penalties[p][a], penalties[p][b]);
      boolean aChosen = d > 0 || (d == 0 && a == best[p]);
      int chosen = aChosen ? a : b;
      int rejected = aChosen ? b : a;
      DropRules.Verdict verdict =
          DropRules.judge(
              rules,
              sample.responses().get(chosen).text(),
              sample.responses().get(rejected).text(),
              Math.abs(d),
              0);
      stats.verdict(verdict);
      if (verdict == DropRules.Verdict.KEEP) {
        double chosenP = aChosen ? finalP[p] : 1 - finalP[p];
        pairs.add(
            PreferencePair.scored(
                sample.prompt().messages(),
                sample.responses().get(chosen).text(),
                chosenP,
                sample.responses().get(rejected).text(),
                1 - chosenP,
                source));
      }
    }
    return new ExploreResult(pairs, stats.build());
  }

  /**
   * Runs one knockout per prompt, all prompts' matches of a round in one model call.
   *
   * @param entrants per prompt, the candidate indices in bracket order
   * @param keepWinners true to find the best (winners go on), false to find the worst
   * @param results where to record P(a ≻ b) of every match by {@link #key}, or null
   * @return per prompt, the index left standing
   */
  private static int[] knockout(
      PreferenceModel model,
      List<GeneratedSample> candidates,
      double[][] penalties,
      List<List<Integer>> entrants,
      boolean keepWinners,
      List<Map<Long, Double>> results,
      StatsCounter stats) {
    List<List<Integer>> alive = new ArrayList<>(entrants);
    while (true) {
      List<Comparison> batch = new ArrayList<>();
      List<int[]> matches = new ArrayList<>(); // {prompt, a, b}
      for (int p = 0; p < alive.size(); p++) {
        List<Integer> field = alive.get(p);
        for (int k = 0; k + 1 < field.size(); k += 2) {
          int a = field.get(k);
          int b = field.get(k + 1);
          batch.add(comparison(candidates.get(p), a, b));
          matches.add(new int[] {p, a, b});
        }
      }
      if (batch.isEmpty()) {
        break;
      }
      double[] probabilities = ask(model, batch, stats);
      List<List<Integer>> next = new ArrayList<>(alive.size());
      for (int p = 0; p < alive.size(); p++) {
        next.add(new ArrayList<>());
      }
      for (int m = 0; m < matches.size(); m++) {
        int p = matches.get(m)[0];
        int a = matches.get(m)[1];
        int b = matches.get(m)[2];
        if (results != null) {
          results.get(p).put(key(a, b), probabilities[m]);
        }
        double d = adjustedLogOdds(probabilities[m], penalties[p][a], penalties[p][b]);
        boolean aGoesOn = keepWinners ? d >= 0 : d < 0;
        next.get(p).add(aGoesOn ? a : b);
      }
      for (int p = 0; p < alive.size(); p++) {
        List<Integer> field = alive.get(p);
        if (field.size() % 2 == 1) {
          next.get(p).add(field.get(field.size() - 1)); // the odd one out goes on unplayed
        }
      }
      alive = next;
    }
    int[] standing = new int[alive.size()];
    for (int p = 0; p < alive.size(); p++) {
      standing[p] = alive.get(p).get(0);
    }
    return standing;
  }

  private static double[] ask(PreferenceModel model, List<Comparison> batch, StatsCounter stats) {
    double[] probabilities =
        Contracts.checkProbabilities(
            model.probabilityFirstPreferred(List.copyOf(batch)), batch.size(), model);
    stats.comparisons(batch.size());
    return probabilities;
  }

  /**
   * logit P(a ≻ b) − (pen(a) − pen(b)): under Bradley–Terry, r̃(a) − r̃(b). ±∞ when P is 1 or 0.
   */
  static double adjustedLogOdds(double probability, double penaltyA, double penaltyB) {
    // p/(1 − p) keeps p = 0.5 at exactly 0 (a tie) and maps 0 and 1 to ±∞
    double logit = Math.log(probability / (1 - probability));
    return logit - (penaltyA - penaltyB);
  }

  private static Comparison comparison(GeneratedSample sample, int a, int b) {
    return new Comparison(
        sample.prompt().messages(),
        sample.responses().get(a).text(),
        sample.responses().get(b).text());
  }

  private static boolean identical(List<Completion> responses, int a, int b) {
    return responses.get(a).text().equals(responses.get(b).text());
  }

  private static long key(int a, int b) {
    return ((long) a << 32) | b;
  }
}
