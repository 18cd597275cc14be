package dev.rlhf4j.benchmarks;

import dev.rlhf4j.benchmarks.harness.BenchContext;
import dev.rlhf4j.benchmarks.harness.EngineThreads;
import dev.rlhf4j.benchmarks.harness.MachineInfo;
import dev.rlhf4j.benchmarks.harness.MacroBenchmark;
import dev.rlhf4j.benchmarks.harness.Report;
import dev.rlhf4j.benchmarks.harness.ReportWriter;
import dev.rlhf4j.benchmarks.harness.SectionOutcome;
import dev.rlhf4j.benchmarks.harness.SectionRunner;
import dev.rlhf4j.benchmarks.harness.Target;
import dev.rlhf4j.benchmarks.paper.PaperRun;
import dev.rlhf4j.examples.quickstart.QuickstartOptions.Task;
import dev.rlhf4j.benchmarks.sections.DpoTrainingSection;
import dev.rlhf4j.benchmarks.sections.GenerationSection;
import dev.rlhf4j.benchmarks.sections.LoopSection;
import dev.rlhf4j.benchmarks.sections.MatmulPeakSection;
import dev.rlhf4j.benchmarks.sections.MemorySection;
import dev.rlhf4j.benchmarks.sections.RewardScoringSection;
import dev.rlhf4j.benchmarks.sections.SparkSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The macro benchmark harness of issue #9: runs every section in this one JVM (so that ratios
 * between figures hold on a noisy machine), then writes {@code report.json} and {@code report.md}.
 *
 * <p>Usage: {@code BenchHarness [--quick] [--only section[,section...]] [--out dir]}, or {@code
 * BenchHarness --paper [--quick] [--tasks list,sort] [--seeds 42,43,44 | 42-46] [--out dir]}: the
 * paper in miniature ({@link PaperRun}) on both built-in tasks and seeds 42–44 unless told
 * otherwise; quick runs the quickstart's fast sizes. Sections, in
 * run order: {@code matmul}, {@code memory}, {@code reward}, {@code generation}, {@code dpo},
 * {@code loop}, {@code spark}. Exit status 0 when no section failed, 1 when one did (the report is written
 * either way), 2 for a usage error. {@code bin/bench} builds the module and runs this class.
 */
public final class BenchHarness {
  private static final Path DEFAULT_OUT = Path.of("benchmarks", "target", "results");

  private BenchHarness() {}

  /** The sections in run order. */
  static List<MacroBenchmark> sections() {
    return List.of(
        new MatmulPeakSection(),
        new MemorySection(),
        new RewardScoringSection(),
        new GenerationSection(),
        new DpoTrainingSection(),
        new LoopSection(),
        new SparkSection());
  }

  /**
   * Runs the harness and exits with its status.
   *
   * @param args see the class description
   */
  public static void main(String[] args) throws IOException {
    System.exit(run(args));
  }

  /**
   * Runs the harness.
   *
   * @return the exit status: 0 all sections ran or are unavailable, 1 a section failed, 2 usage
   */
  static int run(String[] args) throws IOException {
    boolean quick = false;
    boolean paper = false;
    List<Task> tasks = PaperRun.TASKS;
    List<Long> seeds = PaperRun.SEEDS;
    boolean paperOptions = false;
    Path out = DEFAULT_OUT;
    Set<String> only = null;
    List<String> known = sections().stream().map(MacroBenchmark::name).toList();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--out" -> {
          if (++i == args.length) {
            return usage("--out needs a directory");
          }
          out = Path.of(args[i]);
        }
        case "--only" -> {
          if (++i == args.length) {
            return usage("--only needs a section name, one of " + known);
          }
          only = Arrays.stream(args[i].split(",")).map(String::trim).collect(Collectors.toSet());
          for (String name : only) {
            if (!known.contains(name)) {
              return usage("unknown section '" + name + "'; sections are " + known);
            }
          }
        }
        case "--paper" -> paper = true;
        case "--tasks", "--seeds" -> {
          String option = args[i];
          if (++i == args.length) {
            return usage(option + " needs a value");
          }
          try {
            if (option.equals("--tasks")) {
              tasks = PaperRun.parseTasks(args[i]);
            } else {
              seeds = PaperRun.parseSeeds(args[i]);
            }
          } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
          }
          paperOptions = true;
        }
        case "--help", "-h" -> {
          usage(null);
          return 0;
        }
        default -> {
          return usage("unknown argument '" + args[i] + "'");
        }
      }
    }
    if (paper) {
      if (only != null) {
        return usage("--only does not apply to --paper");
      }
      return paper(quick, tasks, seeds, out);
    }
    if (paperOptions) {
      return usage("--tasks and --seeds apply to --paper only");
    }
    Set<String> selected = only;
    List<MacroBenchmark> sections = new ArrayList<>(sections());
    if (selected != null) {
      sections.removeIf(s -> !selected.contains(s.name()));
    }
    Instant start = Instant.now();
    MachineInfo machine = MachineInfo.current();
    System.out.printf(
        Locale.ROOT,
        "[bench] %s run: %d cores, load average %.2f, %s, PyTorch %s, ONNX Runtime %s%n",
        quick ? "quick" : "full", machine.cores(), machine.loadAverage(), machine.jvm(),
        machine.pytorchVersion(), machine.onnxruntimeVersion());
    List<SectionOutcome> outcomes =
        new SectionRunner(System.out).runAll(sections, new BenchContext(quick));
    Report report = new Report(machine, quick, start, outcomes, Target.ISSUE_9);
    Path markdown = new ReportWriter().write(report, out);
    System.out.println();
    System.out.print(Files.readString(markdown));
    System.out.printf(
        Locale.ROOT, "%n[bench] report: %s and %s%n", out.resolve("report.json"), markdown);
    if (!report.missingKeys().isEmpty()) {
      System.out.println("[bench] keys not measured: " + report.missingKeys());
    }
    return report.anyFailed() ? 1 : 0;
  }

  /**
   * The paper in miniature: the quickstart pipeline for each task and seed ({@code --fast} sizes
   * when quick), one PyTorch intra-op thread as the quickstart runs, aggregated per task into
   * {@code paper.json}, {@code paper.md} and {@code paper.png} in {@code out}.
   */
  private static int paper(boolean quick, List<Task> tasks, List<Long> seeds, Path out)
      throws IOException {
    Instant start = Instant.now();
    System.setProperty("java.awt.headless", System.getProperty("java.awt.headless", "true"));
    try {
      EngineThreads.withIntraOpThreads(
          1,
          () -> PaperRun.run(
              out, tasks, seeds, quick ? PaperRun.Size.FAST : PaperRun.Size.FULL, System.out));
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("the paper run failed", e);
    }
    System.out.println();
    System.out.print(Files.readString(out.resolve("paper.md")));
    System.out.printf(
        Locale.ROOT,
        "%n[bench] paper: %s, %s and %s in %d s%n",
        out.resolve("paper.json"),
        out.resolve("paper.md"),
        out.resolve("paper.png"),
        Duration.between(start, Instant.now()).toSeconds());
    return 0;
  }

  private static int usage(String error) {
    if (error != null) {
      System.err.println("bench: " + error);
    }
    System.err.println(
        "usage: BenchHarness [--quick] [--only section[,section...]] [--out dir]\n"
            + "       BenchHarness --paper [--quick] [--tasks list,sort] [--seeds 42,43,44 | 42-46]"
            + " [--out dir]\n"
            + "sections: matmul, memory, reward, generation, dpo, loop");
    return 2;
  }
}
