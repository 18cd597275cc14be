/**
 * Writing your own exploration strategy: {@link
 * dev.rlhf4j.examples.custom.MarginGatedBestVsWorst} implements {@link
 * dev.rlhf4j.api.exploration.ExplorationStrategy} from scratch (sample n, score, keep best vs worst
 * only above a reward margin) and {@link dev.rlhf4j.examples.custom.CustomExplorationExample} runs
 * it in online iterative DPO on the synthetic task.
 */
package dev.rlhf4j.examples.custom;
