package dev.rlhf4j.iterative;

import java.nio.file.Path;
import java.util.Map;

/**
 * The outcome of one {@link PolicyBackend#train} call: the trained policy, still held by the
 * backend, and the figures training reports. The loop times {@code train} as the TRAIN stage and
 * {@link #save} as the CHECKPOINT stage, then closes it.
 *
 * <p>{@link #metrics()} are summary figures such as {@code loss}, {@code rewards/margins} and
 * {@code steps}. The loop records them under {@code train/} in the iteration's metrics; they must
 * be finite and deterministic given the request (no wall-clock times), so that a resumed run
 * reproduces them.
 *
 * <p>Used from the loop's thread only.
 */
public interface TrainedPolicy extends AutoCloseable {

  /** The figures of this training call, name to finite value. */
  Map<String, Double> metrics();

  /**
   * Writes the trained policy as a checkpoint {@link PolicyBackend#sampler} can load (for the DJL
   * backend, a Hugging Face directory with the starting checkpoint's tokenizer files, or a PEFT
   * adapter directory pointing at π0 when the config trains a LoRA adapter).
   *
   * @param directory an empty directory; the loop moves it into place afterwards
   * @throws dev.rlhf4j.api.Rlhf4jException if it cannot be written; the loop reruns the training
   *     on resume
   */
  void save(Path directory);

  /** Releases the trained weights; idempotent. The default holds nothing. */
  @Override
  default void close() {}
}
