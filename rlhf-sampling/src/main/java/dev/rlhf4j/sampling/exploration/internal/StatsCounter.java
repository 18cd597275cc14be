package dev.rlhf4j.sampling.exploration.internal;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.sampling.exploration.SelectionStats;
import java.util.List;

/** Counts prompts and verdicts while one slice is selected; confined to one call. */
final class StatsCounter {
  private int prompts;
  private int responses;
  private int truncated;
  private int pairs;
  private int identical;
  private int ties;
  private int belowMargin;
  private long comparisons;

  void responses(List<Completion> completions) {
    responses += completions.size();
    for (Completion c : completions) {
      if (c.finishReason() == FinishReason.LENGTH) {
        truncated++;
      }
    }
  }

  void verdict(DropRules.Verdict verdict) {
    prompts++;
    switch (verdict) {
      case KEEP -> pairs++;
      case IDENTICAL_TEXT -> identical++;
      case TIE -> ties++;
      case BELOW_MARGIN -> belowMargin++;
      default -> throw new AssertionError(verdict);
    }
  }

  void comparisons(long count) {
    comparisons += count;
  }

  SelectionStats build() {
    return new SelectionStats(
        prompts, responses, truncated, pairs, identical, ties, belowMargin, comparisons);
  }
}
