package dev.rlhf4j.iterative;

import dev.rlhf4j.iterative.train.DpoConfig;

/**
 * Opens a {@link PolicyBackend} that trains with DPO under given settings: what {@link
 * IterativeDpo} needs from an engine. {@link IterativeDpo#run()} opens one backend per run and
 * closes it at the end.
 */
@FunctionalInterface
public interface DpoBackend {

  /**
   * A backend whose {@link PolicyBackend#train} runs DPO with {@code config}: the same {@link
   * DpoConfig} a stand-alone {@link dev.rlhf4j.iterative.train.DpoTrainer} takes (any loss of the
   * family, RPO, label smoothing, reference scoring, truncation, the whole optimisation). The
   * loop replaces the config's seed with one derived from the run's seed and the iteration
   * ({@link TrainRequest#seed()}).
   *
   * @throws dev.rlhf4j.api.Rlhf4jException if the engine cannot be set up
   */
  PolicyBackend open(DpoConfig config);
}
