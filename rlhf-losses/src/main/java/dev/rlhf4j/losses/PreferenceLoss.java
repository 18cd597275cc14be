package dev.rlhf4j.losses;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import dev.rlhf4j.losses.internal.Ops;
import java.util.List;

/**
 * The direct-preference loss family: DPO and its variants, each a record that checks its own
 * parameters. All of them are functions of the two log-ratios of a pair,
 *
 * <pre>
 *   c = log πθ(y⁺|x) − log πref(y⁺|x),   r = log πθ(y⁻|x) − log πref(y⁻|x),   z = β(c − r),
 * </pre>
 *
 * averaged over the batch. Variants whose {@link #reduction()} is {@link Reduction#TOKEN_MEAN} use
 * per-token log-ratios (each log-probability divided by its response's completion-token count)
 * instead of sequence sums. The formulas follow the TRL implementation ({@code DPOTrainer}, {@code
 * loss_type} = {@link #trlName()}); each record names its paper.
 *
 * <p>{@link #compute} returns the mean loss and the TRL metrics ({@link
 * PreferenceLossOutput#REWARDS_CHOSEN} etc.), which always use the sequence-sum log-ratios: {@code
 * rewards/chosen} is the mean of {@code β·c}. Any variant combines with an SFT term on the chosen
 * responses through {@link #withNll(double)} (RPO).
 *
 * <p>All variants are immutable values and safe to share between threads.
 */
