/**
 * Online iterative DPO for your own models: {@link
 * dev.rlhf4j.examples.hf.HfPolicyOnnxRewardExample} takes a Hugging Face causal-LM directory as
 * the SFT policy and an ONNX sequence-classification model as the reward, and documents how to
 * export both from Python.
 */
package dev.rlhf4j.examples.hf;
