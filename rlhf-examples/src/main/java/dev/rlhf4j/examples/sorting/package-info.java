/**
 * The second built-in task (issue 18): sorting a handful of digits, with its own tokenizer,
 * prompts, noisy demonstrations, gold reward and simulated labeller, written against rlhf4j's
 * public API only. The library is judged on it beside {@link dev.rlhf4j.examples.synthetic}'s
 * list task; {@code Quickstart --task sort} runs the whole workflow on it. Start at {@link
 * dev.rlhf4j.examples.sorting.SortingTask}.
 */
package dev.rlhf4j.examples.sorting;
