package dev.rlhf4j.benchmarks.paper;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.examples.quickstart.Quickstart;
import dev.rlhf4j.examples.quickstart.QuickstartOptions;
import dev.rlhf4j.examples.quickstart.QuickstartOptions.Task;
import dev.rlhf4j.examples.quickstart.QuickstartReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs the quickstart pipeline in this JVM once per task and seed (each into {@code
 * dir/<task>/seed-N}, which holds that run's own {@code report.json}), then writes the aggregate
 * per task ({@link PaperFiles}) into {@code dir}. Not thread-safe: one run at a time per process.
 */
public final class PaperRun {
  /** The seeds {@code bin/bench --paper} runs by default. */
  public static final List<Long> SEEDS = List.of(42L, 43L, 44L);

  /** The tasks {@code bin/bench --paper} runs by default: both built-in tasks. */
  public static final List<Task> TASKS = List.of(Task.LIST, Task.SORT);

  /** The quickstart sizes a paper run uses. */
  public enum Size {
    /** The quickstart's default sizes. */
    FULL,
    /** Its {@code --fast} sizes ({@code bin/bench --paper --quick}). */
    FAST,
    /** Its {@code --smoke} sizes: only that every stage runs and aggregates (tests). */
    SMOKE
  }

  private PaperRun() {}

  /**
   * Runs every task for every seed and writes {@code paper.json}, {@code paper.md} and {@code
   * paper.png}.
   *
   * @param dir the output directory
   * @param tasks the tasks, at least one, each once
   * @param seeds the seeds, at least one
   * @param size the quickstart sizes
   * @param out where progress goes
   * @return one aggregate per task, in task order
   * @throws IllegalArgumentException if an argument is null, tasks or seeds is empty, or tasks
   *     repeats a task
   * @throws IOException if a file cannot be written
   * @throws dev.rlhf4j.api.Rlhf4jException if a run fails
   */
  public static List<PaperSummary> run(
      Path dir, List<Task> tasks, List<Long> seeds, Size size, PrintStream out)
      throws IOException {
    checkArgument(dir != null && out != null && size != null, "dir, size and out must not be null");
    checkArgument(tasks != null && !tasks.isEmpty(), "tasks must not be null or empty");
    checkArgument(Set.copyOf(tasks).size() == tasks.size(), "tasks repeat a task: %s", tasks);
    checkArgument(seeds != null && !seeds.isEmpty(), "seeds must not be null or empty");
    List<PaperSummary> summaries = new ArrayList<>();
    for (Task task : tasks) {
      String name = task.name().toLowerCase(Locale.ROOT);
      List<QuickstartReport> reports = new ArrayList<>();
      for (long seed : seeds) {
        out.printf(Locale.ROOT, "[paper] task %s, seed %d (%s)%n", name, seed,
            size.name().toLowerCase(Locale.ROOT));
        QuickstartReport report =
            Quickstart.run(
                new QuickstartOptions(
                    seed, dir.resolve(name).resolve("seed-" + seed), size == Size.FAST,
                    QuickstartOptions.DEFAULT_LENGTH_PENALTY, task, size == Size.SMOKE),
                out);
        out.printf(Locale.ROOT, "[paper] task %s, seed %d done in %.0f s%n", name, seed,
            report.seconds());
        reports.add(report);
      }
      summaries.add(PaperSummary.of(reports));
    }
    PaperFiles.write(dir, summaries);
    return List.copyOf(summaries);
  }

  /**
   * Parses {@code --tasks}: comma-separated {@code list} and {@code sort}.
   *
   * @throws IllegalArgumentException if text is blank, names an unknown task or one twice
   */
  public static List<Task> parseTasks(String text) {
    checkArgument(text != null && !text.isBlank(), "--tasks needs list, sort or list,sort");
    List<Task> tasks = new ArrayList<>();
    for (String part : text.split(",")) {
      Task task = switch (part.trim()) {
        case "list" -> Task.LIST;
        case "sort" -> Task.SORT;
        default -> throw new IllegalArgumentException(
            "--tasks takes list and sort (comma-separated) but got '" + part.trim() + "'");
      };
      checkArgument(!tasks.contains(task), "--tasks names %s twice", part.trim());
      tasks.add(task);
    }
    return List.copyOf(tasks);
  }

  /**
   * Parses {@code --seeds}: comma-separated seeds or inclusive ranges, e.g. {@code 42,43,44} or
   * {@code 42-46}.
   *
   * @throws IllegalArgumentException if text is blank or malformed, a range is empty, or a seed
   *     repeats
   */
  public static List<Long> parseSeeds(String text) {
    checkArgument(text != null && !text.isBlank(), "--seeds needs seeds such as 42,43,44 or 42-46");
    List<Long> seeds = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      try {
        int dash = p.indexOf('-', 1);
        long from = Long.parseLong(dash < 0 ? p : p.substring(0, dash));
        long to = dash < 0 ? from : Long.parseLong(p.substring(dash + 1));
        checkArgument(from <= to, "--seeds range %s is empty (%s > %s)", p, from, to);
        checkArgument(to - from < 1000, "--seeds range %s holds more than 1000 seeds", p);
        for (long s = from; s <= to; s++) {
          checkArgument(!seeds.contains(s), "--seeds names seed %s twice", s);
          seeds.add(s);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--seeds takes seeds such as 42,43,44 or 42-46 but got '" + p + "'", e);
      }
    }
    return List.copyOf(seeds);
  }
}
