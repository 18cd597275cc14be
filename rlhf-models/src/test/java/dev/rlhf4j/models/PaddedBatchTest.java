package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaddedBatchTest {
  private static final List<long[]> SEQUENCES =
      List.of(new long[] {5, 6, 7}, new long[] {8}, new long[] {9, 10});

  @Test
  void rightPadding_keepsTokensAtTheStart() {
    PaddedBatch.Host host = PaddedBatch.onHost(SEQUENCES, -1, PaddedBatch.Side.RIGHT);
    assertThat(host.rows()).isEqualTo(3);
    assertThat(host.width()).isEqualTo(3);
    assertThat(host.ids()).containsExactly(5, 6, 7, 8, -1, -1, 9, 10, -1);
    assertThat(host.mask()).containsExactly(1, 1, 1, 1, 0, 0, 1, 1, 0);
  }

  @Test
  void leftPadding_putsEveryLastTokenInTheLastSlot() {
    PaddedBatch.Host host = PaddedBatch.onHost(SEQUENCES, 0, PaddedBatch.Side.LEFT);
    assertThat(host.ids()).containsExactly(5, 6, 7, 0, 0, 8, 0, 9, 10);
    assertThat(host.mask()).containsExactly(1, 1, 1, 0, 0, 1, 0, 1, 1);
  }

  @Test
  void of_buildsInt64ArraysWithTheHostValues() {
    try (NDManager manager = NDManager.newBaseManager()) {
      PaddedBatch batch = PaddedBatch.of(SEQUENCES, 3, PaddedBatch.Side.LEFT, manager);
      PaddedBatch.Host host = PaddedBatch.onHost(SEQUENCES, 3, PaddedBatch.Side.LEFT);
      assertThat(batch.ids().getShape()).isEqualTo(new Shape(3, 3));
      assertThat(batch.ids().getDataType()).isEqualTo(DataType.INT64);
      assertThat(batch.ids().toLongArray()).containsExactly(host.ids());
      assertThat(batch.attentionMask().toLongArray()).containsExactly(host.mask());
    }
  }

  @Test
  void badInput_isRefusedWithTheIndex() {
    assertThatThrownBy(() -> PaddedBatch.onHost(List.of(), 0, PaddedBatch.Side.RIGHT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one sequence");
    List<long[]> withEmpty = Arrays.asList(new long[] {1}, new long[0]);
    assertThatThrownBy(() -> PaddedBatch.onHost(withEmpty, 0, PaddedBatch.Side.RIGHT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sequence 1 is null or empty");
    assertThatThrownBy(() -> PaddedBatch.onHost(SEQUENCES, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("side");
  }
}
