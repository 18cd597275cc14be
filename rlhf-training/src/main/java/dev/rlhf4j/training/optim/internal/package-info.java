/**
 * Implementation details of {@link dev.rlhf4j.training.optim}: the built-in learning-rate
 * schedules and the optimizer-state file format. Not for use outside that package; may change
 * without notice.
 */
package dev.rlhf4j.training.optim.internal;
