package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.iterative.train.DpoConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * One training call of the loop (the "oracle" of Algorithm 1, paper §3.2–3.3): optimise the policy
 * on every pair collected so far.
 *
 * @param iteration the iteration, 1-based; {@link dev.rlhf4j.api.event.StepMetrics} the backend
 *     sends carry it
 * @param pairs the training set: in hybrid mode the offline pairs first, then the pairs of
 *     iterations 1..t in iteration order; never empty
 * @param initialCheckpoint the weights to start from: the previous iteration's checkpoint under
 *     warm start (the paper's choice), else π0
 * @param referenceCheckpoint the reference policy π_ref: π0 under {@link ReferencePolicy#INITIAL},
 *     else the previous iteration's checkpoint
 * @param dpo the loop's {@link DpoConfig} ({@link IterativeLoop.Builder#dpo}) with the seed of
 *     every random choice of this call (data order, dropout), derived from the run's seed and the
 *     iteration
 * @param checkpointDirectory where the backend may keep mid-training checkpoints of this call; it
 *     survives a crash, so a rerun of the loop resumes the training mid-way, and the loop deletes
 *     it once the trained checkpoint is in place
 * @param listener where to send per-step {@link dev.rlhf4j.api.event.StepMetrics} and {@link
 *     dev.rlhf4j.api.event.StageProgress} of stage {@code TRAIN}; it never throws
 */
public record TrainRequest(
    int iteration,
    List<PreferencePair> pairs,
    Path initialCheckpoint,
    Path referenceCheckpoint,
    DpoConfig dpo,
    Path checkpointDirectory,
    ProgressListener listener) {

  /**
   * @throws IllegalArgumentException if iteration is below 1, a field is null or pairs is empty
   */
  public TrainRequest {
    checkArgument(iteration >= 1, "iteration must be >= 1 but was %s", iteration);
    checkArgument(pairs != null, "pairs must not be null");
    pairs = List.copyOf(pairs);
    checkArgument(!pairs.isEmpty(), "pairs must not be empty (iteration %s)", iteration);
    checkArgument(
        initialCheckpoint != null && referenceCheckpoint != null && checkpointDirectory != null
            && dpo != null,
        "checkpoints, checkpointDirectory and dpo must not be null");
    checkArgument(listener != null, "listener must not be null (use ProgressListener.none())");
  }
}
