package dev.rlhf4j.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.benchmarks.harness.MacroBenchmark;
import dev.rlhf4j.benchmarks.harness.ReportKeys;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Command-line handling of the harness; nothing here runs a benchmark. */
class BenchHarnessTest {

  @Test
  void paperWithOnly_isAUsageError() throws IOException {
    assertThat(BenchHarness.run(new String[] {"--paper", "--only", "loop"})).isEqualTo(2);
  }

  @Test
  void paperOptionsWithoutPaperOrMalformed_areUsageErrors() throws IOException {
    assertThat(BenchHarness.run(new String[] {"--tasks", "sort"})).isEqualTo(2);
    assertThat(BenchHarness.run(new String[] {"--seeds", "42-46"})).isEqualTo(2);
    assertThat(BenchHarness.run(new String[] {"--paper", "--seeds", "46-42"})).isEqualTo(2);
    assertThat(BenchHarness.run(new String[] {"--paper", "--tasks", "chess"})).isEqualTo(2);
    assertThat(BenchHarness.run(new String[] {"--paper", "--tasks"})).isEqualTo(2);
  }

  @Test
  void unknownSectionOrArgument_isAUsageError() throws IOException {
    assertThat(BenchHarness.run(new String[] {"--only", "tokenizer"})).isEqualTo(2);
    assertThat(BenchHarness.run(new String[] {"--fast"})).isEqualTo(2);
    assertThat(BenchHarness.run(new String[] {"--out"})).isEqualTo(2);
  }

  @Test
  void sections_coverTheFirstSegmentOfEveryRequiredKey() {
    List<String> names = BenchHarness.sections().stream().map(MacroBenchmark::name).toList();

    assertThat(names)
        .containsExactly("matmul", "memory", "reward", "generation", "dpo", "loop", "spark");
    for (String key : ReportKeys.REQUIRED) {
      String prefix = key.contains(".") ? key.substring(0, key.indexOf('.')) : "matmul";
      assertThat(names).as("section for %s", key).contains(prefix);
    }
  }
}
