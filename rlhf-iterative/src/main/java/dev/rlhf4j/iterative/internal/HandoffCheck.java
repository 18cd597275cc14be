package dev.rlhf4j.iterative.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rlhf4j.api.DataFormatException;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormat;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.api.io.JsonlReader;
import dev.rlhf4j.iterative.run.RunLayout;
import dev.rlhf4j.iterative.run.RunLayout.IterationFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Checks, when a run resumes and before any work, every hand-off file already in the run
 * directory, so that a damaged file is found now rather than after later stages were redone: each
 * JSONL file is parsed in full, each JSON summary read, {@code pairs.jsonl} must hold the number
 * of pairs its {@code selection.json} recorded (which catches a file cut at a line boundary), a
 * completed stage must have its summary, and the baseline's responses must cover the evaluation
 * prompts. Errors name the file relative to the run directory, with the line, and say which folder
 * to delete: {@code "iter-1/pairs.jsonl:13: ...; delete iter-1/ to redo it"}.
 *
 * <p>Parsing rather than checksums: a parse finds the line at fault, needs nothing recorded (so it
 * works on run directories written before it existed) and costs about what the next stage's read
 * would; checkpoints are not hashed (they are written as a temporary directory and renamed, so a
 * killed run cannot leave half of one).
 */
final class HandoffCheck {
  private final RunLayout layout;
  private final int iterations;

  private HandoffCheck(RunLayout layout, int iterations) {
    this.layout = layout;
    this.iterations = iterations;
  }

  /**
   * Checks the files of {@code layout} for iterations 1 to {@code iterations} and the baseline;
   * {@code evaluationPrompts} is the number of evaluation prompts, empty without evaluation.
   *
   * @throws Rlhf4jException naming the first damaged file and the folder to delete
   */
  static void verify(RunLayout layout, int iterations, OptionalInt evaluationPrompts) {
    new HandoffCheck(layout, iterations).run(evaluationPrompts);
  }

  private void run(OptionalInt evaluationPrompts) {
    if (evaluationPrompts.isPresent() && Files.exists(layout.baselineMetrics())) {
      Path folder = layout.baseline();
      json(layout.baselineMetrics(), folder);
      long responses = lines(layout.baselineEval(), JsonlFormats.generatedSamples(), folder);
      if (responses != evaluationPrompts.getAsInt()) {
        throw damaged(
            layout.baselineEval(),
            "holds " + responses + " responses but there are " + evaluationPrompts.getAsInt()
                + " evaluation prompts",
            folder);
      }
    }
    for (int t = 1; t <= iterations; t++) {
      IterationFiles files = layout.iteration(t);
      Path folder = files.directory();
      if (!Files.isDirectory(folder)) {
        continue;
      }
      if (Files.exists(files.generated())) {
        lines(files.generated(), JsonlFormats.generatedSamples(), folder);
      }
      if (Files.exists(files.annotated())) {
        lines(files.annotated(), JsonlFormats.annotatedSamples(), folder);
      }
      if (Files.exists(files.pairs())) {
        Map<String, Double> selection = summary(files.selection(), files.pairs(), folder);
        long pairs =
            lines(files.pairs(), JsonlFormats.preferencePairs(LoopRunner.source(t)), folder);
        Double recorded = selection.get("pairs");
        if (recorded != null && recorded != pairs) {
          throw damaged(
              files.pairs(),
              "holds " + pairs + " pairs but the exploration wrote " + recorded.longValue()
                  + " (see " + name(files.selection()) + "): it was cut short or edited",
              folder);
        }
      }
      if (Files.exists(files.checkpoint())) {
        if (!Files.isDirectory(files.checkpoint())) {
          throw damaged(files.checkpoint(), "is a file, not a checkpoint directory", folder);
        }
        summary(files.train(), files.checkpoint(), folder);
      }
      if (Files.exists(files.eval())) {
        lines(files.eval(), JsonlFormats.generatedSamples(), folder);
      }
      if (Files.exists(files.metrics())) {
        json(files.metrics(), folder);
      }
    }
  }

  /** Reads the summary a completed stage must have; {@code marker} is its output. */
  private Map<String, Double> summary(Path file, Path marker, Path folder) {
    if (!Files.exists(file)) {
      throw damaged(
          file, "is missing although " + name(marker) + " marks its stage complete", folder);
    }
    return json(file, folder);
  }

  private Map<String, Double> json(Path file, Path folder) {
    try {
      return RunFiles.readMetrics(file);
    } catch (Rlhf4jException e) {
      Throwable cause = e.getCause();
      if (cause instanceof JsonProcessingException j && j.getLocation() != null) {
        throw damaged(file, j.getLocation().getLineNr(), j.getOriginalMessage(), folder, e);
      }
      throw damaged(file, -1, cause == null ? e.getMessage() : cause.toString(), folder, e);
    }
  }

  /** Parses every line of {@code file}; returns the number of records. */
  private <T> long lines(Path file, JsonlFormat<T> format, Path folder) {
    if (!Files.exists(file)) {
      throw damaged(file, "is missing", folder);
    }
    long records = 0;
    try (JsonlReader<T> reader = Jsonl.reader(file, format)) {
      while (reader.hasNext()) {
        reader.next();
        records++;
      }
    } catch (DataFormatException e) {
      String prefix = file.getFileName() + ":" + e.line() + ": ";
      String problem =
          e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length())
              : e.getMessage();
      throw damaged(file, e.line(), problem, folder, e);
    }
    return records;
  }

  private Rlhf4jException damaged(Path file, String problem, Path folder) {
    return new Rlhf4jException(name(file) + " " + problem + "; " + fix(folder));
  }

  private Rlhf4jException damaged(
      Path file, long line, String problem, Path folder, Exception cause) {
    String where = line > 0 ? name(file) + ":" + line : name(file);
    return new Rlhf4jException(where + ": " + problem + "; " + fix(folder), cause);
  }

  /** What to delete: the folder, and the iterations after it, which were built from it. */
  private String fix(Path folder) {
    List<String> later = new ArrayList<>();
    if (!folder.equals(layout.baseline())) {
      int t = Integer.parseInt(folder.getFileName().toString().substring("iter-".length()));
      for (int u = t + 1; u <= iterations; u++) {
        if (Files.isDirectory(layout.iteration(u).directory())) {
          later.add(name(layout.iteration(u).directory()) + "/");
        }
      }
    }
    String first = name(folder) + "/";
    return later.isEmpty()
        ? "delete " + first + " to redo it"
        : "delete " + first + " and the iterations built from it (" + String.join(", ", later)
            + ") to redo them";
  }

  private String name(Path file) {
    return RunManifest.slashes(layout.root().relativize(file));
  }
}
