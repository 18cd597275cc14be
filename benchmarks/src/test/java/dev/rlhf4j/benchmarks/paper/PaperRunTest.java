package dev.rlhf4j.benchmarks.paper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.examples.quickstart.QuickstartOptions.Task;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tasks} and {@code --seeds}, and a smoke-size run of both tasks that aggregates. */
class PaperRunTest {

  @Test
  void parseSeeds_listsAndRanges() {
    assertThat(PaperRun.parseSeeds("42-46")).containsExactly(42L, 43L, 44L, 45L, 46L);
    assertThat(PaperRun.parseSeeds("42,43,44")).containsExactly(42L, 43L, 44L);
    assertThat(PaperRun.parseSeeds("7, 1-2")).containsExactly(7L, 1L, 2L);
    assertThat(PaperRun.parseSeeds("-3")).containsExactly(-3L);
  }

  @Test
  void parseSeeds_rejectsMalformedEmptyAndRepeated() {
    assertThatThrownBy(() -> PaperRun.parseSeeds("42-x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'42-x'");
    assertThatThrownBy(() -> PaperRun.parseSeeds("46-42"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is empty");
    assertThatThrownBy(() -> PaperRun.parseSeeds("42,42"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> PaperRun.parseSeeds(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseTasks_bothOrOne() {
    assertThat(PaperRun.parseTasks("list,sort")).containsExactly(Task.LIST, Task.SORT);
    assertThat(PaperRun.parseTasks("sort")).containsExactly(Task.SORT);
    assertThatThrownBy(() -> PaperRun.parseTasks("list,chess"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'chess'");
    assertThatThrownBy(() -> PaperRun.parseTasks("sort,sort"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
  }

  @Test
  void defaults_areBothTasksAndSeeds42To44() {
    assertThat(PaperRun.TASKS).containsExactly(Task.LIST, Task.SORT);
    assertThat(PaperRun.SEEDS).containsExactly(42L, 43L, 44L);
  }

  /** One seed per task keeps it near two minutes; aggregation over seeds is PaperSummaryTest's. */
  @Test
  void smokeRun_bothTasksRunAndAggregate(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    List<PaperSummary> summaries =
        PaperRun.run(dir, List.of(Task.LIST, Task.SORT), List.of(5L), PaperRun.Size.SMOKE,
            new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(summaries).extracting(PaperSummary::task).containsExactly("list", "sort");
    for (PaperSummary s : summaries) {
      assertThat(s.seeds()).containsExactly(5L);
      assertThat(s.rows()).extracting(PaperSummary.RowSummary::name)
          .contains("sft", "offline-dpo", "iterative-dpo-3");
      assertThat(s.orderings()).hasSize(2)
          .allSatisfy(o -> assertThat(o.holds()).hasSize(1));
      assertThat(dir.resolve(s.task()).resolve("seed-5").resolve("report.json")).exists();
    }
    JsonNode json = new ObjectMapper().readTree(dir.resolve("paper.json").toFile());
    assertThat(json.path("tasks").fieldNames()).toIterable().containsExactly("list", "sort");
    assertThat(Files.readString(dir.resolve("paper.md")))
        .contains("## Task list").contains("## Task sort").contains("of 1 |");
    assertThat(dir.resolve("paper.png")).exists();
  }
}
