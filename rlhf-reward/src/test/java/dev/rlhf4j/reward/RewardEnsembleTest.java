package dev.rlhf4j.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.Fingerprint;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RewardEnsembleTest {
  private static final List<ScoreRequest> BATCH =
      List.of(
          new ScoreRequest(List.of(Message.user("p")), "a"),
          new ScoreRequest(List.of(Message.user("p")), "bb"));

  @Test
  void scoresMeanMinusPenaltyTimesPopulationStd() {
    RewardModel m1 = batch -> new double[] {1, 0};
    RewardModel m2 = batch -> new double[] {3, 0};
    RewardModel m3 = batch -> new double[] {2, 0};
    RewardEnsemble mean = RewardEnsemble.of(List.of(m1, m2, m3));
    assertThat(mean.penalty()).isZero();
    assertThat(mean.score(BATCH)).containsExactly(new double[] {2, 0}, within(1e-12));
    double std = Math.sqrt(2.0 / 3);
    assertThat(mean.penalty(1.5).score(BATCH))
        .containsExactly(new double[] {2 - 1.5 * std, 0}, within(1e-12));
  }

  @Test
  void keepsTheSpreadOfLargeRewards() {
    // one-pass E[x²] − E[x]² loses a spread of 1 at 1e8 to rounding
    RewardModel m1 = batch -> new double[] {1e8, 0};
    RewardModel m2 = batch -> new double[] {1e8 + 2, 0};
    assertThat(RewardEnsemble.of(List.of(m1, m2)).penalty(1).score(BATCH)[0])
        .isCloseTo(1e8, within(1e-6));
  }

  @Test
  void fingerprintsMembersInOrderAndPenalty() {
    RewardModel a = fingerprinted("a");
    RewardModel b = fingerprinted("b");
    RewardEnsemble ab = RewardEnsemble.of(List.of(a, b));
    assertThat(ab.fingerprint()).isPresent();
    assertThat(ab.fingerprint()).isEqualTo(RewardEnsemble.of(List.of(a, b)).fingerprint());
    assertThat(ab.fingerprint()).isNotEqualTo(RewardEnsemble.of(List.of(b, a)).fingerprint());
    assertThat(ab.fingerprint()).isNotEqualTo(ab.penalty(1).fingerprint());
    RewardModel unknown = batch -> new double[batch.size()];
    assertThat(RewardEnsemble.of(List.of(a, unknown)).fingerprint()).isEmpty();
  }

  private static RewardModel fingerprinted(String id) {
    return new RewardModel() {
      @Override
      public double[] score(List<ScoreRequest> batch) {
        return new double[batch.size()];
      }

      @Override
      public Optional<Fingerprint> fingerprint() {
        return Optional.of(new Fingerprint(new TreeMap<>(Map.of("setting:id", id))));
      }
    };
  }

  @Test
  void closeLeavesTheMembersOpen() {
    boolean[] closed = {false};
    RewardModel m = new RewardModel() {
      @Override
      public double[] score(List<ScoreRequest> batch) {
        return new double[batch.size()];
      }

      @Override
      public void close() {
        closed[0] = true;
      }
    };
    RewardEnsemble.of(List.of(m, m)).close();
    assertThat(closed[0]).isFalse();
  }

  @Test
  void disagreementReordersResponses() {
    // a: members agree on 1.0; b: mean 1.2 but they disagree
    RewardModel m1 = batch -> new double[] {1.0, 0.2};
    RewardModel m2 = batch -> new double[] {1.0, 2.2};
    RewardEnsemble e = RewardEnsemble.of(List.of(m1, m2));
    double[] mean = e.score(BATCH);
    assertThat(mean[1]).isGreaterThan(mean[0]);
    double[] penalised = e.penalty(1).score(BATCH);
    assertThat(penalised[1]).isLessThan(penalised[0]);
  }

  @Test
  void rejectsBadArgumentsAndShortScores() {
    RewardModel m = batch -> new double[] {1, 2};
    assertThatThrownBy(() -> RewardEnsemble.of(List.of(m)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    assertThatThrownBy(() -> RewardEnsemble.of(List.of(m, m)).penalty(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("penalty");
    assertThatThrownBy(() -> RewardEnsemble.of(List.of(m, m)).penalty(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("penalty");
    assertThatThrownBy(() -> RewardEnsemble.of(java.util.Arrays.asList(m, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    assertThatThrownBy(() -> RewardEnsemble.of(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("members");
    RewardModel shortScores = batch -> new double[] {1};
    assertThatThrownBy(() -> RewardEnsemble.of(List.of(m, shortScores)).score(BATCH))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("one per request");
  }
}
