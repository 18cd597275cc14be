package dev.rlhf4j.reward;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.Fingerprint;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An ensemble of reward models scored as one, for proxy drift (reward over-optimisation, Coste et
 * al. 2023, "Reward Model Ensembles Help Mitigate Overoptimization"): the score of a response is
 * the members' mean minus {@link #penalty()} times their standard deviation (population, over the
 * members), so a response the members disagree on ranks lower. Penalty 0 is the plain mean.
 *
 * <p>The members are borrowed: closing the ensemble does not close them. Immutable; thread-safe
 * when its members are.
 */
public final class RewardEnsemble implements RewardModel {
  private final List<RewardModel> members;
  private final double penalty;

  private RewardEnsemble(List<RewardModel> members, double penalty) {
    this.members = members;
    this.penalty = penalty;
  }

  /**
   * The mean of {@code members} (penalty 0).
   *
   * @throws IllegalArgumentException if members is null, has fewer than 2 models or holds null
   */
  public static RewardEnsemble of(List<? extends RewardModel> members) {
    checkArgument(members != null && members.size() >= 2,
        "members must hold at least 2 reward models but was %s",
        members == null ? null : members.size());
    for (RewardModel m : members) {
      checkArgument(m != null, "members must not hold null");
    }
    return new RewardEnsemble(List.copyOf(members), 0);
  }

  /**
   * The same members scored as mean − {@code k}·std.
   *
   * @throws IllegalArgumentException if k is negative, NaN or infinite
   */
  public RewardEnsemble penalty(double k) {
    checkArgument(k >= 0 && Double.isFinite(k),
        "penalty must be finite and >= 0 (0 = plain mean) but was %s", k);
    return new RewardEnsemble(members, k);
  }

  /** The disagreement penalty k of mean − k·std. */
  public double penalty() {
    return penalty;
  }

  /** The members, in order. */
  public List<RewardModel> members() {
    return members;
  }

  /**
   * Scores {@code batch} with every member in turn and combines the members' rewards per request
   * as mean − {@link #penalty()}·std (two-pass, so large rewards do not lose the spread to
   * rounding).
   *
   * @throws IllegalArgumentException if batch is null
   * @throws IllegalStateException if a member returns a number of rewards other than the batch
   *     size
   */
  @Override
  public double[] score(List<ScoreRequest> batch) {
    checkArgument(batch != null, "batch must not be null");
    int n = batch.size();
    int k = members.size();
    double[][] scores = new double[k][];
    for (int j = 0; j < k; j++) {
      RewardModel m = members.get(j);
      double[] s = m.score(batch);
      if (s == null || s.length != n) {
        throw new IllegalStateException(m.getClass().getName() + ".score returned "
            + (s == null ? "null" : s.length + " rewards") + " for " + n
            + " requests; it must return one per request");
      }
      scores[j] = s;
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += scores[j][i];
      }
      double mean = sum / k;
      double squares = 0;
      for (int j = 0; j < k; j++) {
        double d = scores[j][i] - mean;
        squares += d * d;
      }
      out[i] = mean - penalty * Math.sqrt(squares / k);
    }
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The members' fingerprints, in order, under {@code member<i>/}, with the penalty; empty when
   * any member has none (the loop then cannot verify the ensemble either).
   */
  @Override
  public Optional<Fingerprint> fingerprint() {
    Fingerprint f =
        new Fingerprint(new TreeMap<>(Map.of("setting:penalty", Double.toString(penalty))));
    for (int i = 0; i < members.size(); i++) {
      Optional<Fingerprint> m = members.get(i).fingerprint();
      if (m.isEmpty()) {
        return Optional.empty();
      }
      f = f.with("member" + i + "/", m.get());
    }
    return Optional.of(f);
  }

  /** Does nothing: the members are borrowed. */
  @Override
  public void close() {}
}
