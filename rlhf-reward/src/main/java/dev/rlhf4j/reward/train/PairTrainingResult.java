package dev.rlhf4j.reward.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a run of one of the two preference-pair trainers measured: {@link RewardTrainer} (the
 * Bradley–Terry reward model) or {@link dev.rlhf4j.reward.preference.PreferenceTrainer} (the
 * pairwise preference model).
 *
 * @param trainLoss the mean loss of each epoch, in epoch order: the Bradley–Terry loss, or the
 *     preference model's answer loss
 * @param trainAccuracy the mean training-pair accuracy of each epoch, measured during the epoch
 *     before each step's update: the fraction of pairs whose chosen response scored higher, or
 *     whose right answer token had the larger logit in the order shown
 * @param heldOutAccuracy the held-out pair accuracy after each epoch; empty without eval pairs
 * @param heldOutAccuracyBefore the held-out accuracy before training, when it was asked for
 * @param steps the optimizer steps taken
 * @param savedTo the directory the model was saved to, if any
 */
public record PairTrainingResult(
    List<Double> trainLoss,
    List<Double> trainAccuracy,
    List<Double> heldOutAccuracy,
    OptionalDouble heldOutAccuracyBefore,
    long steps,
    Optional<Path> savedTo) {

  /** @throws IllegalArgumentException if a field is null or steps is negative */
  public PairTrainingResult {
    checkArgument(
        trainLoss != null && trainAccuracy != null && heldOutAccuracy != null,
        "the per-epoch lists must not be null");
    checkArgument(heldOutAccuracyBefore != null && savedTo != null, "optionals must not be null");
    checkArgument(steps >= 0, "steps must be >= 0 but was %s", steps);
    trainLoss = List.copyOf(trainLoss);
    trainAccuracy = List.copyOf(trainAccuracy);
    heldOutAccuracy = List.copyOf(heldOutAccuracy);
  }

  /** The held-out accuracy after the last epoch, if measured. */
  public OptionalDouble finalHeldOutAccuracy() {
    return heldOutAccuracy.isEmpty()
        ? OptionalDouble.empty()
        : OptionalDouble.of(heldOutAccuracy.get(heldOutAccuracy.size() - 1));
  }
}
