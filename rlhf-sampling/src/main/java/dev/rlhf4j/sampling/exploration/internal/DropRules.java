package dev.rlhf4j.sampling.exploration.internal;

import dev.rlhf4j.sampling.exploration.SelectionRules;
import dev.rlhf4j.sampling.exploration.TiePolicy;

/** The drop rules of {@link SelectionRules}, applied in their documented order. */
final class DropRules {
  private DropRules() {}

  /** Whether a selected pair is kept, or the first reason it is dropped. */
  enum Verdict {
    KEEP,
    IDENTICAL_TEXT,
    TIE,
    BELOW_MARGIN
  }

  /**
   * Judges a pair whose chosen response has the higher (or equal) adjusted reward.
   *
   * @param adjustedMargin r̃(chosen) − r̃(rejected), ≥ 0
   * @param scale the magnitude of the compared values, max(|r̃(chosen)|, |r̃(rejected)|), or 0
   *     for a log-odds; see {@link SelectionRules#TIE_TOLERANCE}
   */
  static Verdict judge(
      SelectionRules rules, String chosen, String rejected, double adjustedMargin, double scale) {
    if (rules.dropIdenticalText() && chosen.equals(rejected)) {
      return Verdict.IDENTICAL_TEXT;
    }
    if (SelectionRules.isTie(adjustedMargin, scale) && rules.tiePolicy() == TiePolicy.DROP) {
      return Verdict.TIE;
    }
    if (adjustedMargin < rules.minMargin()) {
      return Verdict.BELOW_MARGIN;
    }
    return Verdict.KEEP;
  }
}
