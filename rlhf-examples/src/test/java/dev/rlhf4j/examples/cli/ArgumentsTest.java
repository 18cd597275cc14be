package dev.rlhf4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArgumentsTest {
  private static final Set<String> KNOWN = Set.of("--n", "--lr", "--seed", "--out", "--in");

  @TempDir Path tmp;

  @Test
  void getters_readGivenValuesAndFallBackOtherwise() {
    Arguments a = Arguments.parse(
        new String[] {"--n", "3", "--lr", "2e-3", "--seed", "-7", "--in", tmp.toString()}, KNOWN);
    assertThat(a.intAtLeast("--n", 8, 2)).isEqualTo(3);
    assertThat(a.doubleAbove("--lr", 1, 0)).isEqualTo(2e-3);
    assertThat(a.longValue("--seed", 0)).isEqualTo(-7);
    assertThat(a.existingDirectory("--in")).isEqualTo(tmp);
    assertThat(a.path("--out", Path.of("d"))).isEqualTo(Path.of("d"));
    assertThat(a.value("--out")).isEmpty();
    assertThat(Arguments.parse(new String[0], KNOWN).intAtLeast("--n", 8, 2)).isEqualTo(8);
  }

  @Test
  void parse_rejectsUnknownRepeatedValuelessAndPositionalArguments() {
    assertThatThrownBy(() -> Arguments.parse(new String[] {"--m", "1"}, KNOWN))
        .hasMessage("unknown option --m");
    assertThatThrownBy(() -> Arguments.parse(new String[] {"--n", "1", "--n", "2"}, KNOWN))
        .hasMessage("--n is given twice");
    assertThatThrownBy(() -> Arguments.parse(new String[] {"--n", "--lr", "1"}, KNOWN))
        .hasMessage("--n needs a value");
    assertThatThrownBy(() -> Arguments.parse(new String[] {"--n"}, KNOWN))
        .hasMessage("--n needs a value");
    assertThatThrownBy(() -> Arguments.parse(new String[] {"file.txt"}, KNOWN))
        .hasMessage("expected an option (--name value) but got 'file.txt'");
  }

  @Test
  void getters_nameTheOptionTheValueAndTheRange() {
    Arguments a = Arguments.parse(
        new String[] {"--n", "x", "--lr", "-1", "--seed", "1.5",
            "--in", tmp.resolve("missing").toString()}, KNOWN);
    assertThatThrownBy(() -> a.intAtLeast("--n", 1, 2))
        .hasMessage("--n must be an integer >= 2 but was 'x'");
    assertThatThrownBy(() -> a.doubleAbove("--lr", 1, 0))
        .hasMessage("--lr must be a number > 0.0 but was '-1'");
    assertThatThrownBy(() -> a.longValue("--seed", 0))
        .hasMessage("--seed must be an integer but was '1.5'");
    assertThatThrownBy(() -> a.existingFile("--in"))
        .hasMessageStartingWith("--in must name an existing file but ")
        .hasMessageEndingWith("missing is not one");
    assertThatThrownBy(() -> a.required("--out")).hasMessage("--out is required");
  }
}
