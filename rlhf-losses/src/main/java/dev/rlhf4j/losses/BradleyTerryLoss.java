package dev.rlhf4j.losses;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;
import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.losses.internal.Ops;
import java.util.HashMap;
import java.util.Map;

/**
 * The Bradley–Terry loss of a scalar reward model (Bradley and Terry 1952; Ouyang et al. 2022,
 * "Training language models to follow instructions with human feedback", eq. 1), with the two
 * common additions:
 *
 * <pre>
 *   loss = mean_i −log σ(r⁺_i − r⁻_i − m_i)  +  k · mean_i (r⁺_i + r⁻_i)²
 * </pre>
 *
 * where {@code m_i} is an optional per-pair margin (Touvron et al. 2023, "Llama 2", eq. 2: larger
 * for pairs whose annotators were more certain) and {@code k} the reward-centering coefficient
 * (Eisenstein et al. 2023, "Helping or Herding? Reward Model Ensembles Mitigate but do not
 * Eliminate Reward Hacking"), which pulls the rewards towards zero mean; TRL's {@code
 * center_rewards_coefficient}, suggested value 0.01.
 *
 * <p>Metrics: {@code accuracy} (fraction with {@code r⁺ > r⁻}, strict), {@code rewards/chosen},
 * {@code rewards/rejected}, {@code rewards/margins} (means) and {@code loss}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param centeringCoefficient k ≥ 0; 0 disables the centering term
 */
public record BradleyTerryLoss(double centeringCoefficient) {
  /** Fraction of pairs the reward model orders correctly (strictly). */
  public static final String ACCURACY = "accuracy";

  /** @throws IllegalArgumentException if the coefficient is negative or not finite */
  public BradleyTerryLoss {
    checkArgument(
        centeringCoefficient >= 0 && Double.isFinite(centeringCoefficient),
        "centeringCoefficient must be finite and >= 0 but was %s",
        centeringCoefficient);
  }

  /** The plain loss: no centering term. */
  public static BradleyTerryLoss plain() {
    return new BradleyTerryLoss(0);
  }

  /**
   * The loss without margins.
   *
   * @param chosenRewards {@code [B]} or {@code [B, 1]} rewards of the preferred responses
   * @param rejectedRewards the same for the rejected responses
   * @throws IllegalArgumentException if the shapes are not {@code [B]} / {@code [B, 1]} alike
   */
  public PreferenceLossOutput compute(NDArray chosenRewards, NDArray rejectedRewards) {
    return compute(chosenRewards, rejectedRewards, (double[]) null);
  }

  /**
   * The loss with a margin per pair given as host values.
   *
   * @param margins {@code [B]} margins, finite; null for none
   * @throws IllegalArgumentException if the shapes disagree or a margin is not finite
   */
  public PreferenceLossOutput compute(
      NDArray chosenRewards, NDArray rejectedRewards, double[] margins) {
    long batch = checkRewards(chosenRewards, rejectedRewards);
    if (margins != null) {
      Ops.checkSameLength("margins", margins.length, "chosenRewards", batch);
      Ops.checkFinite("margins", margins);
    }
    return computeChecked(chosenRewards, rejectedRewards, null, margins);
  }

  /**
   * The loss with a margin per pair given as an array (detached from any gradient graph).
   *
   * @param margins {@code [B]} floating margins
   * @throws IllegalArgumentException if the shapes disagree
   */
  public PreferenceLossOutput compute(
      NDArray chosenRewards, NDArray rejectedRewards, NDArray margins) {
    long batch = checkRewards(chosenRewards, rejectedRewards);
    Ops.checkSameLength("margins", Ops.checkVector("margins", margins), "chosenRewards", batch);
    return computeChecked(chosenRewards, rejectedRewards, margins, null);
  }

  private static long checkRewards(NDArray chosen, NDArray rejected) {
    checkArgument(chosen != null, "chosenRewards must not be null");
    checkArgument(rejected != null, "rejectedRewards must not be null");
    long batch = rewardCount("chosenRewards", chosen);
    Ops.checkSameLength("rejectedRewards", rewardCount("rejectedRewards", rejected),
        "chosenRewards", batch);
    return batch;
  }

  private static long rewardCount(String name, NDArray rewards) {
    Shape shape = rewards.getShape();
    boolean vector = shape.dimension() == 1;
    boolean column = shape.dimension() == 2 && shape.get(1) == 1;
    checkArgument(
        (vector || column) && shape.get(0) > 0,
        "%s must have shape [batch] or [batch, 1] with batch >= 1 but had shape %s",
        name,
        shape);
    checkArgument(
        Ops.isFloating(rewards.getDataType()),
        "%s must be float16, float32 or float64 but was %s",
        name,
        rewards.getDataType());
    return shape.get(0);
  }

  private PreferenceLossOutput computeChecked(
      NDArray chosenRewards, NDArray rejectedRewards, NDArray margins, double[] marginValues) {
    NDManager owner = chosenRewards.getManager();
    try (NDManager scope = owner.newSubManager()) {
      scope.tempAttachAll(Ops.distinct(chosenRewards, rejectedRewards, margins));
      DataType type = chosenRewards.getDataType() == DataType.FLOAT16
          ? DataType.FLOAT32
          : chosenRewards.getDataType();
      long batch = chosenRewards.getShape().get(0);
      NDArray chosen = chosenRewards.toType(type, false).reshape(batch);
      NDArray rejected = rejectedRewards.toType(type, false).reshape(batch);
      NDArray difference = chosen.sub(rejected);
      NDArray logits = difference;
      if (margins != null) {
        logits = logits.sub(margins.stopGradient().toType(type, false));
      } else if (marginValues != null) {
        logits = logits.sub(owned(scope.create(marginValues)).toType(type, false));
      }
      NDArray total = Ops.logSigmoid(logits).neg().mean();
      if (centeringCoefficient > 0) {
        total = total.add(chosen.add(rejected).square().mean().mul(scalar(chosen, centeringCoefficient)));
      }
      double[] hostChosen = Ops.toHost(chosen);
      double[] hostRejected = Ops.toHost(rejected);
      double correct = 0;
      for (int i = 0; i < hostChosen.length; i++) {
        if (hostChosen[i] > hostRejected[i]) {
          correct++;
        }
      }
      Map<String, Double> metrics = new HashMap<>();
      metrics.put(ACCURACY, correct / hostChosen.length);
      metrics.put(PreferenceLossOutput.REWARDS_CHOSEN, Ops.mean(hostChosen));
      metrics.put(PreferenceLossOutput.REWARDS_REJECTED, Ops.mean(hostRejected));
      metrics.put(
          PreferenceLossOutput.REWARDS_MARGINS, Ops.mean(hostChosen) - Ops.mean(hostRejected));
      metrics.put(PreferenceLossOutput.LOSS, Ops.toHost(total)[0]);
      total.attach(owner);
      return new PreferenceLossOutput(total, metrics);
    }
  }
}
