package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.exploration.SamplingParams;

/**
 * What {@link SparkJobs#generate} does: sample {@code n} responses for every prompt of a prompt
 * JSONL with a policy every executor can read, and write the samples as generated JSONL.
 *
 * @param prompts the prompt file ({@link dev.rlhf4j.api.io.JsonlFormats#prompts()}), a Hadoop URI
 *     or a local path
 * @param output the generated-samples file to write ({@link
 *     dev.rlhf4j.api.io.JsonlFormats#generatedSamples()}); replaced if it exists
 * @param policy the checkpoint, see {@link ModelStore}
 * @param samplers how executors load it
 * @param n responses per prompt, ≥ 1
 * @param sampling how to sample (its seed makes the job repeat)
 * @param partitions partitions per round of prompts, ≥ 1
 * @param promptsPerRound prompts held on the driver at once, ≥ 1 (rounded up to whole blocks)
 */
public record GenerateJob(String prompts, String output, ModelLocation policy,
    SamplerFactory samplers, int n, SamplingParams sampling, int partitions, int promptsPerRound) {

  /**
   * @throws IllegalArgumentException if a field is null or a count is below 1
   */
  public GenerateJob {
    checkArgument(prompts != null && output != null, "prompts and output must not be null");
    checkArgument(policy != null && samplers != null && sampling != null,
        "policy, samplers and sampling must not be null");
    checkArgument(n >= 1, "n must be >= 1 but was %s", n);
    checkArgument(partitions >= 1, "partitions must be >= 1 but was %s", partitions);
    checkArgument(promptsPerRound >= 1, "promptsPerRound must be >= 1 but was %s",
        promptsPerRound);
  }
}
