package dev.rlhf4j.spark.internal;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gives each task thread the executor's PyTorch intra-op thread count. DJL applies {@code
 * -Dai.djl.pytorch.num_threads} when the engine starts, which sets it for the thread that starts
 * it; OpenMP gives every other thread (Spark's task threads) one thread per core, so concurrent
 * tasks oversubscribe the cores. Each task applies the property to its own thread first.
 */
public final class TaskThreads {
  private TaskThreads() {}

  /** Applies {@code ai.djl.pytorch.num_threads}, if set, to the calling thread. */
  public static void apply() {
    Integer threads = Integer.getInteger("ai.djl.pytorch.num_threads");
    if (threads == null || threads < 1) {
      return;
    }
    if ("PyTorch".equals(Engine.getInstance().getEngineName())
        && JniUtils.getNumThreads() != threads) {
      JniUtils.setNumThreads(threads);
    }
  }
}
