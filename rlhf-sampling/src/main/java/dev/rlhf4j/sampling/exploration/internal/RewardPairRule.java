package dev.rlhf4j.sampling.exploration.internal;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.exploration.ExplorationContext;
import dev.rlhf4j.sampling.exploration.ExploreResult;
import dev.rlhf4j.sampling.exploration.SelectionRules;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Pair rules that rank candidates by adjusted reward from the run's reward model (the Online-RLHF
 * {@code choose_type} options). In every rule the chosen response's adjusted reward is at least the
 * rejected one's; among equal adjusted rewards the lower candidate index wins.
 */
public enum RewardPairRule implements PairSelector {
  /** Best-of-n against worst-of-n (paper §3.3, the default). */
  BEST_VS_WORST {
    @Override
    Pick pick(double[] adjusted, RandomGenerator random) {
      int best = argMax(adjusted, -1);
      return new Pick(best, argMin(adjusted, best));
    }
  },
  /** The best against one of the other n − 1, uniformly at random. */
  MAX_VS_RANDOM {
    @Override
    Pick pick(double[] adjusted, RandomGenerator random) {
      int best = argMax(adjusted, -1);
      int other = random.nextInt(adjusted.length - 1);
      return new Pick(best, other >= best ? other + 1 : other);
    }
  },
  /** The best against the second best. */
  TOP_TWO {
    @Override
    Pick pick(double[] adjusted, RandomGenerator random) {
      int best = argMax(adjusted, -1);
      return new Pick(best, argMax(adjusted, best));
    }
  },
  /**
   * Two distinct candidates uniformly at random, the higher adjusted reward chosen (the first drawn
   * on a tie).
   */
  RANDOM_PAIR {
    @Override
    Pick pick(double[] adjusted, RandomGenerator random) {
      int first = random.nextInt(adjusted.length);
      int second = random.nextInt(adjusted.length - 1);
      if (second >= first) {
        second++;
      }
      return adjusted[second] > adjusted[first] ? new Pick(second, first) : new Pick(first, second);
    }
  };

  /** Indices of the chosen and the rejected candidate. */
  record Pick(int chosen, int rejected) {}

  /**
   * Picks two distinct candidates.
   *
   * @param adjusted the adjusted rewards, at least two
   * @param random the iteration's generator; rules that draw from it draw a fixed number of times
   *     per prompt, so the same seed gives the same picks
   */
  abstract Pick pick(double[] adjusted, RandomGenerator random);

  @Override
  public ExploreResult select(
      List<GeneratedSample> candidates,
      ExplorationContext context,
      SelectionRules rules,
      String source) {
    List<AnnotatedSample> scored =
        Contracts.checkAnnotated(context.annotate(candidates), candidates);
    context.beginSelection();
    RandomGenerator random = context.random();
    StatsCounter stats = new StatsCounter();
    List<PreferencePair> pairs = new ArrayList<>();
    for (AnnotatedSample sample : scored) {
      stats.responses(sample.responses());
      double[] adjusted = new double[sample.size()];
      for (int i = 0; i < adjusted.length; i++) {
        adjusted[i] = rules.adjustedReward(sample.responses().get(i), sample.reward(i));
      }
      Pick pick = pick(adjusted, random);
      DropRules.Verdict verdict =
          DropRules.judge(
              rules,
              sample.responses().get(pick.chosen()).text(),
              sample.responses().get(pick.rejected()).text(),
              adjusted[pick.chosen()] - adjusted[pick.rejected()],
              Math.max(Math.abs(adjusted[pick.chosen()]), Math.abs(adjusted[pick.rejected()])));
      stats.verdict(verdict);
      if (verdict == DropRules.Verdict.KEEP) {
        // raw rewards are recorded; see SelectionRules
        pairs.add(sample.pair(pick.chosen(), pick.rejected(), source));
      }
    }
    return new ExploreResult(pairs, stats.build());
  }

  /** The index of the highest value other than {@code skip}; the lowest index wins a tie. */
  static int argMax(double[] values, int skip) {
    int best = -1;
    for (int i = 0; i < values.length; i++) {
      if (i != skip && (best < 0 || values[i] > values[best])) {
        best = i;
      }
    }
    return best;
  }

  /** The index of the lowest value other than {@code skip}; the lowest index wins a tie. */
  static int argMin(double[] values, int skip) {
    int worst = -1;
    for (int i = 0; i < values.length; i++) {
      if (i != skip && (worst < 0 || values[i] < values[worst])) {
        worst = i;
      }
    }
    return worst;
  }
}
