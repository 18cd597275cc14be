/**
 * Online iterative RLHF (paper §3, Algorithm 1): {@link dev.rlhf4j.iterative.IterativeLoop} over
 * any engine; {@link dev.rlhf4j.iterative.IterativeDpo#builder()} is its builder preset with the
 * DJL engine for the paper's DPO recipe.
 *
 * <p>The loop knows no engine. It talks to one through a small service provider interface:
 *
 * <ul>
 *   <li>{@link dev.rlhf4j.iterative.PolicyBackend}: {@code sampler(checkpoint)} loads a policy to
 *       sample from, {@code train(TrainRequest)} writes a new checkpoint;
 *   <li>{@link dev.rlhf4j.iterative.PolicySampler}: a closeable {@link
 *       dev.rlhf4j.api.exploration.Sampler};
 *   <li>{@link dev.rlhf4j.iterative.TrainRequest} / {@link dev.rlhf4j.iterative.TrainedPolicy}:
 *       the pairs so far, the initial and reference checkpoints and the loop's {@link
 *       dev.rlhf4j.iterative.train.DpoConfig} with the iteration's seed; the trained policy, which
 *       the loop saves, with the figures training reports.
 * </ul>
 *
 * <p>Everything else is engine-free: the prompt slices ({@link
 * dev.rlhf4j.iterative.PromptSource}), the exploration context handed to the {@link
 * dev.rlhf4j.api.exploration.ExplorationStrategy}, the held-out {@link
 * dev.rlhf4j.iterative.Evaluation}, the run directory and resume ({@link dev.rlhf4j.iterative.run})
 * and progress events.
 *
 * <p><b>Seeds.</b> From the run's seed the loop derives, per iteration, the exploration's random
 * generator, its sampling seed and the training seed, and one evaluation seed for the whole run
 * (so every iteration is evaluated on the same draws).
 */
package dev.rlhf4j.iterative;
