package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.rlhf4j.api.Rlhf4jException;

/**
 * How many CPU threads the engine uses for one operation (PyTorch's intra-op threads): the one
 * setting that decides CPU throughput, process-wide.
 *
 * <p><b>Policy.</b> PyTorch starts with one intra-op thread per core. rlhf4j leaves that as it
 * is unless told: call {@link #setIntraOpThreads} (or start the JVM with {@code
 * -Dai.djl.pytorch.num_threads=N}) before the work that should use it. Measured on a 2-core
 * machine (README, "Performance"): at real model shapes (SmolLM2-135M, Qwen2.5-0.5B) the large
 * matrix products of prefill, DPO and reward scoring scale with threads when the cores are idle,
 * while on a machine whose cores other processes hold, every thread beyond the free cores waits
 * at each operation's barrier and a run gets several times slower; token-by-token decoding of a
 * small model is made of small operations and gains least. So: on a shared or busy machine use
 * {@link #recommended(int)} with the cores you may take (1 when you don't know), on a machine of
 * your own the default.
 *
 * <p>Small operations do not fan out: PyTorch splits an element-wise or reduction operation over
 * threads only above 32,768 elements (its grain size), so the per-token work of decoding (norms,
 * rotary tables, bias adds of one row) runs on the calling thread whatever this setting is.
 * Worker threads that finished a parallel region spin briefly before sleeping (GNU OpenMP's
 * {@code OMP_WAIT_POLICY}/{@code GOMP_SPINCOUNT}); on a machine shared with other processes, start
 * the JVM with {@code OMP_WAIT_POLICY=PASSIVE} in the environment to make them sleep at once (it
 * must be set before the engine loads, so it cannot be set from here).
 *
 * <p>Thread-safety: the setting is process-wide and applies to operations started after the
 * call; change it between workloads, not while another thread runs one.
 */
public final class ComputeThreads {
  private ComputeThreads() {}

  /**
   * Sets the number of threads one engine operation may use, process-wide.
   *
   * @param threads at least 1; at most 4 × the available processors
   * @throws IllegalArgumentException if {@code threads} is out of that range
   * @throws Rlhf4jException if the engine is not PyTorch or refuses the setting
   */
  public static void setIntraOpThreads(int threads) {
    int cores = Runtime.getRuntime().availableProcessors();
    checkArgument(
        threads >= 1 && threads <= 4 * cores,
        "threads must be in [1, %s] (4 x the %s available processors) but was %s",
        4 * cores,
        cores,
        threads);
    checkPyTorch();
    try {
      JniUtils.setNumThreads(threads);
    } catch (RuntimeException e) {
      throw new Rlhf4jException("the engine refused " + threads + " intra-op threads", e);
    }
  }

  /**
   * The number of threads one engine operation uses now.
   *
   * @throws Rlhf4jException if the engine is not PyTorch
   */
  public static int intraOpThreads() {
    checkPyTorch();
    return JniUtils.getNumThreads();
  }

  /**
   * The number of threads that run independent operations concurrently (PyTorch's inter-op pool;
   * rlhf4j's forward and backward passes do not use it). It can only be set before the engine
   * loads: {@code -Dai.djl.pytorch.num_interop_threads=N}.
   *
   * @throws Rlhf4jException if the engine is not PyTorch
   */
  public static int interOpThreads() {
    checkPyTorch();
    return JniUtils.getNumInteropThreads();
  }

  /**
   * The intra-op threads to use when {@code freeCores} cores are free for this process: that
   * many, at least 1 and at most the available processors. Pass 1 on a machine shared with
   * other busy processes whose load you do not know.
   *
   * @throws IllegalArgumentException if {@code freeCores < 1}
   */
  public static int recommended(int freeCores) {
    checkArgument(freeCores >= 1, "freeCores must be >= 1 but was %s", freeCores);
    return Math.min(freeCores, Runtime.getRuntime().availableProcessors());
  }

  private static void checkPyTorch() {
    String engine = Engine.getInstance().getEngineName();
    if (!"PyTorch".equals(engine)) {
      throw new Rlhf4jException(
          "thread settings need the PyTorch engine but the default engine is " + engine);
    }
  }
}
