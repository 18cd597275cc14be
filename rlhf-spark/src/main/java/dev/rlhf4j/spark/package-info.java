/**
 * rlhf4j on Apache Spark: the sampling and annotation stages of the online iterative loop on
 * Spark executors, training on the driver (DJL has no multi-node training).
 *
 * <ul>
 *   <li>{@link dev.rlhf4j.spark.SparkPolicyBackend} wraps any {@link
 *       dev.rlhf4j.iterative.PolicyBackend}: its samplers run on executors, {@code train} stays
 *       with the wrapped backend;
 *   <li>{@link dev.rlhf4j.spark.SparkRewardModel} and {@link dev.rlhf4j.spark.SparkPreferenceModel}
 *       score on executors from a serialisable {@link dev.rlhf4j.spark.ScoringModelSpec}, so any
 *       strategy's {@code ctx.annotate(...)} scales out unchanged;
 *   <li>{@link dev.rlhf4j.spark.ModelStore} moves model directories to and from Hadoop file
 *       systems, fingerprinted;
 *   <li>{@link dev.rlhf4j.spark.SparkJobs} and {@link dev.rlhf4j.spark.SparkJobsMain}: stand-alone
 *       generate and annotate jobs over the hand-off JSONL files.
 * </ul>
 */
package dev.rlhf4j.spark;
