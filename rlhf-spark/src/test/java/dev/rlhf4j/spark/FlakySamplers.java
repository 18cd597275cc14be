package dev.rlhf4j.spark;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.PolicySampler;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;

/**
 * The DJL generator, except that the first attempt of every task of partition 1 fails halfway, as
 * an executor lost mid-partition would: it samples, then throws instead of returning.
 */
record FlakySamplers(int rows) implements SamplerFactory {
  private static final long serialVersionUID = 1L;
  /** Failures injected in this JVM (local mode: the tests' JVM). */
  static final AtomicInteger FAILURES = new AtomicInteger();

  @Override
  public PolicySampler open(Path checkpoint) {
    PolicySampler real = SamplerFactory.generator(rows).open(checkpoint);
    return new PolicySampler() {
      @Override
      public List<GeneratedSample> sample(List<Prompt> prompts, int n, SamplingParams params) {
        List<GeneratedSample> out = real.sample(prompts, n, params);
        TaskContext task = TaskContext.get();
        if (task != null && task.partitionId() == 1 && task.attemptNumber() == 0) {
          FAILURES.incrementAndGet();
          throw new IllegalStateException("injected failure of the first attempt of task "
              + task.taskAttemptId());
        }
        return out;
      }

      @Override
      public void close() {
        real.close();
      }
    };
  }

  @Override
  public int batchRows() {
    return rows;
  }
}
