package dev.rlhf4j.reward.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Padding and bucketing keep every sequence, once, recoverable from its row and mask. */
class OrtChunkPropertiesTest {

  @Property(tries = 200)
  void chunksAndPad_coverEverySequenceOnce_andMaskRecoversIt(
      @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 9) Integer> lengths,
      @ForAll @IntRange(min = 1, max = 7) int maxRows,
      @ForAll boolean padLeft) {
    List<long[]> sequences = new ArrayList<>();
    for (int i = 0; i < lengths.size(); i++) {
      long[] s = new long[lengths.get(i)];
      for (int t = 0; t < s.length; t++) {
        s[t] = 1000L * i + t + 1;
      }
      sequences.add(s);
    }
    Set<Integer> seen = new HashSet<>();
    int previousLongest = 0;
    for (List<Integer> rows : OrtChunk.chunks(sequences, maxRows)) {
      OrtChunk chunk = OrtChunk.pad(sequences, rows, padLeft, -7);
      assertThat(chunk.rows()).hasSizeBetween(1, maxRows);
      assertThat(chunk.ids().isDirect()).isTrue();
      assertThat(chunk.length()).isGreaterThanOrEqualTo(previousLongest);
      previousLongest = chunk.length();
      for (int r = 0; r < chunk.rows().size(); r++) {
        int index = chunk.rows().get(r);
        assertThat(seen.add(index)).isTrue();
        List<Long> real = new ArrayList<>();
        boolean seenToken = false;
        boolean seenPadAfterToken = false;
        for (int t = 0; t < chunk.length(); t++) {
          long id = chunk.ids().get(r * chunk.length() + t);
          long m = chunk.mask().get(r * chunk.length() + t);
          if (m == 1) {
            real.add(id);
            // the real tokens are contiguous, at the start or the end of the row
            assertThat(seenPadAfterToken).isFalse();
            seenToken = true;
          } else {
            assertThat(id).isEqualTo(-7);
            seenPadAfterToken |= seenToken;
          }
        }
        long[] expected = sequences.get(index);
        assertThat(real).containsExactly(toBoxed(expected));
        int pads = chunk.length() - expected.length;
        long firstMask = chunk.mask().get(r * chunk.length());
        if (pads > 0) {
          assertThat(firstMask).isEqualTo(padLeft ? 0L : 1L);
        }
      }
    }
    assertThat(seen).hasSize(sequences.size());
  }

  private static Long[] toBoxed(long[] values) {
    Long[] boxed = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }
}
