package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.event.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings {@code SftTrainer.Builder} and {@code DpoTrainer.Builder} share: listeners, the
 * iteration the events report, and periodic checkpoints. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class TrainerBuilder<B extends TrainerBuilder<B>> {
  private final List<ProgressListener> listeners = new ArrayList<>();
  private int iteration;
  private Path checkpointDirectory;
  private int checkpointEvery;

  /** For the trainers' builders. */
  protected TrainerBuilder() {}

  /** This builder, as its concrete type. */
  protected abstract B self();

  /**
   * Adds a listener for stage and step events. A listener that throws is logged and ignored.
   *
   * @throws IllegalArgumentException if it is null
   */
  public B listener(ProgressListener listener) {
    checkArgument(listener != null, "listener must not be null");
    listeners.add(listener);
    return self();
  }

  /**
   * The iteration of the online loop the events report; 0 (the default) outside the loop.
   *
   * @throws IllegalArgumentException if it is negative
   */
  public B iteration(int iteration) {
    checkArgument(iteration >= 0, "iteration must be >= 0 but was %s", iteration);
    this.iteration = iteration;
    return self();
  }

  /**
   * Writes a checkpoint every {@code steps} optimizer steps to {@code directory}/{@code
   * checkpoint-<step>}: the policy as a Hugging Face directory (loadable with {@code
   * CausalLm.load}) with the tokenizer files, the AdamW state in {@code optimizer/} and {@code
   * trainer_state.json}. Each is written under a temporary name and renamed atomically. The
   * directory must not hold checkpoints yet when training starts.
   *
   * @throws IllegalArgumentException if {@code steps < 1} or the directory is null
   */
  public B checkpointEvery(int steps, Path directory) {
    checkArgument(steps >= 1, "checkpoint interval must be >= 1 step but was %s", steps);
    checkArgument(directory != null, "checkpoint directory must not be null");
    this.checkpointEvery = steps;
    this.checkpointDirectory = directory;
    return self();
  }

  /** The listeners added, combined into one that isolates failures. */
  public ProgressListener isolatedListener() {
    return ProgressListener.isolating(listeners);
  }

  /** The iteration the events report. */
  public int iterationNumber() {
    return iteration;
  }

  /** The checkpoint directory, or null when none was set. */
  public Path checkpointDirectory() {
    return checkpointDirectory;
  }

  /** Optimizer steps between checkpoints; 0 when none was set. */
  public int checkpointInterval() {
    return checkpointEvery;
  }
}
