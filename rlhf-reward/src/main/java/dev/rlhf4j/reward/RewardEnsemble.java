package dev.rlhf4j.reward;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import java.util.List;

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
    checkArgument(k >= 0 && Double.isFinite(k), "penalty must be finite and >= 0 but was %s", k);
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

  @Override
  public double[] score(List<ScoreRequest> batch) {
    checkArgument(batch != null, "batch must not be null");
    int n = batch.size();
    double[] sum = new double[n];
    double[] sumSq = new double[n];
    for (RewardModel m : members) {
      double[] s = m.score(batch);
      if (s.length != n) {
        throw new IllegalStateException(m.getClass().getName() + ".score returned " + s.length
            + " rewards for " + n + " requests; it must return one per request");
      }
      for (int i = 0; i < n; i++) {
        sum[i] += s[i];
        sumSq[i] += s[i] * s[i];
      }
    }
    int k = members.size();
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double mean = sum[i] / k;
      double var = Math.max(0, sumSq[i] / k - mean * mean);
      out[i] = mean - penalty * Math.sqrt(var);
    }
    return out;
  }

  /** Does nothing: the members are borrowed. */
  @Override
  public void close() {}
}
