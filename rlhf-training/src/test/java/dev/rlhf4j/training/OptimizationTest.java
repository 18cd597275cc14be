package dev.rlhf4j.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptimizationTest {
  @Test
  void defaults_andToBuilder_roundTrip() {
    Optimization o = Optimization.defaults();
    assertThat(o.schedule()).isEqualTo(Optimization.Schedule.COSINE);
    assertThat(o.toBuilder().build()).isEqualTo(o);
    assertThat(o.accumulationSteps()).isEqualTo(4);
    assertThat(o.stepsPerEpoch(33)).isEqualTo(2);
    assertThat(o.totalSteps(33)).isEqualTo(2);
  }

  @Test
  void globalBatchNotAMultiple_isRefusedWithTheNearestValues() {
    assertThatThrownBy(() -> Optimization.builder().microBatchSize(8).globalBatchSize(100).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "globalBatchSize must be a multiple of microBatchSize, but 100 is not a multiple of"
                + " 8; set globalBatchSize to 96 or 104");
  }

  @Test
  void setters_checkTheirOwnRange() {
    assertThatThrownBy(() -> Optimization.builder().learningRate(-1))
        .hasMessage("learningRate must be finite and > 0 but was -1.0");
    assertThatThrownBy(() -> Optimization.builder().checkpointEvery(-2))
        .hasMessage("checkpointEvery must be >= 0 steps (0: no checkpoints) but was -2");
    assertThatThrownBy(() -> Optimization.builder().warmupRatio(1.5))
        .hasMessage("warmupRatio must be in [0, 1] but was 1.5");
  }

  @Test
  void constantSchedule_warmsUpThenHoldsThePeak() {
    var schedule =
        Optimization.builder().schedule(Optimization.Schedule.CONSTANT).learningRate(0.1)
            .warmupRatio(0.5).microBatchSize(1).globalBatchSize(1).build()
            .scheduleFor(4);
    assertThat(schedule.at(0)).isZero();
    assertThat(schedule.at(1)).isEqualTo(0.05);
    assertThat(schedule.at(2)).isEqualTo(0.1);
    assertThat(schedule.at(3)).isEqualTo(0.1);
  }

  @Test
  void toString_isStableForTheDefaultGroups() {
    assertThat(Optimization.defaults().toString()).contains("parameterGroups=default");
  }
}
