package dev.rlhf4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.spark.internal.ExecutorCache;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The executors' model cache: loads once, evicts what the driver left, never closes in use. */
class ExecutorCacheTest {
  private static final class Model implements AutoCloseable {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  @Test
  void acquire_loadsOncePerKey_andEvictionWaitsForTheLastUser() {
    String group = "test:" + UUID.randomUUID();
    AtomicInteger loads = new AtomicInteger();
    Model a = new Model();
    ExecutorCache.Lease<Model> first =
        ExecutorCache.acquire(group, group + "a", Set.of(group + "a"), () -> {
          loads.incrementAndGet();
          return a;
        });
    try (ExecutorCache.Lease<Model> second =
        ExecutorCache.acquire(group, group + "a", Set.of(group + "a"), () -> {
          loads.incrementAndGet();
          return new Model();
        })) {
      assertThat(second.get()).isSameAs(a);
    }
    assertThat(loads).hasValue(1);

    // the driver moved on to b while a task still uses a: a closes when that task is done
    try (ExecutorCache.Lease<Model> b =
        ExecutorCache.acquire(group, group + "b", Set.of(group + "b"), Model::new)) {
      assertThat(ExecutorCache.keys()).contains(group + "b").doesNotContain(group + "a");
      assertThat(a.closes).hasValue(0);
      first.close();
      first.close();
      assertThat(a.closes).hasValue(1);
      ExecutorCache.evict(group, Set.of());
      assertThat(b.get().closes).hasValue(0);
    }
    assertThat(ExecutorCache.keys()).noneMatch(k -> k.startsWith(group));
  }

  @Test
  void evict_leavesOtherGroupsAlone() {
    String g1 = "test:" + UUID.randomUUID();
    String g2 = "test:" + UUID.randomUUID();
    Model m1 = new Model();
    ExecutorCache.acquire(g1, g1 + "m", null, () -> m1).close();
    ExecutorCache.acquire(g2, g2 + "m", null, Model::new).close();
    ExecutorCache.evict(g2, Set.of());
    assertThat(ExecutorCache.keys()).contains(g1 + "m").doesNotContain(g2 + "m");
    assertThat(m1.closes).hasValue(0);
    ExecutorCache.evict(g1, Set.of());
    assertThat(m1.closes).hasValue(1);
  }
}
