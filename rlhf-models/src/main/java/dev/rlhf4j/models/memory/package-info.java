/**
 * Memory you can predict: {@link dev.rlhf4j.models.memory.MemoryEstimator} estimates the peak a
 * training step or a generation needs from the model's shapes (weights, gradients and optimiser
 * state of what trains, activations per micro-batch, the vocabulary projection, the KV cache),
 * {@link dev.rlhf4j.models.memory.AvailableMemory} says what the process may use (physical memory
 * and the cgroup limit), and {@link dev.rlhf4j.models.memory.InsufficientMemoryException} refuses
 * a configuration that would not fit before anything is allocated, with the figures and what to
 * change.
 */
package dev.rlhf4j.models.memory;
