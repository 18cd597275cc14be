/**
 * Training a Bradley–Terry reward model from a preference JSONL file: {@link
 * dev.rlhf4j.examples.reward.TrainRewardModelExample} reads train and held-out pairs, initialises
 * the reward model from a Hugging Face causal LM, trains, saves, and reports held-out pair
 * accuracy and length bias.
 */
package dev.rlhf4j.examples.reward;
