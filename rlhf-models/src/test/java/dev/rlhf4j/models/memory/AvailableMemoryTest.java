package dev.rlhf4j.models.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing of /proc/meminfo and cgroup v1/v2 files from fixtures. */
class AvailableMemoryTest {
  private static final String MEMINFO =
      "MemTotal:       131072000 kB\n"
          + "MemFree:         2000000 kB\n"
          + "MemAvailable:   22020096 kB\n"
          + "Buffers:          100000 kB\n";

  @TempDir Path dir;

  @Test
  void memAvailableAloneWhenNoCgroupLimit() throws IOException {
    Path meminfo = write("meminfo", MEMINFO);
    Path cgroup = Files.createDirectories(dir.resolve("cg"));
    Files.writeString(cgroup.resolve("memory.max"), "max\n");
    assertThat(AvailableMemory.fromFiles(meminfo, cgroup).bytes()).isEqualTo(22020096L * 1024);
  }

  @Test
  void cgroupV2RoomWhenSmaller() throws IOException {
    Path meminfo = write("meminfo", MEMINFO);
    Path cgroup = Files.createDirectories(dir.resolve("cg"));
    Files.writeString(cgroup.resolve("memory.max"), "8589934592\n");
    Files.writeString(cgroup.resolve("memory.current"), "1073741824\n");
    assertThat(AvailableMemory.fromFiles(meminfo, cgroup).bytes()).isEqualTo(7L << 30);
  }

  @Test
  void cgroupV1LimitAndUnlimitedSentinel() throws IOException {
    Path meminfo = write("meminfo", MEMINFO);
    Path cgroup = Files.createDirectories(dir.resolve("cg"));
    Path v1 = Files.createDirectories(cgroup.resolve("memory"));
    Files.writeString(v1.resolve("memory.limit_in_bytes"), "4294967296\n");
    Files.writeString(v1.resolve("memory.usage_in_bytes"), "1073741824\n");
    assertThat(AvailableMemory.fromFiles(meminfo, cgroup).bytes()).isEqualTo(3L << 30);
    Files.writeString(v1.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
    assertThat(AvailableMemory.fromFiles(meminfo, cgroup).bytes()).isEqualTo(22020096L * 1024);
  }

  @Test
  void cgroupBelowMemAvailableWithoutUsageFile() throws IOException {
    Path meminfo = write("meminfo", MEMINFO);
    Path cgroup = Files.createDirectories(dir.resolve("cg"));
    Files.writeString(cgroup.resolve("memory.max"), "1048576");
    assertThat(AvailableMemory.fromFiles(meminfo, cgroup).bytes()).isEqualTo(1048576L);
  }

  @Test
  void nothingReadableFallsBackToTheJvmMaximum() {
    assertThat(AvailableMemory.fromFiles(dir.resolve("none"), dir.resolve("nocg")).bytes())
        .isEqualTo(Runtime.getRuntime().maxMemory());
  }

  @Test
  void malformedFileIsNamed() throws IOException {
    Path meminfo = write("meminfo", MEMINFO);
    Path cgroup = Files.createDirectories(dir.resolve("cg"));
    Files.writeString(cgroup.resolve("memory.max"), "lots");
    assertThatThrownBy(() -> AvailableMemory.fromFiles(meminfo, cgroup).bytes())
        .hasMessageContaining("memory.max must hold a whole number of bytes but held 'lots'");
  }

  @Test
  void systemReadsSomethingPositiveAndFixedIsFixed() {
    assertThat(AvailableMemory.system().bytes()).isPositive();
    assertThat(AvailableMemory.fixed(123).bytes()).isEqualTo(123);
    assertThatThrownBy(() -> AvailableMemory.fixed(-1))
        .hasMessage("available bytes must be >= 0 but was -1");
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
