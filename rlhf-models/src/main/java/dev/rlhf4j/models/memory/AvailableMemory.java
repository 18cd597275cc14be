package dev.rlhf4j.models.memory;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * How much memory this process may still use, in bytes: what the trainers and the generator
 * compare a {@link MemoryEstimate} with. {@link #system()} reads the machine; {@link #fixed} and
 * {@link #fromFiles} exist so that tests can inject a figure.
 *
 * <p>Implementations must be thread-safe; {@link #bytes()} is read once per check.
 */
public interface AvailableMemory {

  /** The bytes available now. */
  long bytes();

  /** Where the figure comes from, for messages, e.g. {@code "MemAvailable in /proc/meminfo"}. */
  String source();

  /**
   * The smaller of {@code MemAvailable} in {@code /proc/meminfo} and the room left under this
   * process's cgroup limit (v2 {@code memory.max} minus {@code memory.current}, or v1 {@code
   * memory.limit_in_bytes} minus {@code memory.usage_in_bytes}) under {@code /sys/fs/cgroup}. An
   * unreadable file or an unlimited cgroup ({@code max}, or a v1 limit of 2^60 bytes or more) is
   * skipped; if nothing can be read (not Linux), {@link Runtime#maxMemory()} stands in.
   */
  static AvailableMemory system() {
    return fromFiles(Path.of("/proc/meminfo"), Path.of("/sys/fs/cgroup"));
  }

  /** Always {@code bytes}; for tests and for callers that know their budget. */
  static AvailableMemory fixed(long bytes) {
    checkArgument(bytes >= 0, "available bytes must be >= 0 but was %s", bytes);
    return new AvailableMemory() {
      @Override
      public long bytes() {
        return bytes;
      }

      @Override
      public String source() {
        return "a fixed budget of " + bytes + " bytes";
      }
    };
  }

  /**
   * {@link #system()} with {@code meminfo} in place of {@code /proc/meminfo} and {@code
   * cgroupRoot} in place of {@code /sys/fs/cgroup} (v2 files directly under it, v1 files under
   * {@code memory/}); the files are read on every {@link #bytes()} call.
   */
  static AvailableMemory fromFiles(Path meminfo, Path cgroupRoot) {
    checkArgument(meminfo != null, "meminfo must not be null");
    checkArgument(cgroupRoot != null, "cgroupRoot must not be null");
    return new AvailableMemory() {
      @Override
      public long bytes() {
        OptionalLong physical = MemoryFiles.memAvailable(meminfo);
        OptionalLong cgroup = MemoryFiles.cgroupRoom(cgroupRoot);
        if (physical.isEmpty() && cgroup.isEmpty()) {
          return Runtime.getRuntime().maxMemory();
        }
        return Math.min(physical.orElse(Long.MAX_VALUE), cgroup.orElse(Long.MAX_VALUE));
      }

      @Override
      public String source() {
        return "MemAvailable in " + meminfo + " and the cgroup limit under " + cgroupRoot;
      }
    };
  }
}

/** Parsing of the Linux memory files {@link AvailableMemory} reads. */
final class MemoryFiles {
  /** v1 reports "no limit" as a page-rounded 2^63 - 1; anything from 2^60 up is unlimited. */
  static final long V1_UNLIMITED = 1L << 60;

  private MemoryFiles() {}

  /** {@code MemAvailable} of a meminfo file in bytes, empty if the file or the line is missing. */
  static OptionalLong memAvailable(Path meminfo) {
    String text = read(meminfo);
    if (text == null) {
      return OptionalLong.empty();
    }
    for (String line : text.split("\n")) {
      if (line.startsWith("MemAvailable:")) {
        String[] parts = line.substring("MemAvailable:".length()).trim().split("\\s+");
        long value = parseLong(parts[0], meminfo);
        long unit = parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? 1024 : 1;
        return OptionalLong.of(value * unit);
      }
    }
    return OptionalLong.empty();
  }

  /** The room left under the cgroup limit in bytes; empty if unlimited or unreadable. */
  static OptionalLong cgroupRoom(Path root) {
    String max = read(root.resolve("memory.max"));
    if (max != null) {
      if (max.equals("max")) {
        return OptionalLong.empty();
      }
      long limit = parseLong(max, root.resolve("memory.max"));
      return OptionalLong.of(room(limit, root.resolve("memory.current")));
    }
    Path v1 = root.resolve("memory");
    String limitText = read(v1.resolve("memory.limit_in_bytes"));
    if (limitText == null) {
      return OptionalLong.empty();
    }
    long limit = parseLong(limitText, v1.resolve("memory.limit_in_bytes"));
    if (limit >= V1_UNLIMITED) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(room(limit, v1.resolve("memory.usage_in_bytes")));
  }

  private static long room(long limit, Path usageFile) {
    String usage = read(usageFile);
    long used = usage == null ? 0 : parseLong(usage, usageFile);
    return Math.max(0, limit - used);
  }

  private static long parseLong(String text, Path file) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          file + " must hold a whole number of bytes but held '" + text.trim() + "'", e);
    }
  }

  /** The trimmed content, or null if the file does not exist or cannot be read. */
  private static String read(Path file) {
    if (!Files.isReadable(file)) {
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return null;
    } catch (UncheckedIOException e) {
      return null;
    }
  }
}
