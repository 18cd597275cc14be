package dev.rlhf4j.examples.quickstart.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.examples.quickstart.GoldDiagnostics;
import dev.rlhf4j.examples.quickstart.QuickstartReport;
import dev.rlhf4j.examples.quickstart.QuickstartReport.IterationDiagnostics;
import dev.rlhf4j.examples.quickstart.QuickstartReport.Row;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Writes a {@link QuickstartReport} as {@code report.json}, {@code report.md} and {@code
 * report.png}. The plot is drawn with java.awt on a {@link BufferedImage} (headless), two panels:
 * gold win rate against SFT and mean length per iteration, for iterative DPO with and without the
 * length penalty (iteration 0 is the SFT policy).
 */
public final class ReportFiles {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final int PANEL_W = 420;
  private static final int PANEL_H = 320;
  private static final int MARGIN = 55;

  private ReportFiles() {}

  /**
   * Writes the three files into {@code dir} (created if needed).
   *
   * @throws UncheckedIOException if a file cannot be written
   */
  public static void write(Path dir, QuickstartReport report) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("report.json"), json(report));
      Files.writeString(dir.resolve("report.md"), markdown(report));
      ImageIO.write(plot(report), "png", dir.resolve("report.png").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + dir, e);
    }
  }

  /** The report as JSON: task, seed, seconds, rewardModel, rows, diagnostics, goldDiagnostics. */
  public static String json(QuickstartReport report) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("task", report.task());
    root.put("seed", report.seed());
    root.put("seconds", report.seconds());
    ObjectNode rm = root.putObject("rewardModel");
    rm.put("heldOutAccuracy", report.rewardModel().heldOutAccuracy());
    rm.put("lengthRewardPearson", report.rewardModel().lengthRewardPearson());
    ArrayNode rows = root.putArray("rows");
    for (Row r : report.rows()) {
      rows.addObject()
          .put("name", r.name())
          .put("goldReward", r.goldReward())
          .put("goldWinRateVsSft", r.goldWinRateVsSft())
          .put("goldLcWinRateVsSft", r.goldLcWinRateVsSft())
          .put("proxyReward", r.proxyReward())
          .put("meanLength", r.meanLength());
    }
    ArrayNode diagnostics = root.putArray("diagnostics");
    for (IterationDiagnostics d : report.diagnostics()) {
      ObjectNode node = diagnostics.addObject().put("run", d.run()).put("iteration", d.iteration());
      number(node, "marginMean", d.marginMean());
      number(node, "marginMedian", d.marginMedian());
      number(node, "marginMin", d.marginMin());
      number(node, "nearTieFraction", d.nearTieFraction());
      number(node, "nearTieMargin", d.nearTieMargin());
      number(node, "rewardStdWithinPrompt", d.rewardStdWithinPrompt());
      number(node, "chosenTokens", d.chosenTokens());
      number(node, "rejectedTokens", d.rejectedTokens());
      number(node, "klFromSft", d.klFromSft());
      number(node, "klFromSftSe", d.klFromSftSe());
      number(node, "klFromPrevious", d.klFromPrevious());
      number(node, "klFromPreviousSe", d.klFromPreviousSe());
      number(node, "optimizerSteps", d.optimizerSteps());
    }
    ArrayNode gold = root.putArray("goldDiagnostics");
    for (GoldDiagnostics d : report.gold()) {
      ObjectNode node = gold.addObject().put("run", d.run()).put("iteration", d.iteration())
          .put("pairs", d.pairs());
      number(node, "pairAgreement", d.pairAgreement());
      number(node, "pairGoldTieFraction", d.pairGoldTieFraction());
      number(node, "onPolicyAccuracy", d.onPolicyAccuracy());
      node.put("onPolicyComparisons", d.onPolicyComparisons());
      number(node, "heldOutAccuracy", report.rewardModel().heldOutAccuracy());
      number(node, "chosenGold", d.chosenGold());
      number(node, "rejectedGold", d.rejectedGold());
    }
    return JSON.writeValueAsString(root) + "\n";
  }

  /** A figure, or null when it was not recorded (NaN): JSON has no NaN. */
  private static void number(ObjectNode node, String name, double value) {
    if (Double.isNaN(value)) {
      node.putNull(name);
    } else {
      node.put(name, value);
    }
  }

  /** The report as a Markdown table shaped like the paper's Tables 4 and 6. */
  public static String markdown(QuickstartReport report) {
    StringBuilder md = new StringBuilder();
    md.append("# rlhf4j quickstart (task ").append(report.task()).append(", seed ")
        .append(report.seed()).append(")\n\n");
    md.append(String.format(Locale.ROOT,
        "Proxy reward model: held-out accuracy against gold labels %.3f, length-reward Pearson"
            + " %.3f (mean per prompt, SFT samples; paper Fig. 5).%n%n",
        report.rewardModel().heldOutAccuracy(), report.rewardModel().lengthRewardPearson()));
    md.append("| Model | Method | Len. pen. | Gold reward | Gold win rate vs SFT (sampled) |"
        + " Gold LC win rate vs SFT | Proxy reward | Len. (chars) |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    for (Row r : report.rows()) {
      md.append(String.format(Locale.ROOT,
          "| %s | %s | %s | %.3f | %.3f | %.3f | %.3f | %.1f |%n",
          r.name(), method(r.name()), r.name().contains("-lp-") ? "yes" : "-", r.goldReward(),
          r.goldWinRateVsSft(), r.goldLcWinRateVsSft(), r.proxyReward(), r.meanLength()));
    }
    md.append(diagnosticsTable(report.diagnostics()));
    md.append(goldTable(report.gold(), report.rewardModel().heldOutAccuracy()));
    md.append(String.format(Locale.ROOT, "%nWall time: %.0f s.%n", report.seconds()));
    return md.toString();
  }

  /**
   * The loops' own per-iteration diagnostics as a Markdown table (empty without any): proxy
   * margins, near-ties, lengths in tokens, KL estimates, optimizer steps.
   */
  public static String diagnosticsTable(List<IterationDiagnostics> diagnostics) {
    if (diagnostics.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT,
        "%nPer-iteration diagnostics (the loop's own metrics, no gold reward: proxy margin of the"
            + " kept best-vs-worst pairs, near-ties below margin %s, within-prompt reward spread,"
            + " lengths in tokens, Monte Carlo KL of the new policy from SFT and from the previous"
            + " iteration on its own samples, ± one standard error):%n%n",
        format(diagnostics.get(0).nearTieMargin())));
    md.append("| Run | Iter. | Margin mean | Margin median | Margin min | Near-ties |"
        + " Reward sd in prompt | Chosen tok. | Rejected tok. | KL from SFT | KL from prev. |"
        + " Steps |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (IterationDiagnostics d : diagnostics) {
      md.append(String.format(Locale.ROOT,
          "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          d.run(), d.iteration(), format(d.marginMean()), format(d.marginMedian()),
          format(d.marginMin()), format(d.nearTieFraction()), format(d.rewardStdWithinPrompt()),
          format(d.chosenTokens()), format(d.rejectedTokens()), withError(d.klFromSft(), d.klFromSftSe()),
          withError(d.klFromPrevious(), d.klFromPreviousSe()),
          Double.isNaN(d.optimizerSteps()) ? "-" : String.format(Locale.ROOT, "%.0f",
              d.optimizerSteps())));
    }
    return md.toString();
  }

  /**
   * The iterations judged by the gold reward as a Markdown table (empty without any): agreement of
   * the proxy's kept pairs with the gold, the proxy's accuracy on the policy's own samples next to
   * its held-out accuracy on the offline pairs, the gold reward of chosen and rejected.
   */
  public static String goldTable(List<GoldDiagnostics> gold, double heldOutAccuracy) {
    if (gold.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    md.append("\nPer-iteration diagnostics judged by the gold reward (the task has one, the loop"
        + " does not): of the kept best-vs-worst pairs the gold does not tie, the share whose"
        + " chosen response the gold prefers; the proxy's pairwise accuracy against the gold on"
        + " the policy's own samples (all within-prompt pairs the gold does not tie) next to its"
        + " held-out accuracy on the offline pairs; the mean gold reward of chosen and rejected:"
        + "\n\n");
    md.append("| Run | Iter. | Pairs | Gold agrees with pair | Gold ties | Proxy acc. on policy"
        + " samples | Proxy acc. held out (offline) | Gold chosen | Gold rejected |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    for (GoldDiagnostics d : gold) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %s | %s | %s |%n",
          d.run(), d.iteration(), d.pairs(), format(d.pairAgreement()),
          format(d.pairGoldTieFraction()), format(d.onPolicyAccuracy()), format(heldOutAccuracy),
          format(d.chosenGold()), format(d.rejectedGold())));
    }
    return md.toString();
  }

  /** {@code value ± error}, or the value alone when the error is unknown. */
  private static String withError(double value, double error) {
    return Double.isNaN(error) || Double.isNaN(value)
        ? format(value)
        : format(value) + " ± " + format(error);
  }

  private static String format(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
  }

  private static String method(String name) {
    if (name.equals("sft")) {
      return "SFT";
    }
    if (name.equals("offline-dpo")) {
      return "Vanilla (offline) DPO";
    }
    return "Iterative DPO, iteration " + name.substring(name.lastIndexOf('-') + 1);
  }

  /** Two panels: gold win rate and mean length per iteration. */
  static BufferedImage plot(QuickstartReport report) {
    Row sft = report.row("sft");
    List<Row> plain = new ArrayList<>(List.of(sft));
    for (int t = 1; t <= 3; t++) {
      plain.add(report.row("iterative-dpo-" + t));
    }
    List<Row> penalised = new ArrayList<>(List.of(sft));
    penalised.addAll(report.lengthPenaltyCurve());
    BufferedImage image =
        new BufferedImage(2 * PANEL_W, PANEL_H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      Row offline = report.row("offline-dpo");
      panel(g, 0, "Gold win rate vs SFT (sampled)", plain, penalised, offline,
          Row::goldWinRateVsSft, 0, 1);
      double maxLength = 0;
      for (Row r : plain) {
        maxLength = Math.max(maxLength, r.meanLength());
      }
      for (Row r : penalised) {
        maxLength = Math.max(maxLength, r.meanLength());
      }
      maxLength = Math.max(maxLength, offline.meanLength());
      panel(g, PANEL_W, "Mean length (characters)", plain, penalised, offline, Row::meanLength, 0,
          Math.max(20, Math.ceil(maxLength * 1.1 / 20) * 20));
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void panel(
      Graphics2D g, int x0, String title, List<Row> plain, List<Row> penalised, Row offline,
      ToDoubleFunction<Row> value, double low, double high) {
    int left = x0 + MARGIN;
    int right = x0 + PANEL_W - 35;
    int top = 35;
    int bottom = PANEL_H - 45;
    g.setColor(Color.BLACK);
    g.drawString(title, left, 20);
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    for (int t = 0; t <= 3; t++) {
      int x = left + (right - left) * t / 3;
      g.drawLine(x, bottom, x, bottom + 4);
      g.drawString(t == 0 ? "SFT" : "iter " + t, x - 12, bottom + 18);
    }
    for (int k = 0; k <= 4; k++) {
      double v = low + (high - low) * k / 4;
      int y = bottom - (int) Math.round((bottom - top) * (v - low) / (high - low));
      g.drawLine(left - 4, y, left, y);
      g.drawString(String.format(Locale.ROOT, high <= 1 ? "%.2f" : "%.0f", v), x0 + 8, y + 4);
    }
    // offline DPO is one model, not a curve: a dashed reference line at its level
    double level = Math.max(low, Math.min(high, value.applyAsDouble(offline)));
    int ly = bottom - (int) Math.round((bottom - top) * (level - low) / (high - low));
    g.setColor(new Color(0x2ca02c));
    g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {6f, 4f}, 0f));
    g.drawLine(left, ly, right, ly);
    g.setStroke(new BasicStroke(1f));
    series(g, plain, value, low, high, left, right, top, bottom, new Color(0x1f77b4));
    series(g, penalised, value, low, high, left, right, top, bottom, new Color(0xd62728));
    g.setColor(new Color(0x1f77b4));
    g.drawString("iterative DPO", left + 10, PANEL_H - 8);
    g.setColor(new Color(0xd62728));
    g.drawString("with length penalty", left + 110, PANEL_H - 8);
    g.setColor(new Color(0x2ca02c));
    g.drawString("offline DPO", left + 240, PANEL_H - 8);
  }

  private static void series(
      Graphics2D g, List<Row> rows, ToDoubleFunction<Row> value, double low, double high,
      int left, int right, int top, int bottom, Color color) {
    g.setColor(color);
    g.setStroke(new BasicStroke(2f));
    int px = -1;
    int py = -1;
    for (int t = 0; t < rows.size(); t++) {
      double v = Math.max(low, Math.min(high, value.applyAsDouble(rows.get(t))));
      int x = left + (right - left) * t / 3;
      int y = bottom - (int) Math.round((bottom - top) * (v - low) / (high - low));
      g.fillOval(x - 3, y - 3, 7, 7);
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
    g.setStroke(new BasicStroke(1f));
  }
}
