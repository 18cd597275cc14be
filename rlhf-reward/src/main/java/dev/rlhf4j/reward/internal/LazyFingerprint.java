package dev.rlhf4j.reward.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.io.Fingerprint;
import java.util.function.Supplier;

/**
 * The fingerprint of a scoring model loaded from files: the files' content, hashed once on first
 * use (hashing a large checkpoint takes seconds) and kept, followed by the settings that change
 * the model's outputs, which are cheap and read on every call. Thread-safe.
 */
public final class LazyFingerprint {
  private final Supplier<Fingerprint> files;
  private Fingerprint content; // guarded by this; computed on first use

  /**
   * @param files computes the fingerprint of the model's files; called on first use and its
   *     result kept (called again on the next use only if it threw)
   * @throws IllegalArgumentException if files is null
   */
  public LazyFingerprint(Supplier<Fingerprint> files) {
    checkArgument(files != null, "files must not be null");
    this.files = files;
  }

  /**
   * The files' fingerprint followed by one {@code setting:<name>} entry per setting, in the order
   * given.
   *
   * @param namesAndValues alternating setting names and values
   * @throws IllegalArgumentException if namesAndValues has an odd length
   * @throws dev.rlhf4j.api.Rlhf4jException if a file cannot be read
   */
  public Fingerprint withSettings(String... namesAndValues) {
    checkArgument(
        namesAndValues.length % 2 == 0,
        "namesAndValues must alternate names and values but has %s entries",
        namesAndValues.length);
    Fingerprint f;
    synchronized (this) {
      if (content == null) {
        content = files.get();
      }
      f = content;
    }
    for (int i = 0; i < namesAndValues.length; i += 2) {
      f = f.with("setting:" + namesAndValues[i], namesAndValues[i + 1]);
    }
    return f;
  }
}