public sealed interface PreferenceLoss
    permits PreferenceLoss.Sigmoid,
        PreferenceLoss.Robust,
        PreferenceLoss.Hinge,
        PreferenceLoss.Ipo,
        PreferenceLoss.SppoHard,
        PreferenceLoss.NcaPair,
        PreferenceLoss.BcoPair,
        PreferenceLoss.ApoZero,
        PreferenceLoss.ApoDown,
        PreferenceLoss.DiscoPop,
        PreferenceLoss.ExoPair,
        PreferenceLoss.SigmoidNorm,
        PreferenceLoss.Weighted,
        PreferenceLoss.Rpo {

  /** How the log-ratios a variant sees are reduced over a response's tokens. */
  enum Reduction {
    /** Sequence sums: {@code log π(y|x)} itself. */
    SEQUENCE_SUM,
    /** Sums divided by the number of completion tokens of the response. */
    TOKEN_MEAN
  }

  /** The KL-penalty strength β (for IPO, the regulariser τ). */
  double beta();

  /** The name TRL gives this loss ({@code DPOConfig.loss_type}). */
  String trlName();

  /** Whether the variant sees sequence-sum or per-token log-ratios. */
  default Reduction reduction() {
    return Reduction.SEQUENCE_SUM;
  }

  /**
   * The per-pair losses {@code ℓ(c, r)}, {@code [B]}, from log-ratios already reduced as {@link
   * #reduction()} says. Results and intermediates are created in the manager of {@code
   * chosenLogRatios}; call it inside a sub-manager. {@link #compute} is the usual entry point.
   *
   * @param chosenLogRatios {@code c}, {@code [B]}
   * @param rejectedLogRatios {@code r}, {@code [B]}
   */
  NDArray pairLosses(NDArray chosenLogRatios, NDArray rejectedLogRatios);

  /**
   * The mean loss over the batch and its metrics. Intermediates live in a sub-manager closed
   * before returning; the loss belongs to the manager of the policy's chosen log-probabilities.
   * Reference arrays are detached from the gradient graph. The loss has the policy's floating type
   * (float32 for float16 inputs, which are widened); the metrics are read back once per call.
   *
   * @throws IllegalArgumentException if the input lacks token counts a token-normalised variant
   *     needs, or a count is below one
   */
  default PreferenceLossOutput compute(PreferenceLossInput input) {
    return PreferenceLossComputation.compute(this, input, 0);
  }

  /**
   * This loss plus {@code weight} times the mean per-token negative log-likelihood of the chosen
   * responses (RPO).
   *
   * @throws IllegalArgumentException if the weight is not finite and > 0, or this is already RPO
   */
  default Rpo withNll(double weight) {
    return new Rpo(this, weight);
  }

  /**
   * A {@link Weighted} combination: {@code weighted(Term.of(sigmoid(0.1), 0.8),
   * Term.of(bcoPair(0.1, 0), 0.2))}; add TRL's {@code sft} term with {@link #withNll(double)}.
   */
  static Weighted weighted(Weighted.Term... terms) {
    return new Weighted(List.of(terms));
  }

  /**
   * MPO (Wang et al. 2024, "Enhancing the Reasoning Ability of Multimodal Large Language Models
   * via Mixed Preference Optimization"), TRL's {@code loss_type=["sigmoid", "bco_pair", "sft"]}
   * with {@code loss_weights=[0.8, 0.2, 1.0]}: {@code 0.8·sigmoid + 0.2·bco_pair + 1.0·NLL}.
   */
  static Rpo mpo(double beta) {
    return weighted(
            Weighted.Term.of(sigmoid(beta), 0.8), Weighted.Term.of(bcoPair(beta, 0), 0.2))
        .withNll(1.0);
  }

  /** DPO: {@link Sigmoid} without label smoothing. */
  static Sigmoid sigmoid(double beta) {
    return new Sigmoid(beta, 0);
  }

  /** Conservative DPO: {@link Sigmoid} with label smoothing ε. */
  static Sigmoid sigmoid(double beta, double labelSmoothing) {
    return new Sigmoid(beta, labelSmoothing);
  }

  /** {@link Robust} DPO with flip rate ε. */
  static Robust robust(double beta, double labelSmoothing) {
    return new Robust(beta, labelSmoothing);
  }

  /** {@link Hinge} (SLiC). */
  static Hinge hinge(double beta) {
    return new Hinge(beta);
  }

  /** {@link Ipo} on per-token log-ratios, the default (see {@link Ipo}). */
  static Ipo ipo(double beta) {
    return new Ipo(beta, Reduction.TOKEN_MEAN);
  }

  /** {@link Ipo} with an explicit reduction. */
  static Ipo ipo(double beta, Reduction reduction) {
    return new Ipo(beta, reduction);
  }

  /** {@link SppoHard}. */
  static SppoHard sppoHard(double beta) {
    return new SppoHard(beta);
  }

  /** {@link NcaPair}. */
  static NcaPair ncaPair(double beta) {
    return new NcaPair(beta);
  }

  /** {@link BcoPair} with reward shift δ = 0. */
  static BcoPair bcoPair(double beta) {
    return new BcoPair(beta, 0);
  }

  /** {@link BcoPair} with an explicit reward shift δ (see {@link BcoRunningMean}). */
  static BcoPair bcoPair(double beta, double delta) {
    return new BcoPair(beta, delta);
  }

  /** {@link ApoZero}. */
  static ApoZero apoZero(double beta) {
    return new ApoZero(beta);
  }

  /** {@link ApoDown}. */
  static ApoDown apoDown(double beta) {
    return new ApoDown(beta);
  }

  /** {@link DiscoPop} with the paper's τ = 0.05. */
  static DiscoPop discoPop(double beta) {
    return new DiscoPop(beta, DiscoPop.DEFAULT_TAU);
  }

  /** {@link DiscoPop} with an explicit τ. */
  static DiscoPop discoPop(double beta, double tau) {
    return new DiscoPop(beta, tau);
  }

  /** {@link ExoPair} with the paper's ε = 1e-3. */
  static ExoPair exoPair(double beta) {
    return new ExoPair(beta, ExoPair.DEFAULT_EPSILON);
  }

  /** {@link ExoPair} with an explicit ε. */
  static ExoPair exoPair(double beta, double epsilon) {
    return new ExoPair(beta, epsilon);
  }

  /** {@link SigmoidNorm}. */
  static SigmoidNorm sigmoidNorm(double beta) {
    return new SigmoidNorm(beta);
  }

  /**
   * DPO (Rafailov et al. 2023, "Direct Preference Optimization: Your Language Model is Secretly a
   * Reward Model", eq. 7), with optional label smoothing ε as in conservative DPO (Mitchell 2023,
   * "A note on DPO with noisy preferences and relationship to IPO"):
   * {@code ℓ = −(1−ε) log σ(z) − ε log σ(−z)}.
   *
   * <p>Without smoothing the loss decreases in the margin z everywhere. With ε > 0 it is minimal at
   * {@code z* = log((1−ε)/ε)} and rises beyond: it stops pushing apart pairs the model already
   * ranks with confidence 1−ε. Swapping chosen and rejected turns ε into 1−ε.
   *
   * @param beta β > 0
   * @param labelSmoothing ε in {@code [0, 0.5)}: the assumed probability that a label is flipped
   */
  record Sigmoid(double beta, double labelSmoothing) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 or ε is outside {@code [0, 0.5)} */
    public Sigmoid {
      Ops.checkBeta(beta);
      Ops.checkLabelSmoothing(labelSmoothing);
    }

    @Override
    public String trlName() {
      return "sigmoid";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      NDArray z = c.sub(r).mul(scalar(c, beta));
      NDArray loss = Ops.logSigmoid(z).mul(scalar(c, -(1 - labelSmoothing)));
      return labelSmoothing == 0
          ? loss
          : loss.sub(Ops.logSigmoid(z.neg()).mul(scalar(c, labelSmoothing)));
    }
  }

  /**
   * Robust DPO (Chowdhury et al. 2024, "Provably Robust DPO: Aligning Language Models with Noisy
   * Feedback", eq. 12): an unbiased estimate of the clean loss under flip rate ε,
   * {@code ℓ = [−(1−ε) log σ(z) + ε log σ(−z)] / (1 − 2ε)}.
   *
   * @param beta β > 0
   * @param labelSmoothing ε in {@code [0, 0.5)}
   */
  record Robust(double beta, double labelSmoothing) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 or ε is outside {@code [0, 0.5)} */
    public Robust {
      Ops.checkBeta(beta);
      Ops.checkLabelSmoothing(labelSmoothing);
    }

    @Override
    public String trlName() {
      return "robust";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      NDArray z = c.sub(r).mul(scalar(c, beta));
      NDArray clean = Ops.logSigmoid(z).mul(scalar(c, -(1 - labelSmoothing)));
      NDArray flipped = Ops.logSigmoid(z.neg()).mul(scalar(c, labelSmoothing));
      return clean.add(flipped).div(scalar(c, 1 - 2 * labelSmoothing));
    }
  }

  /**
   * Hinge loss of SLiC (Zhao et al. 2023, "SLiC-HF: Sequence Likelihood Calibration with Human
   * Feedback", eq. 1 with the reference log-ratio): {@code ℓ = max(0, 1 − z)}. β sets the margin
   * ({@code 1/β} in log-ratio units).
   *
   * @param beta β > 0
   */
  record Hinge(double beta) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 */
    public Hinge {
      Ops.checkBeta(beta);
    }

    @Override
    public String trlName() {
      return "hinge";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      return c.sub(r).mul(scalar(c, -beta)).add(1).maximum(scalar(c, 0));
    }
  }

  /**
   * IPO (Azar et al. 2023, "A General Theoretical Paradigm to Understand Learning from Human
   * Preferences", eq. 17): {@code ℓ = (c − r − 1/(2β))²}, β playing the paper's τ.
   *
   * <p><b>Default: per-token log-ratios</b> ({@link Reduction#TOKEN_MEAN}). With sequence sums the
   * squared target {@code 1/(2β)} is a fixed log-ratio gap regardless of length, so the loss and a
   * good β scale with response length; TRL normalises by the completion length, reports that the
   * IPO authors confirmed the paper's results use this form, and so do we. {@link
   * Reduction#SEQUENCE_SUM} gives the literal equation.
   *
   * @param beta τ > 0
   * @param reduction how log-ratios are reduced over tokens
   */
  record Ipo(double beta, Reduction reduction) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 or the reduction is null */
    public Ipo {
      Ops.checkBeta(beta);
      checkArgument(reduction != null, "reduction must not be null");
    }

    @Override
    public String trlName() {
      return "ipo";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      return c.sub(r).sub(1 / (2 * beta)).square();
    }
  }

  /**
   * SPPO with hard labels (Wu et al. 2024, "Self-Play Preference Optimization for Language Model
   * Alignment", eq. 4.7 with P = 1 for the winner and 0 for the loser):
   * {@code ℓ = (c − 1/(2β))² + (r + 1/(2β))²}.
   *
   * @param beta β > 0
   */
  record SppoHard(double beta) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 */
    public SppoHard {
      Ops.checkBeta(beta);
    }

    @Override
    public String trlName() {
      return "sppo_hard";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      double half = 1 / (2 * beta);
      return c.sub(half).square().add(r.add(half).square());
    }
  }

  /**
   * NCA for pairs (Chen et al. 2024, "Noise Contrastive Alignment of Language Models with Explicit
   * Rewards", pairwise form): {@code ℓ = −log σ(βc) − ½ log σ(−βc) − ½ log σ(−βr)}; unlike DPO it
   * constrains each response's absolute likelihood, not only the difference.
   *
   * @param beta β > 0
   */
  record NcaPair(double beta) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 */
    public NcaPair {
      Ops.checkBeta(beta);
    }

    @Override
    public String trlName() {
      return "nca_pair";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      NDArray chosen = c.mul(scalar(c, beta));
      NDArray rejected = r.mul(scalar(c, beta));
      return Ops.logSigmoid(chosen)
          .add(Ops.logSigmoid(chosen.neg()).mul(scalar(c, 0.5)))
          .add(Ops.logSigmoid(rejected.neg()).mul(scalar(c, 0.5)))
          .neg();
    }
  }

  /**
   * BCO on pairs (Jung et al. 2024, "Binary Classifier Optimization for Large Language Model
   * Alignment"): each response is classified on its own against a reward shift δ,
   * {@code ℓ = −log σ(βc − δ) − log σ(−(βr − δ))}.
   *
   * <p>The paper (and TRL until it dropped the shift) sets δ to the running mean of the batch-mean
   * rewards {@code mean(βc, βr)}; that state is kept outside this value in {@link BcoRunningMean}:
   * build a fresh {@code bcoPair(beta, running.update(input, beta))} each step. δ = 0 is what TRL
   * computes today.
   *
   * @param beta β > 0
   * @param delta the reward shift δ, finite
   */
  record BcoPair(double beta, double delta) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 or δ is not finite */
    public BcoPair {
      Ops.checkBeta(beta);
      checkArgument(Double.isFinite(delta), "delta must be finite but was %s", delta);
    }

    @Override
    public String trlName() {
      return "bco_pair";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      NDArray chosen = Ops.logSigmoid(c.mul(scalar(c, beta)).sub(delta));
      NDArray rejected = Ops.logSigmoid(r.mul(scalar(c, beta)).sub(delta).neg());
      return chosen.add(rejected).neg();
    }
  }

  /**
   * APO-zero (D'Oosterlinck et al. 2024, "Anchored Preference Optimization and Contrastive
   * Revisions", eq. 7): raise the chosen and lower the rejected likelihood, for data whose chosen
   * answers beat the model's own: {@code ℓ = (1 − σ(βc)) + σ(βr)}.
   *
   * @param beta β > 0
   */
  record ApoZero(double beta) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 */
    public ApoZero {
      Ops.checkBeta(beta);
    }

    @Override
    public String trlName() {
      return "apo_zero";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      return Ops.sigmoid(c.mul(scalar(c, beta))).neg().add(1).add(Ops.sigmoid(r.mul(scalar(c, beta))));
    }
  }

  /**
   * APO-down (D'Oosterlinck et al. 2024, eq. 8): lower both likelihoods, the rejected one more, for
   * data whose chosen answers are worse than the model's own: {@code ℓ = σ(βc) + (1 − σ(z))}.
   *
   * @param beta β > 0
   */
  record ApoDown(double beta) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 */
    public ApoDown {
      Ops.checkBeta(beta);
    }

    @Override
    public String trlName() {
      return "apo_down";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      NDArray z = c.sub(r).mul(scalar(c, beta));
      return Ops.sigmoid(c.mul(scalar(c, beta))).add(1).sub(Ops.sigmoid(z));
    }
  }

  /**
   * DiscoPOP, the log-ratio modulated loss found by LLM-driven search (Chris Lu et al. 2024,
   * "Discovering Preference Optimization Algorithms with and for Large Language Models", eq. 5):
   * with {@code m = σ(z/τ)}, {@code ℓ = (1 − m)·(−log σ(z)) + m·exp(−z)}.
   *
   * @param beta β > 0
   * @param tau the modulation temperature τ > 0; the paper recommends 0.05
   */
  record DiscoPop(double beta, double tau) implements PreferenceLoss {
    /** The paper's τ. */
    public static final double DEFAULT_TAU = 0.05;

    /** @throws IllegalArgumentException if β ≤ 0 or τ is not finite and > 0 */
    public DiscoPop {
      Ops.checkBeta(beta);
      checkArgument(tau > 0 && Double.isFinite(tau), "tau must be finite and > 0 but was %s", tau);
    }

    @Override
    public String trlName() {
      return "discopop";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      NDArray z = c.sub(r).mul(scalar(c, beta));
      NDArray modulation = Ops.sigmoid(z.div(scalar(c, tau)));
      NDArray logistic = Ops.logSigmoid(z).neg();
      NDArray exponential = z.neg().exp();
      return logistic.mul(modulation.neg().add(1)).add(exponential.mul(modulation));
    }
  }

  /**
   * EXO for pairs (Ji et al. 2024, "Towards Efficient Exact Optimization of Language Model
   * Alignment", eq. 16): the reverse KL from the model's preference distribution
   * {@code (σ(z), σ(−z))} to the smoothed label {@code (1−ε, ε)},
   * {@code ℓ = σ(z)(log σ(z) − log(1−ε)) + σ(−z)(log σ(−z) − log ε)}.
   *
   * @param beta β > 0
   * @param epsilon ε in {@code (0, 0.5)}; the paper recommends 1e-3
   */
  record ExoPair(double beta, double epsilon) implements PreferenceLoss {
    /** The paper's ε. */
    public static final double DEFAULT_EPSILON = 1e-3;

    /** @throws IllegalArgumentException if β ≤ 0 or ε is outside {@code (0, 0.5)} */
    public ExoPair {
      Ops.checkBeta(beta);
      checkArgument(
          epsilon > 0 && epsilon < 0.5, "epsilon must be in (0, 0.5) but was %s", epsilon);
    }

    @Override
    public String trlName() {
      return "exo_pair";
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      NDArray z = c.sub(r).mul(scalar(c, beta));
      NDArray chosen = Ops.sigmoid(z).mul(Ops.logSigmoid(z).sub(Math.log1p(-epsilon)));
      NDArray rejected =
          Ops.sigmoid(z.neg()).mul(Ops.logSigmoid(z.neg()).sub(Math.log(epsilon)));
      return chosen.add(rejected);
    }
  }

  /**
   * DPO on per-token log-ratios (TRL's {@code sigmoid_norm}; the length normalisation of SimPO,
   * Meng et al. 2024, "SimPO: Simple Preference Optimization with a Reference-Free Reward", kept
   * relative to the reference): {@code ℓ = −log σ(β(c/|y⁺| − r/|y⁻|))}.
   *
   * @param beta β > 0, on the per-token scale (typically much larger than DPO's)
   */
  record SigmoidNorm(double beta) implements PreferenceLoss {
    /** @throws IllegalArgumentException if β ≤ 0 */
    public SigmoidNorm {
      Ops.checkBeta(beta);
    }

    @Override
    public String trlName() {
      return "sigmoid_norm";
    }

    @Override
    public Reduction reduction() {
      return Reduction.TOKEN_MEAN;
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      return Ops.logSigmoid(c.sub(r).mul(scalar(c, beta))).neg();
    }
  }

  /**
   * A weighted sum of preference losses, TRL's {@code loss_type} list with {@code loss_weights}
   * (introduced for MPO: Wang et al. 2024, "Enhancing the Reasoning Ability of Multimodal Large
   * Language Models via Mixed Preference Optimization", eq. 2): {@code ℓ(c, r) = Σₖ wₖ · ℓₖ(c, r)},
   * each term with its own parameters (its own β). TRL's {@code sft} entry is the NLL term of
   * {@link #withNll(double)} ({@link Rpo}), so MPO is {@code weighted(0.8·sigmoid, 0.2·bco_pair)
   * .withNll(1.0)} ({@link PreferenceLoss#mpo}).
   *
   * <p>The TRL metrics ({@code rewards/*}) use the first term's β. All terms must see the same
   * {@link #reduction()} (the log-ratios are reduced once for the whole sum).
   *
   * @param terms at least two terms, none itself weighted or RPO, all with one reduction
   */
  record Weighted(List<Term> terms) implements PreferenceLoss {
    /**
     * One term of the sum.
     *
     * @param loss the loss, neither {@link Weighted} nor {@link Rpo}
     * @param weight its weight, finite and &gt; 0
     */
    public record Term(PreferenceLoss loss, double weight) {
      /** @throws IllegalArgumentException if the loss is null, weighted or RPO, or the weight is not > 0 */
      public Term {
        checkArgument(loss != null, "a term's loss must not be null");
        checkArgument(
            !(loss instanceof Weighted) && !(loss instanceof Rpo),
            "a term's loss must be a plain variant, not %s: flatten weighted sums, and add the NLL"
                + " term to the whole sum with withNll",
            loss.trlName());
        checkArgument(
            weight > 0 && Double.isFinite(weight),
            "the weight of term %s must be finite and > 0 but was %s",
            loss.trlName(),
            weight);
      }

      /** A term. */
      public static Term of(PreferenceLoss loss, double weight) {
        return new Term(loss, weight);
      }
    }

    /**
     * @throws IllegalArgumentException if there are fewer than two terms or their reductions
     *     differ (naming them)
     */
    public Weighted {
      checkArgument(terms != null && terms.size() >= 2,
          "a weighted loss needs at least two terms but got %s",
          terms == null ? 0 : terms.size());
      terms = List.copyOf(terms);
      Reduction first = terms.get(0).loss().reduction();
      for (Term t : terms) {
        checkArgument(
            t.loss().reduction() == first,
            "all terms must use one reduction, but %s uses %s and %s uses %s",
            terms.get(0).loss().trlName(), first, t.loss().trlName(), t.loss().reduction());
      }
    }

    @Override
    public double beta() {
      return terms.get(0).loss().beta();
    }

    @Override
    public String trlName() {
      StringBuilder name = new StringBuilder();
      for (Term t : terms) {
        name.append(name.length() == 0 ? "" : "+").append(t.loss().trlName());
      }
      return name.toString();
    }

    @Override
    public Reduction reduction() {
      return terms.get(0).loss().reduction();
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      NDArray sum = null;
      for (Term t : terms) {
        NDArray term = t.loss().pairLosses(c, r).mul(scalar(c, t.weight()));
        sum = sum == null ? term : sum.add(term);
      }
      return sum;
    }
  }

  /**
   * A preference loss plus an SFT term on the chosen responses, as in RPO (Pang et al. 2024,
   * "Iterative Reasoning Preference Optimization", eq. 1; Liu et al. 2024, "Provably Mitigating
   * Overoptimization in RLHF: Your SFT Loss is Implicitly an Adversarial Regularizer"):
   * {@code loss = mean ℓ + w · mean_i(−log πθ(y⁺_i|x_i) / |y⁺_i|)}.
   *
   * <p>The NLL is normalised per response, then averaged over pairs, as in Pang et al.; TRL's
   * {@code sft} term instead averages over all chosen tokens of the batch, which weighs long
   * responses more. The two agree when all chosen responses have the same length; the per-response
   * form keeps the loss of a batch equal to the mean of its equal micro-batches. Reported as
   * {@link PreferenceLossOutput#NLL_LOSS}.
   *
   * @param base the preference loss, not itself an RPO loss
   * @param nllWeight the weight w of the NLL term, finite and > 0
   */
  record Rpo(PreferenceLoss base, double nllWeight) implements PreferenceLoss {
    /** @throws IllegalArgumentException if base is null or RPO, or the weight is not > 0 */
    public Rpo {
      checkArgument(base != null, "base must not be null");
      checkArgument(
          !(base instanceof Rpo), "base must not itself be an RPO loss: set one weight instead");
      checkArgument(
          nllWeight > 0 && Double.isFinite(nllWeight),
          "nllWeight must be finite and > 0 but was %s",
          nllWeight);
    }

    @Override
    public double beta() {
      return base.beta();
    }

    @Override
    public String trlName() {
      return base.trlName();
    }

    @Override
    public Reduction reduction() {
      return base.reduction();
    }

    @Override
    public NDArray pairLosses(NDArray c, NDArray r) {
      return base.pairLosses(c, r);
    }

    @Override
    public PreferenceLossOutput compute(PreferenceLossInput input) {
      return PreferenceLossComputation.compute(base, input, nllWeight);
    }

    /** @throws IllegalArgumentException always: the weight is set once */
    @Override
    public Rpo withNll(double weight) {
      throw new IllegalArgumentException(
          "this loss already has an NLL term (weight " + nllWeight + "); use base().withNll(w)");
    }
  }
}
