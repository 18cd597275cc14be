package dev.rlhf4j.api.exploration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeedsTest {
  /**
   * The values of the two copies this class replaced (the loop's per-iteration purposes and the
   * sampling strategies' extra streams), computed from their SplitMix64 formulas before the merge:
   * runs seeded before keep their pairs and metrics.
   */
  @Test
  void derive_givesTheValuesOfTheFormerCopies() {
    assertThat(Seeds.derive(42, 3, 2)).isEqualTo(8857862703798441688L);
    assertThat(Seeds.derive(7, 1)).isEqualTo(309689372594955804L);
  }

  @Test
  void derive_neighbouringStreamsDiffer() {
    assertThat(Seeds.derive(1, 0)).isNotEqualTo(Seeds.derive(1, 1));
    assertThat(Seeds.derive(1, 1, 1)).isNotEqualTo(Seeds.derive(1, 1, 2));
    assertThat(Seeds.derive(1, 1, 1)).isNotEqualTo(Seeds.derive(1, 2, 1));
  }
}
