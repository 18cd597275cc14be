/**
 * rlhf4j's reward models (paper §2.2, "Bradley–Terry model construction"): a scalar score {@code
 * r(x, a)} read at the last token of the conversation, trained by maximum likelihood of the
 * Bradley–Terry model {@code P(a⁺ ≻ a⁻ | x) = σ(r(x, a⁺) − r(x, a⁻))}.
 *
 * <p>{@link dev.rlhf4j.reward.RewardModels} is the entry point, one factory per backend; {@link
 * dev.rlhf4j.reward.DjlRewardModel} is the DJL backend. Training lives in {@code
 * dev.rlhf4j.reward.train}, the pairwise preference model in {@code
 * dev.rlhf4j.reward.preference} (with its factory {@link dev.rlhf4j.reward.PreferenceModels}),
 * evaluation in {@code dev.rlhf4j.reward.eval}.
 *
 * <p><b>One ownership rule for every scoring model</b> ({@link DjlRewardModel}, {@link
 * dev.rlhf4j.reward.onnx.OnnxRewardModel}, {@link dev.rlhf4j.reward.preference.LmPreferenceModel}):
 * a model owns what it opens or creates (the weights, session or tokenizer it loads from a
 * directory, the classifier it copies from an LM) and closes it in {@code close()}; it borrows
 * what it is given (a tokenizer, an LM or a classifier passed to a factory) and never closes
 * that: the caller closes it after the model.
 */
package dev.rlhf4j.reward;
