package dev.rlhf4j.losses;

import static dev.rlhf4j.models.OwnedArrays.owned;
import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.losses.internal.Ops;
import java.util.HashMap;
import java.util.Map;

/**
 * The computation every {@link PreferenceLoss} shares: log-ratios, the optional per-token
 * reduction, the batch mean, the optional RPO term and the TRL metrics, inside one sub-manager.
 */
final class PreferenceLossComputation {
  private PreferenceLossComputation() {}

  static PreferenceLossOutput compute(
      PreferenceLoss loss, PreferenceLossInput input, double nllWeight) {
    if (input == null) {
      throw new IllegalArgumentException("input must not be null");
    }
    boolean tokenMean = loss.reduction() == PreferenceLoss.Reduction.TOKEN_MEAN;
    boolean nll = nllWeight > 0;
    double[][] counts = null;
    if (tokenMean || nll) {
      String neededBy = tokenMean ? "loss '" + loss.trlName() + "'" : "the RPO NLL term";
      counts = input.tokenCountValues(neededBy);
    }
    double beta = loss.beta();
    NDManager owner = input.policyChosen().getManager();
    try (NDManager scope = owner.newSubManager()) {
      scope.tempAttachAll(input.arrays());
      DataType type = computeType(input.policyChosen().getDataType());
      NDArray policyChosen = input.policyChosen().toType(type, false);
      NDArray policyRejected = input.policyRejected().toType(type, false);
      NDArray referenceChosen = reference(scope, input.referenceChosen(),
          input.referenceChosenValues(), type);
      NDArray referenceRejected = reference(scope, input.referenceRejected(),
          input.referenceRejectedValues(), type);

      NDArray chosenRatios = policyChosen.sub(referenceChosen);
      NDArray rejectedRatios = policyRejected.sub(referenceRejected);
      NDArray chosenCounts = counts == null ? null : owned(scope.create(counts[0])).toType(type, false);
      NDArray rejectedCounts = counts == null ? null : owned(scope.create(counts[1])).toType(type, false);
      NDArray pairLosses = tokenMean
          ? loss.pairLosses(chosenRatios.div(chosenCounts), rejectedRatios.div(rejectedCounts))
          : loss.pairLosses(chosenRatios, rejectedRatios);
      NDArray total = pairLosses.mean();

      Map<String, Double> metrics = new HashMap<>();
      if (nll) {
        NDArray chosenNll = policyChosen.div(chosenCounts).neg().mean();
        metrics.put(PreferenceLossOutput.NLL_LOSS, Ops.toHost(chosenNll)[0]);
        total = total.add(chosenNll.mul(scalar(chosenNll, nllWeight)));
      }
      putTrlMetrics(
          metrics,
          beta,
          Ops.toHost(policyChosen),
          Ops.toHost(policyRejected),
          Ops.toHost(referenceChosen),
          Ops.toHost(referenceRejected));
      metrics.put(PreferenceLossOutput.LOSS, Ops.toHost(total)[0]);
      total.attach(owner);
      return new PreferenceLossOutput(total, metrics);
    }
  }

  /** Float16 log-probabilities are widened: the loss terms need more than 11 bits. */
  private static DataType computeType(DataType type) {
    return type == DataType.FLOAT16 ? DataType.FLOAT32 : type;
  }

  private static NDArray reference(
      NDManager scope, NDArray array, double[] values, DataType type) {
    if (array != null) {
      return array.stopGradient().toType(type, false);
    }
    return owned(scope.create(values)).toType(type, false);
  }

  private static void putTrlMetrics(
      Map<String, Double> metrics,
      double beta,
      double[] policyChosen,
      double[] policyRejected,
      double[] referenceChosen,
      double[] referenceRejected) {
    int n = policyChosen.length;
    double chosen = 0;
    double rejected = 0;
    double correct = 0;
    for (int i = 0; i < n; i++) {
      double chosenReward = beta * (policyChosen[i] - referenceChosen[i]);
      double rejectedReward = beta * (policyRejected[i] - referenceRejected[i]);
      chosen += chosenReward;
      rejected += rejectedReward;
      if (chosenReward > rejectedReward) {
        correct++;
      }
    }
    metrics.put(PreferenceLossOutput.REWARDS_CHOSEN, chosen / n);
    metrics.put(PreferenceLossOutput.REWARDS_REJECTED, rejected / n);
    metrics.put(PreferenceLossOutput.REWARDS_MARGINS, (chosen - rejected) / n);
    metrics.put(PreferenceLossOutput.REWARDS_ACCURACIES, correct / n);
    metrics.put(PreferenceLossOutput.LOGPS_CHOSEN, Ops.mean(policyChosen));
    metrics.put(PreferenceLossOutput.LOGPS_REJECTED, Ops.mean(policyRejected));
  }
}
