package dev.rlhf4j.api.event;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * A console progress bar per stage, with the estimated time left:
 *
 * <pre>
 * iter 1 generate   [############------------------]  40%  80/200  ETA 0:00:18
 * iter 1 generate   done in 0:00:12  prompts=200 responses=1600
 * iter 1 train      [##############################] 100%  50/50  loss=0.512  ETA 0:00:00
 * iteration 1: eval/proxy_greedy_win_rate_vs_pi0=0.61 explore/pairs=180 ...
 * </pre>
 *
 * <p>On a terminal the bar is redrawn in place (carriage return) when its whole percentage
 * changes. When the output is not a terminal (a log file, a CI console) it prints plain lines
 * instead, one per tenth of a stage, so a log holds at most ten progress lines per stage. Each
 * finished stage and iteration ends with a line of its own. Stages of the online loop are labelled
 * by iteration ({@code iter 2 train}, {@code baseline evaluate}); a stand-alone trainer's by its
 * stage alone ({@code sft}, {@code train}, {@code reward_training}). Get one with {@link
 * ProgressListener#console(PrintStream)}. The ETA assumes the remaining units
 * take as long as the finished ones did on average. Training progress comes from {@link
 * StepMetrics} (step of total steps, with the loss when reported).
 *
 * <p>Thread-safe: methods are synchronized, so events from several threads print whole lines.
 */
public final class ConsoleProgress implements ProgressListener {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final LongSupplier nanoTime;
  private Stage stage;
  private int iteration;
  private long startNanos;
  private int lastPercent = -1;
  private boolean barOpen;
  private final boolean interactive;

  /**
   * Prints to {@code out}.
   *
   * @throws IllegalArgumentException if out is null
   */
  public ConsoleProgress(PrintStream out) {
    this(out, System::nanoTime);
  }

  /**
   * Prints to {@code out}, timing with {@code nanoTime} (for tests, or a host's own clock).
   *
   * @throws IllegalArgumentException if an argument is null
   */
  public ConsoleProgress(PrintStream out, LongSupplier nanoTime) {
    this(out, nanoTime, true);
  }

  /**
   * Prints to {@code out}, timing with {@code nanoTime}; {@code interactive} draws carriage-return
   * bars, otherwise plain lines at most one per tenth of a stage.
   *
   * @throws IllegalArgumentException if an argument is null
   */
  public ConsoleProgress(PrintStream out, LongSupplier nanoTime, boolean interactive) {
    checkArgument(out != null, "out must not be null");
    checkArgument(nanoTime != null, "nanoTime must not be null");
    this.out = out;
    this.nanoTime = nanoTime;
    this.interactive = interactive;
  }

  @Override
  public synchronized void onStageStarted(StageStarted e) {
    endBar();
    stage = e.stage();
    iteration = e.iteration();
    startNanos = nanoTime.getAsLong();
    lastPercent = -1;
    out.println(label(e.iteration(), e.stage()) + " started"
        + (e.totalUnits() > 0 ? " (" + e.totalUnits() + " units)" : ""));
    out.flush();
  }

  @Override
  public synchronized void onProgress(StageProgress e) {
    draw(e.iteration(), e.stage(), e.doneUnits(), e.totalUnits(), "");
  }

  @Override
  public synchronized void onStep(StepMetrics e) {
    double loss = e.get("loss");
    draw(
        e.iteration(),
        e.stage(),
        e.step(),
        e.totalSteps(),
        Double.isNaN(loss) ? "" : String.format(Locale.ROOT, "  loss=%.4f", loss));
  }

  @Override
  public synchronized void onStageFinished(StageFinished e) {
    endBar();
    StringBuilder line = new StringBuilder(label(e.iteration(), e.stage()));
    line.append(" done in ").append(format(e.elapsed()));
    appendMetrics(line, e.metrics());
    out.println(line);
    out.flush();
    stage = null;
  }

  @Override
  public synchronized void onIterationFinished(IterationSummary e) {
    endBar();
    StringBuilder line = new StringBuilder("iteration " + e.iteration() + ":");
    appendMetrics(line, e.metrics());
    line.append("  checkpoint ").append(e.checkpoint());
    out.println(line);
    out.flush();
  }

  private void draw(int iter, Stage s, long done, long total, String suffix) {
    if (total <= 0) {
      return;
    }
    if (s != stage || iter != iteration) {
      // progress of a stage whose start we did not see: time it from now
      stage = s;
      iteration = iter;
      startNanos = nanoTime.getAsLong();
      lastPercent = -1;
    }
    long clamped = Math.min(done, total);
    int percent = (int) (100 * clamped / total);
    if (!interactive) {
      percent = percent / 10 * 10;
    }
    if (percent == lastPercent && (!interactive || clamped < total)) {
      return;
    }
    lastPercent = percent;
    int filled = (int) (WIDTH * clamped / total);
    String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    long elapsed = nanoTime.getAsLong() - startNanos;
    String eta =
        clamped == 0
            ? "?"
            : format(Duration.ofNanos((long) ((double) elapsed * (total - clamped) / clamped)));
    out.print(
        String.format(
            Locale.ROOT,
            (interactive ? "\r" : "") + "%s [%s] %3d%%  %d/%d%s  ETA %s",
            label(iter, s),
            bar,
            percent,
            clamped,
            total,
            suffix,
            eta));
    if (interactive) {
      barOpen = true;
    } else {
      out.println();
    }
    out.flush();
  }

  private void endBar() {
    if (barOpen) {
      out.println();
      barOpen = false;
    }
  }

  private static String label(int iteration, Stage stage) {
    String name = stage.name().toLowerCase(Locale.ROOT);
    if (iteration == 0 && stage != Stage.EVALUATE) {
      return String.format(Locale.ROOT, "%-10s", name); // a stand-alone trainer
    }
    return String.format(
        Locale.ROOT, "%-8s %-10s", iteration == 0 ? "baseline" : "iter " + iteration, name);
  }

  private static void appendMetrics(StringBuilder line, Map<String, Double> metrics) {
    new TreeMap<>(metrics)
        .forEach(
            (k, v) ->
                line.append(' ')
                    .append(k)
                    .append('=')
                    .append(
                        v == Math.rint(v) && Math.abs(v) < 1e15
                            ? Long.toString(v.longValue())
                            : String.format(Locale.ROOT, "%.4g", v)));
  }

  static String format(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
