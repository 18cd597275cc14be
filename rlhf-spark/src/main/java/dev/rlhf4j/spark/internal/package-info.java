/**
 * Implementation details of rlhf-spark: the wire form of records sent to executors, the per-JVM
 * model cache of executors, block boundaries and Hadoop configuration shipping. Not an API.
 */
package dev.rlhf4j.spark.internal;
