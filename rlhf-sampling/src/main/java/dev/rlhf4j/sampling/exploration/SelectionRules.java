package dev.rlhf4j.sampling.exploration;

import dev.rlhf4j.api.LengthUnit;
import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;

/**
 * The rules every built-in strategy applies when it turns a prompt's candidates into one (chosen,
 * rejected) pair, or into no pair.
 *
 * <p><b>Adjusted reward.</b> Candidates are ranked, and pairs judged, on the adjusted reward
 *
 * <pre>  r̃(x, a) = r(x, a) − λ·len(a) − (a finished with LENGTH ? missingEosPenalty : 0)</pre>
 *
 * with λ and the unit of len from {@link #lengthPenalty()} (paper §5: the penalty is applied at
 * selection, to filter the data). For a pairwise {@link dev.rlhf4j.api.feedback.PreferenceModel}
 * the same adjustment is applied to its log-odds: logit P(a ≻ b) − (pen(a) − pen(b)), which under
 * the Bradley–Terry model (paper eq. 1) is exactly r̃(x, a) − r̃(x, b).
 *
 * <p><b>Recorded scores.</b> A selected pair records the <em>raw</em> rewards the proxy gave
 * ({@link dev.rlhf4j.api.PreferencePair#chosenScore()}), not the adjusted ones: the penalties
 * decide which pair is kept, and the hand-off files stay comparable with the annotated samples. A
 * raw margin may therefore be smaller than {@link #minMargin()}, or negative.
 *
 * <p><b>Dropping.</b> The two selected responses are checked in this order: identical texts are
 * dropped when {@link #dropIdenticalText()} (paper §3.3: "we drop the pair where [the two policies]
 * give the same response"); equal adjusted rewards (up to {@link #TIE_TOLERANCE}) are a tie,
 * dropped under {@link TiePolicy#DROP};
 * an adjusted margin below {@link #minMargin()} is dropped. The first rule that drops a prompt is
 * the reason counted in {@link SelectionStats}.
 *
 * <p>Build with {@link #builder()}; {@link #defaults()} are the paper's. Immutable and thread-safe.
 *
 * @param tiePolicy what to do with equal adjusted rewards; default {@link TiePolicy#DROP}
 * @param minMargin the smallest adjusted margin, r̃(chosen) − r̃(rejected), of a kept pair: ≥ 0,
 *     default 0
 * @param lengthPenalty λ and its unit; default {@link LengthPenalty#NONE}
 * @param missingEosPenalty subtracted from the reward of every response that finished with {@link
 *     FinishReason#LENGTH} (cut at the token budget, no end-of-sequence), ≥ 0; default 0
 * @param dropIdenticalText whether a pair whose two texts are equal is dropped; default true
 */
