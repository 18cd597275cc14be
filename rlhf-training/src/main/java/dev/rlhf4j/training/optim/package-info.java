/**
 * Optimisation shared by every rlhf4j trainer, on DJL {@link ai.djl.ndarray.NDArray}s and
 * independent of any model class: parameters are named arrays (Hugging Face tensor names) that
 * require gradients.
 *
 * <ul>
 *   <li>{@link dev.rlhf4j.training.optim.AdamW}: PyTorch's AdamW update rule, two {@link
 *       dev.rlhf4j.training.optim.ParameterGroups parameter groups} (no decay on norms, biases and
 *       embeddings by default), state saved and restored for a bit-exact resume;
 *   <li>{@link dev.rlhf4j.training.optim.LearningRateSchedule}: constant, and Hugging Face's
 *       linear and cosine schedules with linear warm-up;
 *   <li>{@link dev.rlhf4j.training.optim.GradientClipping}: clipping by global norm, reporting
 *       the {@code grad_norm} metric;
 *   <li>{@link dev.rlhf4j.training.optim.GradientAccumulation}: global batch = micro-batch ×
 *       accumulation steps, one optimizer step per global batch.
 * </ul>
 *
 * <h2>How DJL 0.36 on PyTorch 2.7.1 handles gradients</h2>
 *
 * <p>Verified by {@code DjlGradientBehaviourTest}; the accumulation recipe depends on it:
 *
 * <ul>
 *   <li>Every {@code GradientCollector.backward} adds into each parameter's gradient, within one
 *       collector and across collectors: opening a collector does not zero gradients ({@code
 *       PtGradientCollector} has its {@code zeroGradients()} call commented out). So gradient
 *       accumulation is: N × {@code backward(loss / N)}, each in its own or in one collector, then
 *       one optimizer step, then zero the gradients.
 *   <li>Only one collector may be open at a time in the whole JVM; a second one throws {@code
 *       IllegalStateException}.
 *   <li>{@code GradientCollector.zeroGradients()} would zero the gradient of every array in the
 *       process (it walks the system manager), including other models'; {@link
 *       dev.rlhf4j.training.optim.AdamW#step AdamW.step} and {@link
 *       dev.rlhf4j.training.optim.AdamW#zeroGradients AdamW.zeroGradients} zero only the
 *       parameters they are given.
 *   <li>{@code getGradient()} returns a new handle on the parameter's gradient storage (writes
 *       through it change the gradient) and attaches that handle to the <em>parameter's</em>
 *       manager: each call leaks one handle until the caller closes it. This package closes every
 *       handle it makes.
 *   <li>Zeroing in place with {@code g − g} or {@code 0 · g} leaves NaN where the gradient
 *       overflowed; this package computes {@code g⁰ − 1}, which is 0 for every float.
 *   <li>PyTorch's grad mode is per thread and DJL switches it off only on the thread that loads
 *       the engine; in-place updates of a parameter that requires gradients fail while it is on.
 *       {@code AdamW} therefore updates a detached view ({@code stopGradient()}) that shares the
 *       parameter's storage.
 * </ul>
 *
 * <h2>Counting live arrays</h2>
 *
 * <p>{@code NDManager.getManagedArrays()} on a base manager's parent (the engine's system manager)
 * walks every manager of the process and lists every array not yet closed; the leak test uses that
 * count, which stays flat over hundreds of {@code AdamW} steps.
 */
package dev.rlhf4j.training.optim;
