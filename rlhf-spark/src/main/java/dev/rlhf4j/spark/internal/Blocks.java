package dev.rlhf4j.spark.internal;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the prompt list of one sampling call is cut into blocks, the unit a partition holds.
 *
 * <p>A decoding sampler such as the DJL generator packs the {@code n} responses of consecutive
 * prompts into chunks of {@code rows} rows, cut at global row indices {@code 0, rows, 2·rows...}.
 * A block of {@code k = rows / gcd(n, rows)} prompts holds {@code lcm(n, rows)} rows, a whole
 * number of chunks, so a partition made of whole blocks decodes exactly the chunks the
 * in-process sampler decodes for those prompts: the same shapes, the same floating-point bits.
 */
public final class Blocks {
  private Blocks() {}

  /**
   * The prompts per block for {@code n} responses per prompt and chunks of {@code rows} rows.
   *
   * @throws IllegalArgumentException if n or rows is below 1
   */
  public static int promptsPerBlock(int n, int rows) {
    checkArgument(n >= 1, "n must be >= 1 but was %s", n);
    checkArgument(rows >= 1, "rows must be >= 1 but was %s", rows);
    return rows / gcd(n, rows);
  }

  /** The {@code [from, to)} ranges of {@code size} items cut every {@code per} items. */
  public static List<int[]> ranges(int size, int per) {
    checkArgument(per >= 1, "per must be >= 1 but was %s", per);
    List<int[]> out = new ArrayList<>();
    for (int from = 0; from < size; from += per) {
      out.add(new int[] {from, Math.min(size, from + per)});
    }
    return out;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
