/**
 * Tokenizers and chat templates of Hugging Face model directories.
 *
 * <p>{@link dev.rlhf4j.models.tokenizer.HfTokenizer} wraps a fast tokenizer ({@code
 * tokenizer.json}) with the model's special tokens and stop ids, and renders the model's own
 * {@link dev.rlhf4j.models.tokenizer.ChatTemplate} (Jinja, as transformers does), with {@link
 * dev.rlhf4j.models.tokenizer.ChatFormat} fallbacks for directories without one. {@link
 * dev.rlhf4j.models.tokenizer.HfTokenizer#encodePromptResponse} gives the prompt/response
 * boundary that SFT, DPO and reward scoring mask on ({@link
 * dev.rlhf4j.models.tokenizer.PromptResponseIds}). {@link
 * dev.rlhf4j.models.tokenizer.HfTokenizerWriter} writes a small tokenizer directory (words or
 * characters from an explicit vocabulary) for synthetic tasks, examples and tests.
 */
package dev.rlhf4j.models.tokenizer;
