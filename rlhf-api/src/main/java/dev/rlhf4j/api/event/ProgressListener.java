package dev.rlhf4j.api.event;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives progress events. Every method is a no-op by default. Events arrive on the thread that
 * runs the work, one at a time; a listener that does slow work should hand it off.
 */
public interface ProgressListener {

  /** A stage began. */
  default void onStageStarted(StageStarted event) {}

  /** Work was done within a stage. */
  default void onProgress(StageProgress event) {}

  /** An optimizer step finished. */
  default void onStep(StepMetrics event) {}

  /** A stage ended. */
  default void onStageFinished(StageFinished event) {}

  /** An iteration ended. */
  default void onIterationFinished(IterationSummary event) {}

  /**
   * A console progress listener printing to {@code out}: carriage-return bars with an ETA when
   * {@code out} is {@code System.out} and the JVM has a terminal, plain lines (at most one per
   * tenth of a stage) otherwise. See {@link ConsoleProgress}.
   *
   * @throws IllegalArgumentException if out is null
   */
  static ProgressListener console(java.io.PrintStream out) {
    return new ConsoleProgress(out, System::nanoTime, out == System.out && System.console() != null);
  }

  /** {@link #console(java.io.PrintStream)} on {@code System.out}. */
  static ProgressListener console() {
    return console(System.out);
  }

  /** A listener that ignores everything. */
  static ProgressListener none() {
    return new ProgressListener() {};
  }

  /**
   * One listener that forwards each event to every listener in order; an exception thrown by one
   * is logged at WARN and does not reach the caller or the other listeners.
   */
  static ProgressListener isolating(List<? extends ProgressListener> listeners) {
    List<ProgressListener> copy = List.copyOf(listeners);
    return new ProgressListener() {
      private final Logger log = LoggerFactory.getLogger(ProgressListener.class);

      private <E> void each(E event, String method, Consumer<ProgressListener> call) {
        for (ProgressListener l : copy) {
          try {
            call.accept(l);
          } catch (RuntimeException e) {
            log.warn("listener {} threw from {}({}); ignored", l.getClass().getName(), method,
                event, e);
          }
        }
      }

      @Override
      public void onStageStarted(StageStarted e) {
        each(e, "onStageStarted", l -> l.onStageStarted(e));
      }

      @Override
      public void onProgress(StageProgress e) {
        each(e, "onProgress", l -> l.onProgress(e));
      }

      @Override
      public void onStep(StepMetrics e) {
        each(e, "onStep", l -> l.onStep(e));
      }

      @Override
      public void onStageFinished(StageFinished e) {
        each(e, "onStageFinished", l -> l.onStageFinished(e));
      }

      @Override
      public void onIterationFinished(IterationSummary e) {
        each(e, "onIterationFinished", l -> l.onIterationFinished(e));
      }
    };
  }
}
