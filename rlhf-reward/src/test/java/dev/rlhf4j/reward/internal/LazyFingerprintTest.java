package dev.rlhf4j.reward.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.io.Fingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LazyFingerprintTest {

  private static Fingerprint files() {
    return new Fingerprint(new TreeMap<>(Map.of("model.safetensors", "sha256:ab")));
  }

  /** Hashes nothing: counts its calls and returns {@link #files()}. */
  private static Supplier<Fingerprint> counting(AtomicInteger calls) {
    return () -> {
      calls.incrementAndGet();
      return files();
    };
  }

  @Test
  void hashesTheFilesOnceAndAppendsTheSettingsOfEachCall() {
    AtomicInteger calls = new AtomicInteger();
    LazyFingerprint lazy = new LazyFingerprint(counting(calls));
    assertThat(calls).hasValue(0); // nothing is hashed before first use

    Fingerprint first = lazy.withSettings("maxLength", "512", "truncation", "LEFT");
    Fingerprint second = lazy.withSettings("maxLength", "256");

    assertThat(calls).hasValue(1);
    assertThat(first.parts())
        .containsExactly(
            Map.entry("model.safetensors", "sha256:ab"),
            Map.entry("setting:maxLength", "512"),
            Map.entry("setting:truncation", "LEFT"));
    assertThat(second.parts())
        .containsExactly(
            Map.entry("model.safetensors", "sha256:ab"), Map.entry("setting:maxLength", "256"));
    assertThat(lazy.withSettings().parts()).isEqualTo(files().parts());
  }

  @Test
  void concurrentFirstCallsHashTheFilesOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    LazyFingerprint lazy = new LazyFingerprint(counting(calls));
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Fingerprint>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return lazy.withSettings("maxBatchSize", "4");
                }));
      }
      start.countDown();
      for (Future<Fingerprint> r : results) {
        assertThat(r.get(30, TimeUnit.SECONDS).parts()).containsEntry("setting:maxBatchSize", "4");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(calls).hasValue(1);
  }

  @Test
  void aFailedHashIsNotKeptAndIsRetriedOnTheNextCall() {
    AtomicInteger calls = new AtomicInteger();
    LazyFingerprint lazy =
        new LazyFingerprint(
            () -> {
              if (calls.incrementAndGet() == 1) {
                throw new Rlhf4jException("cannot read model.safetensors");
              }
              return files();
            });
    assertThatThrownBy(lazy::withSettings)
        .isInstanceOf(Rlhf4jException.class)
        .hasMessage("cannot read model.safetensors");
    assertThat(lazy.withSettings().parts()).isEqualTo(files().parts());
    assertThat(calls).hasValue(2);
  }

  @Test
  void rejectsANullSupplierAndAnOddNumberOfSettingStrings() {
    assertThatThrownBy(() -> new LazyFingerprint(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("files must not be null");
    LazyFingerprint lazy = new LazyFingerprint(LazyFingerprintTest::files);
    assertThatThrownBy(() -> lazy.withSettings("maxLength"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("namesAndValues must alternate names and values but has 1 entries");
  }
}