public record SelectionRules(
    TiePolicy tiePolicy,
    double minMargin,
    LengthPenalty lengthPenalty,
    double missingEosPenalty,
    boolean dropIdenticalText) {

  /**
   * Rewards this close count as equal (a tie): |r̃(chosen) − r̃(rejected)| ≤ {@code TIE_TOLERANCE}
   * · max(1, |r̃(chosen)|, |r̃(rejected)|), and for a pairwise model |adjusted log-odds| ≤ {@code
   * TIE_TOLERANCE}. Reward models compute in float32 (about 7 significant digits), and the same
   * response scored in another batch row, batch size or padding may differ in the last bits (CPU
   * kernels such as AVX-512 treat rows differently): an exact comparison would turn such noise
   * into a preference. 1e-6 is about 16 float32 ulps of the larger reward.
   */
  public static final double TIE_TOLERANCE = 1e-6;

  private static final SelectionRules DEFAULTS =
      new SelectionRules(TiePolicy.DROP, 0, LengthPenalty.NONE, 0, true);

  /**
   * @throws IllegalArgumentException if a value is outside the range its parameter documents, or
   *     {@code tiePolicy} is {@link TiePolicy#KEEP} while {@code minMargin} is above 0 (a tie has
   *     margin 0, so the margin would drop every tie the policy says to keep)
   */
  public SelectionRules {
    checkArgument(tiePolicy != null, "tiePolicy must not be null (DROP or KEEP)");
    checkMinMargin(minMargin);
    checkArgument(lengthPenalty != null, "lengthPenalty must not be null (use LengthPenalty.NONE)");
    checkMissingEosPenalty(missingEosPenalty);
    checkArgument(
        tiePolicy == TiePolicy.DROP || minMargin == 0,
        "tiePolicy KEEP keeps pairs with equal rewards but minMargin %s > 0 drops them; use"
            + " TiePolicy.DROP with a margin, or minMargin 0 with KEEP",
        minMargin);
  }

  /**
   * Whether a margin between two values of magnitude up to {@code scale} is a tie under {@link
   * #TIE_TOLERANCE}.
   *
   * @param margin the difference of the two values (either sign)
   * @param scale the larger magnitude of the two values (0 for a log-odds)
   */
  public static boolean isTie(double margin, double scale) {
    return Math.abs(margin) <= TIE_TOLERANCE * Math.max(1, Math.abs(scale));
  }

  /** The paper's rules: ties dropped, no margin, no penalties, identical texts dropped. */
  public static SelectionRules defaults() {
    return DEFAULTS;
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder starting from these rules. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The penalty these rules subtract from {@code completion}'s reward: λ·len plus the missing-EOS
   * penalty when it finished with {@link FinishReason#LENGTH}.
   *
   * @throws NullPointerException if {@code completion} is null
   */
  public double penalty(Completion completion) {
    double penalty = lengthPenalty.penalty(completion);
    if (completion.finishReason() == FinishReason.LENGTH) {
      penalty += missingEosPenalty;
    }
    return penalty;
  }

  /**
   * The adjusted reward r̃ = {@code reward} − {@link #penalty(Completion)} that selection ranks by.
   * Useful to custom strategies that want the same rules.
   *
   * @throws NullPointerException if {@code completion} is null
   */
  public double adjustedReward(Completion completion, double reward) {
    return reward - penalty(completion);
  }

  private static void checkMinMargin(double value) {
    checkArgument(
        value >= 0 && Double.isFinite(value),
        "minMargin must be >= 0 and finite but was %s",
        value);
  }

  private static void checkMissingEosPenalty(double value) {
    checkArgument(
        value >= 0 && Double.isFinite(value),
        "missingEosPenalty must be >= 0 and finite but was %s",
        value);
  }

  /**
   * Builds {@link SelectionRules}. Each setter checks its own range; {@link #build()} checks the
   * combination. Not thread-safe.
   */
  public static final class Builder {
    private TiePolicy tiePolicy;
    private double minMargin;
    private LengthPenalty lengthPenalty;
    private double missingEosPenalty;
    private boolean dropIdenticalText;

    private Builder(SelectionRules from) {
      this.tiePolicy = from.tiePolicy;
      this.minMargin = from.minMargin;
      this.lengthPenalty = from.lengthPenalty;
      this.missingEosPenalty = from.missingEosPenalty;
      this.dropIdenticalText = from.dropIdenticalText;
    }

    /**
     * What to do with equal adjusted rewards. Default {@link TiePolicy#DROP}.
     *
     * @throws IllegalArgumentException if {@code value} is null
     */
    public Builder tiePolicy(TiePolicy value) {
      checkArgument(value != null, "tiePolicy must not be null (DROP or KEEP)");
      this.tiePolicy = value;
      return this;
    }

    /**
     * The smallest adjusted margin a kept pair may have (a margin equal to it is kept). Default 0.
     *
     * @throws IllegalArgumentException if {@code value} is negative, NaN or infinite
     */
    public Builder minMargin(double value) {
      checkMinMargin(value);
      this.minMargin = value;
      return this;
    }

    /**
     * Penalize length by {@code lambda} per {@code unit}: r̃ = r − λ·len. The paper uses
     * characters. Default off.
     *
     * @throws IllegalArgumentException if {@code lambda} is negative, NaN or infinite, or {@code
     *     unit} is null
     */
    public Builder lengthPenalty(double lambda, LengthUnit unit) {
      this.lengthPenalty = LengthPenalty.of(lambda, unit);
      return this;
    }

    /**
     * Penalize length as {@code value} says.
     *
     * @throws IllegalArgumentException if {@code value} is null
     */
    public Builder lengthPenalty(LengthPenalty value) {
      checkArgument(value != null, "lengthPenalty must not be null (use LengthPenalty.NONE)");
      this.lengthPenalty = value;
      return this;
    }

    /**
     * Subtract {@code value} from the reward of every response cut at the token budget (finish
     * reason LENGTH). Default 0.
     *
     * @throws IllegalArgumentException if {@code value} is negative, NaN or infinite
     */
    public Builder missingEosPenalty(double value) {
      checkMissingEosPenalty(value);
      this.missingEosPenalty = value;
      return this;
    }

    /** Whether a pair of two equal texts is dropped. Default true. */
    public Builder dropIdenticalText(boolean value) {
      this.dropIdenticalText = value;
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@link TiePolicy#KEEP} is combined with a positive
     *     minMargin
     */
    public SelectionRules build() {
      return new SelectionRules(
          tiePolicy, minMargin, lengthPenalty, missingEosPenalty, dropIdenticalText);
    }
  }
}
