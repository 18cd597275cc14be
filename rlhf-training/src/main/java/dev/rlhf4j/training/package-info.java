/**
 * Training: the one {@link dev.rlhf4j.training.TrainingLoop} every trainer uses and its {@link
 * dev.rlhf4j.training.Optimization} settings; the optimiser itself is in {@code
 * dev.rlhf4j.training.optim}.
 */
package dev.rlhf4j.training;
