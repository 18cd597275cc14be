package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What {@link SparkJobs#annotate} does: score every response of a generated-samples JSONL with a
 * reward model every executor can read, and write annotated JSONL.
 *
 * @param input the generated-samples file ({@link
 *     dev.rlhf4j.api.io.JsonlFormats#generatedSamples()}), a Hadoop URI or a local path
 * @param output the annotated-samples file to write ({@link
 *     dev.rlhf4j.api.io.JsonlFormats#annotatedSamples()}); replaced if it exists
 * @param rewardModel the reward model executors load
 * @param blockSize responses per executor call, ≥ 1 (see {@link SparkRewardModel})
 * @param partitions partitions per round, ≥ 1
 * @param samplesPerRound samples held on the driver at once, ≥ 1
 */
public record AnnotateJob(String input, String output, ScoringModelSpec rewardModel,
    int blockSize, int partitions, int samplesPerRound) {

  /**
   * @throws IllegalArgumentException if a field is null, a count is below 1 or the model is a
   *     preference model
   */
  public AnnotateJob {
    checkArgument(input != null && output != null, "input and output must not be null");
    checkArgument(rewardModel != null, "rewardModel must not be null");
    checkArgument(rewardModel.engine() != ScoringModelSpec.Engine.LM_PREFERENCE,
        "rewardModel must be a reward model, not %s", rewardModel.engine());
    checkArgument(blockSize >= 1, "blockSize must be >= 1 but was %s", blockSize);
    checkArgument(partitions >= 1, "partitions must be >= 1 but was %s", partitions);
    checkArgument(samplesPerRound >= 1, "samplesPerRound must be >= 1 but was %s",
        samplesPerRound);
  }
}
