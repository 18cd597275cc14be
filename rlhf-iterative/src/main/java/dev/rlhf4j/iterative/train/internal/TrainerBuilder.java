package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.models.memory.AvailableMemory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings {@code SftTrainer.Builder} and {@code DpoTrainer.Builder} share: listeners, the
 * iteration the events report, and the checkpoint directory. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class TrainerBuilder<B extends TrainerBuilder<B>> {
  private final List<ProgressListener> listeners = new ArrayList<>();
  private int iteration;
  private Path checkpointDirectory;
  private AvailableMemory availableMemory = AvailableMemory.system();

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
   * Where mid-training checkpoints go, every {@code checkpointEvery} optimizer steps of the
   * config's optimisation (and after the last step): {@code checkpoint-<step>/} holds the policy as
   * a Hugging Face directory (loadable with {@code CausalLm.load}) with the tokenizer files (when
   * a LoRA adapter trains: a PEFT adapter directory pointing at the base, which {@code
   * CausalLm.load} also reads), and
   * {@code training/} the loop's state (parameters, AdamW state, the data position). Each is
   * written under a temporary name and renamed atomically. When training starts and the directory
   * already holds checkpoints of the same run, training resumes from the newest one and ends with
   * the weights of an uninterrupted run.
   *
   * @throws IllegalArgumentException if the directory is null
   */
  public B checkpointDirectory(Path directory) {
    checkArgument(directory != null, "checkpoint directory must not be null");
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

  /**
   * What the memory check before training compares its estimate with; default {@link
   * AvailableMemory#system()} (MemAvailable and the cgroup limit). A configuration whose estimate
   * exceeds it is refused with {@link dev.rlhf4j.models.memory.InsufficientMemoryException}
   * before anything is allocated.
   *
   * @throws IllegalArgumentException if it is null
   */
  public B availableMemory(AvailableMemory available) {
    checkArgument(available != null, "availableMemory must not be null");
    this.availableMemory = available;
    return self();
  }

  /** What the memory check compares with. */
  public AvailableMemory availableMemory() {
    return availableMemory;
  }
}
