package dev.rlhf4j.spark.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models an executor JVM holds, loaded once and shared by every task of the JVM, keyed by
 * location, content fingerprint and settings. Entries belong to a group ({@code "policy"},
 * {@code "scorer"}); a task that names the group's live keys evicts the others, and an evicted
 * entry is closed as soon as no running task uses it. Thread-safe: tasks of one executor run
 * concurrently; loading happens under the cache's lock, so concurrent tasks load a model once.
 */
public final class ExecutorCache {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorCache.class);
  private static final Map<String, Entry> ENTRIES = new HashMap<>();

  private ExecutorCache() {}

  /** A model in use by one task; closing it hands it back (idempotent). */
  public static final class Lease<T extends AutoCloseable> implements AutoCloseable {
    private final Entry entry;
    private boolean released;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    /** The model. */
    @SuppressWarnings("unchecked")
    public T get() {
      return (T) entry.value;
    }

    @Override
    public void close() {
      synchronized (ExecutorCache.class) {
        if (released) {
          return;
        }
        released = true;
        entry.users--;
        if (entry.evicted && entry.users == 0) {
          closeQuietly(entry);
        }
      }
    }
  }

  private static final class Entry {
    final String key;
    final String group;
    final AutoCloseable value;
    int users;
    boolean evicted;

    Entry(String key, String group, AutoCloseable value) {
      this.key = key;
      this.group = group;
      this.value = value;
    }
  }

  /**
   * The model of {@code key}, loaded with {@code loader} if this JVM holds none. When {@code
   * live} is not null, first evicts the group's entries whose key it does not hold (the driver
   * has moved on from them).
   */
  public static synchronized <T extends AutoCloseable> Lease<T> acquire(
      String group, String key, Set<String> live, Supplier<T> loader) {
    if (live != null) {
      evict(group, live);
    }
    Entry e = ENTRIES.get(key);
    if (e == null) {
      LOG.info("loading {} {}", group, key);
      e = new Entry(key, group, loader.get());
      ENTRIES.put(key, e);
    }
    e.users++;
    return new Lease<>(e);
  }

  /** Evicts the entries of {@code group} whose key {@code live} does not hold. */
  public static synchronized void evict(String group, Set<String> live) {
    for (Iterator<Entry> it = ENTRIES.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.group.equals(group) && !live.contains(e.key)) {
        it.remove();
        e.evicted = true;
        if (e.users == 0) {
          closeQuietly(e);
        }
      }
    }
  }

  /** The keys this JVM holds, for tests and logs. */
  public static synchronized Set<String> keys() {
    return Set.copyOf(ENTRIES.keySet());
  }

  private static void closeQuietly(Entry e) {
    LOG.info("releasing {} {}", e.group, e.key);
    try {
      e.value.close();
    } catch (Exception ex) {
      LOG.warn("closing {} failed", e.key, ex);
    }
  }
}
