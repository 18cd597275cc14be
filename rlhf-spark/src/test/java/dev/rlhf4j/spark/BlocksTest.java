package dev.rlhf4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.spark.internal.Blocks;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Block boundaries fall on decoding-batch boundaries. */
class BlocksTest {
  @Property
  void aBlockHoldsWholeBatches_andIsTheSmallestThatDoes(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll @IntRange(min = 1, max = 128) int rows) {
    int k = Blocks.promptsPerBlock(n, rows);
    assertThat((long) k * n % rows).isZero();
    for (int smaller = 1; smaller < k; smaller++) {
      assertThat((long) smaller * n % rows).isNotZero();
    }
  }

  @Test
  void examples() {
    assertThat(Blocks.promptsPerBlock(8, 64)).isEqualTo(8);
    assertThat(Blocks.promptsPerBlock(4, 8)).isEqualTo(2);
    assertThat(Blocks.promptsPerBlock(3, 8)).isEqualTo(8);
    assertThat(Blocks.promptsPerBlock(16, 8)).isEqualTo(1);
    assertThat(Blocks.ranges(7, 2)).containsExactly(
        new int[] {0, 2}, new int[] {2, 4}, new int[] {4, 6}, new int[] {6, 7});
    assertThatThrownBy(() -> Blocks.promptsPerBlock(0, 8))
        .hasMessage("n must be >= 1 but was 0");
  }
}
