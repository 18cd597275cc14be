package dev.rlhf4j.iterative;

import java.nio.file.Path;
import java.util.Map;

/**
 * The service provider interface between the loop and a model engine: it loads policies to sample
 * from and trains new ones. The loop itself knows no engine; the DJL backend (a causal LM, the
 * batched generator and the DPO trainer) implements this, and tests use a tiny deterministic one.
 *
 * <p>Policies are named by checkpoint directories: the initial policy π0 given to the loop, and
 * the directories {@link #train} wrote in earlier iterations.
 *
 * <p>Contract for repeatable runs: with the same checkpoint, prompts, sample index and {@link
 * dev.rlhf4j.api.exploration.SamplingParams#seed()} a sampler returns the same responses; with the
 * same request {@link #train} trains the same policy and reports the same metrics.
 *
 * <p>The loop calls a backend from one thread. It closes every {@link PolicySampler} it obtains,
 * and closes them all before each {@link #train} call, so a backend on a small GPU never holds a
 * sampling model and a training model at once. Whoever created the backend closes it.
 */
public interface PolicyBackend extends AutoCloseable {

  /**
   * Loads the policy stored at {@code checkpoint} for sampling.
   *
   * @param checkpoint π0 or a directory written by {@link #train}
   * @throws dev.rlhf4j.api.Rlhf4jException if it cannot be loaded
   */
  PolicySampler sampler(Path checkpoint);

  /**
   * Trains a policy as {@code request} says and returns it, not yet written: the loop then calls
   * {@link TrainedPolicy#save} (its CHECKPOINT stage) and closes it.
   *
   * @throws dev.rlhf4j.api.Rlhf4jException if training fails; on resume the loop calls it again
   *     (a backend that keeps mid-training checkpoints in {@link
   *     TrainRequest#checkpointDirectory()} continues from them)
   */
  TrainedPolicy train(TrainRequest request);

  /**
   * The backend's settings that affect results (optimizer, loss, precision, ...), recorded in the
   * run directory's {@code run.json}: resuming with other values is an error. Default none.
   */
  default Map<String, String> settings() {
    return Map.of();
  }

  /** Releases what the backend holds; idempotent. The default holds nothing. */
  @Override
  default void close() {}
}
