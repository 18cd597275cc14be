package dev.rlhf4j.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import java.util.List;
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
    RewardModel shortScores = batch -> new double[] {1};
    assertThatThrownBy(() -> RewardEnsemble.of(List.of(m, shortScores)).score(BATCH))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("one per request");
  }
}
