package dev.rlhf4j.benchmarks.paper;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rlhf4j.benchmarks.paper.PaperSummary.Ordering;
import dev.rlhf4j.benchmarks.paper.PaperSummary.RowSummary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * Writes {@link PaperSummary}s (one per task) as {@code paper.json}, {@code paper.md} and {@code paper.png}.
 * Stateless and thread-safe; the plot is drawn headless with {@code java.awt}.
 */
public final class PaperFiles {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final int PANEL_W = 460;
  private static final int PANEL_H = 340;
  private static final int MARGIN = 55;

  private PaperFiles() {}

  /**
   * Writes the three files into {@code dir} (created if missing), replacing earlier ones: one
   * section per task, in the given order.
   *
   * @throws IllegalArgumentException if an argument is null, summaries is empty or names a task
   *     twice
   * @throws IOException if a file cannot be written
   */
  public static void write(Path dir, List<PaperSummary> summaries) throws IOException {
    checkArgument(dir != null && summaries != null, "dir and summaries must not be null");
    checkArgument(!summaries.isEmpty(), "summaries must not be empty");
    checkArgument(summaries.stream().map(PaperSummary::task).distinct().count() == summaries.size(),
        "each task may appear once but got %s",
        summaries.stream().map(PaperSummary::task).toList());
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("paper.json"), json(summaries));
    Files.writeString(dir.resolve("paper.md"), markdown(summaries));
    ImageIO.write(plot(summaries), "png", dir.resolve("paper.png").toFile());
  }

  /**
   * {@code paper.json}: per task ({@code tasks.<name>}), its seeds, per-run seconds, the reward
   * model's figures, per row name the mean, sample standard deviation and per-seed values of each
   * figure, and the orderings (per seed whether each holds, its margin, and the count).
   *
   * @throws IOException if serialisation fails
   */
  public static String json(List<PaperSummary> summaries) throws IOException {
    Map<String, Object> tasks = new LinkedHashMap<>();
    for (PaperSummary summary : summaries) {
      tasks.put(summary.task(), task(summary));
    }
    return JSON.writeValueAsString(Map.of("tasks", tasks)) + "\n";
  }

  private static Map<String, Object> task(PaperSummary summary) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("seeds", summary.seeds());
    root.put("secondsPerRun", summary.seconds());
    Map<String, Object> rm = new LinkedHashMap<>();
    rm.put("heldOutAccuracy", summary.rewardModelAccuracy());
    rm.put("lengthRewardPearson", summary.rewardModelLengthPearson());
    root.put("rewardModel", rm);
    Map<String, Object> rows = new LinkedHashMap<>();
    for (RowSummary r : summary.rows()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("goldReward", r.goldReward());
      row.put("goldWinRateVsSft", r.goldWinRateVsSft());
      row.put("goldLcWinRateVsSft", r.goldLcWinRateVsSft());
      row.put("proxyReward", r.proxyReward());
      row.put("meanLength", r.meanLength());
      rows.put(r.name(), row);
    }
    root.put("rows", rows);
    List<Map<String, Object>> orderings = new ArrayList<>();
    for (Ordering o : summary.orderings()) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("claim", o.claim());
      node.put("holds", o.holds());
      node.put("margins", o.margins());
      node.put("count", o.count());
      node.put("of", o.holds().size());
      orderings.add(node);
    }
    root.put("orderings", orderings);
    return root;
  }

  /**
   * {@code paper.md}: per task, a table shaped like the paper's Tables 4 and 6 (row, gold reward,
   * gold win rate and length-controlled win rate against SFT, mean length; each mean ± sample
   * standard deviation over the seeds), the reward model's figures, and per seed whether
   * iterative DPO 3 beats offline DPO and offline DPO beats SFT, with the count of seeds.
   */
  public static String markdown(List<PaperSummary> summaries) {
    StringBuilder md = new StringBuilder();
    md.append("# rlhf4j: the paper in miniature\n");
    for (PaperSummary summary : summaries) {
      md.append(String.format(Locale.ROOT,
          "%n## Task %s%n%nQuickstart pipeline, seeds %s; mean ± sample standard deviation"
              + " over the %d seeds.%n%n", summary.task(), summary.seeds(),
          summary.seeds().size()));
      md.append("| Row | Gold reward | Gold win rate vs SFT | Gold LC win rate vs SFT |"
          + " Mean length (chars) |\n");
      md.append("|---|---|---|---|---|\n");
      for (RowSummary r : summary.rows()) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.name(),
            pm(r.goldReward(), "%.3f"), pm(r.goldWinRateVsSft(), "%.3f"),
            pm(r.goldLcWinRateVsSft(), "%.3f"), pm(r.meanLength(), "%.1f")));
      }
      md.append(String.format(Locale.ROOT,
          "%nProxy reward model: held-out accuracy (gold labels) %s; length–reward Pearson %s.%n",
          pm(summary.rewardModelAccuracy(), "%.3f"),
          pm(summary.rewardModelLengthPearson(), "%.3f")));
      if (!summary.orderings().isEmpty()) {
        md.append("\nPer seed (gold win rate vs SFT; margin in brackets):\n\n| Claim |");
        for (long seed : summary.seeds()) {
          md.append(" seed ").append(seed).append(" |");
        }
        md.append(" holds on |\n|---|");
        md.append("---|".repeat(summary.seeds().size())).append("---|\n");
        for (Ordering o : summary.orderings()) {
          md.append("| ").append(o.claim()).append(" |");
          for (int i = 0; i < o.holds().size(); i++) {
            md.append(String.format(Locale.ROOT, " %s (%+.3f) |",
                o.holds().get(i) ? "yes" : "no", o.margins().get(i)));
          }
          md.append(String.format(Locale.ROOT, " %d of %d |%n", o.count(), o.holds().size()));
        }
      }
    }
    return md.toString();
  }

  private static String pm(Stat s, String format) {
    return String.format(Locale.ROOT, format + " ± " + format, s.mean(), s.sd());
  }

  /**
   * Per task one band of two panels, gold win rate and mean length per row, each a dot at the
   * mean with ±1 sd bars.
   */
  static BufferedImage plot(List<PaperSummary> summaries) {
    BufferedImage image =
        new BufferedImage(2 * PANEL_W, PANEL_H * summaries.size(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      for (int t = 0; t < summaries.size(); t++) {
        PaperSummary summary = summaries.get(t);
        int y0 = t * PANEL_H;
        panel(g, 0, y0, summary.task() + ": gold win rate vs SFT (mean ± sd)", summary.rows(),
            RowSummary::goldWinRateVsSft, 1);
        double max = 0;
        for (RowSummary r : summary.rows()) {
          max = Math.max(max, r.meanLength().mean() + r.meanLength().sd());
        }
        panel(g, PANEL_W, y0, summary.task() + ": mean length, characters (mean ± sd)",
            summary.rows(), RowSummary::meanLength,
            Math.max(20, Math.ceil(max * 1.1 / 20) * 20));
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void panel(
      Graphics2D g, int x0, int y0, String title, List<RowSummary> rows,
      Function<RowSummary, Stat> value, double high) {
    int left = x0 + MARGIN;
    int right = x0 + PANEL_W - 20;
    int top = y0 + 35;
    int bottom = y0 + PANEL_H - 60;
    g.setColor(Color.BLACK);
    g.drawString(title, left, y0 + 20);
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    for (int k = 0; k <= 4; k++) {
      double v = high * k / 4;
      int y = y(v, high, top, bottom);
      g.drawLine(left - 4, y, left, y);
      g.drawString(String.format(Locale.ROOT, high <= 1 ? "%.2f" : "%.0f", v), x0 + 8, y + 4);
    }
    int n = rows.size();
    Color color = new Color(0x1f77b4);
    for (int i = 0; i < n; i++) {
      int x = left + (right - left) * (2 * i + 1) / (2 * n);
      Stat s = value.apply(rows.get(i));
      int y = y(s.mean(), high, top, bottom);
      int yLow = y(s.mean() - s.sd(), high, top, bottom);
      int yHigh = y(s.mean() + s.sd(), high, top, bottom);
      g.setColor(color);
      g.setStroke(new BasicStroke(1.5f));
      g.drawLine(x, yLow, x, yHigh);
      g.drawLine(x - 4, yLow, x + 4, yLow);
      g.drawLine(x - 4, yHigh, x + 4, yHigh);
      g.fillOval(x - 3, y - 3, 7, 7);
      g.setStroke(new BasicStroke(1f));
      g.setColor(Color.BLACK);
      String label = rows.get(i).name().replace("iterative-dpo", "iter");
      g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2,
          bottom + 16 + 12 * (i % 2));
    }
  }

  private static int y(double v, double high, int top, int bottom) {
    double clamped = Double.isFinite(v) ? Math.max(0, Math.min(high, v)) : 0;
    return bottom - (int) Math.round((bottom - top) * clamped / high);
  }
}
