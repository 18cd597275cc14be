/** Checkpoint files of the training loop; not for use outside rlhf-training. */
package dev.rlhf4j.training.internal;
