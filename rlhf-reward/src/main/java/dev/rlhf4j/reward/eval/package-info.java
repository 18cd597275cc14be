/**
 * Evaluation and analysis of a preference signal (paper §2.3): how often a {@link
 * dev.rlhf4j.api.feedback.RewardModel} or {@link dev.rlhf4j.api.feedback.PreferenceModel} agrees
 * with labelled pairs ({@link dev.rlhf4j.reward.eval.PairAccuracy}, {@link
 * dev.rlhf4j.reward.eval.RewardBench}), how strongly its rewards follow response length ({@link
 * dev.rlhf4j.reward.eval.LengthBias}, paper Fig. 5), and a length-penalised view of any reward
 * model ({@link dev.rlhf4j.reward.eval.LengthPenalizedRewardModel}, paper eq. 8), and win rates
 * of one policy against another under any judge, raw and length-controlled ({@link
 * dev.rlhf4j.reward.eval.LengthControlledWinRate}, Dubois et al. 2024).
 *
 * <p>Nothing here holds native memory: the evaluators call the model they are given and never
 * close it. Evaluators and result records are immutable and safe to share between threads.
 */
package dev.rlhf4j.reward.eval;
