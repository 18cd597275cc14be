package dev.rlhf4j.sampling.generate.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.KvCache;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.sampling.generate.Generation;
import dev.rlhf4j.sampling.generate.GenerationStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decodes one batch ("chunk") of responses: a left-padded prefill of the chunk's distinct prompts
 * into one KV cache, the cache rows gathered so that each response has its own copy of its
 * prompt's row, then one incremental forward per step over the rows still generating; a row that
 * finishes leaves the cache at once, so a step costs what the live rows cost.
 *
 * <p>Each step runs in its own sub-manager. The engine computes the temperature-T probabilities
 * of the last position (exponentials are vectorised there, not in Java); they are copied once to
 * the host as {@code [rows, vocab]}, where {@link TokenSampler} draws every row's token with the
 * row's own stream, and the chosen tokens' temperature-1 log-probabilities are gathered back on the
 * engine ({@code [rows]}). Not thread-safe: one decoder per call.
 */
public final class ChunkDecoder {
  /**
   * One response to generate.
   *
   * @param prompt the index of its prompt in the chunk's prompt list
   * @param promptId the prompt's id (seeds the random stream)
   * @param sampleIndex the response's sample index (seeds the random stream)
   */
  public record Unit(int prompt, String promptId, int sampleIndex) {}

  /**
   * What a chunk produced.
   *
   * @param generations one per unit, in unit order
   * @param stats its timings and counts
   */
  public record Output(List<Generation> generations, GenerationStats stats) {}

  private final CausalLm model;
  private final HfTokenizer tokenizer;
  private final boolean[] stopIds;
  private final SamplingParams params;
  private final TokenFilter filter;
  private final int vocab;
  private final List<String> stopStrings;
  private final int stopWindow;
  private final TokenSampler sampler = new TokenSampler();

  /**
   * @param stopIds {@code stopIds[id]} is true for the ids that end a response; its length is the
   *     model's vocabulary size
   */
  public ChunkDecoder(
      CausalLm model, HfTokenizer tokenizer, boolean[] stopIds, SamplingParams params) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.stopIds = stopIds;
    this.params = params;
    this.filter = TokenFilter.of(params);
    this.vocab = model.config().vocabSize();
    checkArgument(stopIds.length == vocab, "stopIds must cover the %s ids", vocab);
    this.stopStrings = params.stopStrings();
    int longest = stopStrings.stream().mapToInt(String::length).max().orElse(0);
    // a character takes at most 4 byte-level tokens; a few more absorb a partial first character
    this.stopWindow = 4 * longest + 4;
  }

  /**
   * Generates every unit's response.
   *
   * @param prompts the chunk's distinct prompts as token ids, each non-empty
   * @param units the responses, each naming its prompt
   */
  public Output decode(List<long[]> prompts, List<Unit> units) {
    int promptCount = prompts.size();
    int width = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
    int maxNew = params.maxNewTokens();
    long[] padded = new long[promptCount * width];
    long[] promptMask = new long[promptCount * width];
    for (int i = 0; i < promptCount; i++) {
      long[] ids = prompts.get(i);
      int start = i * width + width - ids.length;
      System.arraycopy(ids, 0, padded, start, ids.length);
      Arrays.fill(promptMask, start, (i + 1) * width, 1L);
    }
    int rows = units.size();
    Row[] state = new Row[rows];
    for (int r = 0; r < rows; r++) {
      Unit u = units.get(r);
      state[r] = new Row(u, RowStreams.stream(params.seed(), u.promptId(), u.sampleIndex()), maxNew);
    }
    long generated = 0;
    long steps = 0;
    long start = System.nanoTime();
    long prefillNanos;
    try (NDManager root = NDManager.newBaseManager(model.options().device());
        KvCache cache = model.newCache(promptCount, width + maxNew)) {
      try (NDManager step = root.newSubManager()) {
        // only the last slot is projected onto the vocabulary: at V=32000 the LM head would
        // otherwise dominate the prefill
        NDArray logits =
            model.nextTokenLogits(
                owned(step.create(padded, new Shape(promptCount, width))),
                owned(step.create(promptMask, new Shape(promptCount, width))),
                null,
                cache);
        int[] rowOf = new int[rows];
        for (int r = 0; r < rows; r++) {
          rowOf[r] = state[r].unit.prompt();
        }
        sampleStep(logits, state, identity(rows), rowOf, step);
      }
      int[] live = new int[rows];
      int liveCount = 0;
      for (int r = 0; r < rows; r++) {
        generated++;
        if (!finishIfDone(state[r])) {
          live[liveCount++] = r;
        }
      }
      if (liveCount > 0) {
        int[] cacheRows = new int[liveCount];
        boolean identity = liveCount == promptCount;
        for (int j = 0; j < liveCount; j++) {
          cacheRows[j] = state[live[j]].unit.prompt();
          identity &= cacheRows[j] == j;
        }
        if (!identity) {
          // one gather gives every response its own copy of its prompt's row (KvCache.expand
          // when all prompts have the same number of responses)
          cache.select(cacheRows);
        }
      }
      prefillNanos = System.nanoTime() - start;
      int[] keep = new int[rows];
      while (liveCount > 0) {
        int cached = cache.length();
        long[] stepIds = new long[liveCount];
        long[] stepMask = new long[liveCount * (cached + 1)];
        for (int j = 0; j < liveCount; j++) {
          Row row = state[live[j]];
          stepIds[j] = row.tokens[row.count - 1];
          int base = j * (cached + 1);
          System.arraycopy(promptMask, row.unit.prompt() * width, stepMask, base, width);
          Arrays.fill(stepMask, base + width, base + cached + 1, 1L);
        }
        try (NDManager step = root.newSubManager()) {
          NDArray logits =
              model.nextTokenLogits(
                  owned(step.create(stepIds, new Shape(liveCount, 1))),
                  owned(step.create(stepMask, new Shape(liveCount, cached + 1))),
                  null,
                  cache);
          sampleStep(
              logits,
              state,
              Arrays.copyOf(live, liveCount),
              identity(liveCount),
              step);
        }
        steps++;
        int kept = 0;
        for (int j = 0; j < liveCount; j++) {
          generated++;
          if (!finishIfDone(state[live[j]])) {
            keep[kept] = j;
            live[kept] = live[j];
            kept++;
          }
        }
        if (kept > 0 && kept < liveCount) {
          cache.select(Arrays.copyOf(keep, kept));
        }
        liveCount = kept;
      }
    }
    long decodeNanos = System.nanoTime() - start - prefillNanos;
    List<Generation> out = new ArrayList<>(rows);
    for (Row row : state) {
      out.add(row.result);
    }
    return new Output(
        out,
        new GenerationStats(
            (long) promptCount * width, generated, steps, prefillNanos, decodeNanos));
  }

  /**
   * Draws the next token of each row in {@code rows} from the logits {@code [n, vocab]} (row
   * {@code rows[i]} reads logits row {@code logitRow[i]}) and adds it, with its temperature-1
   * log-probability, to the row. Sampling needs one host copy of {@code [n, vocab]}: the
   * temperature-T probabilities (the log-softmax itself when greedy); the chosen tokens'
   * log-probabilities are then gathered on the engine.
   */
  private void sampleStep(
      NDArray logits, Row[] state, int[] rows, int[] logitRow, NDManager step) {
    NDArray logProbs = logits.logSoftmax(-1);
    if (filter.greedy()) {
      float[] scores = logProbs.toFloatArray();
      for (int i = 0; i < rows.length; i++) {
        Row row = state[rows[i]];
        int offset = logitRow[i] * vocab;
        int token = TokenSampler.argMax(scores, offset, vocab);
        row.add(token, scores[offset + token]);
      }
      return;
    }
    NDArray probs =
        filter.temperature() == 1.0
            ? logProbs.exp()
            : logits.div(filter.temperature()).softmax(-1);
    float[] weights = probs.toFloatArray();
    long[] flat = new long[rows.length];
    int[] tokens = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      Row row = state[rows[i]];
      int offset = logitRow[i] * vocab;
      tokens[i] = sampler.sample(weights, offset, vocab, filter, row.random.nextDouble());
      flat[i] = (long) offset + tokens[i];
    }
    float[] chosen = logProbs.reshape(-1).get(owned(step.create(flat))).toFloatArray();
    for (int i = 0; i < rows.length; i++) {
      state[rows[i]].add(tokens[i], chosen[i]);
    }
  }

  private static int[] identity(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  /** Checks the row's last token against the stop ids, the stop strings and the budget. */
  private boolean finishIfDone(Row row) {
    int token = (int) row.tokens[row.count - 1];
    if (stopIds[token]) {
      row.finish(tokenizer.decode(Arrays.copyOf(row.tokens, row.count - 1)), FinishReason.STOP);
      return true;
    }
    if (!stopStrings.isEmpty()) {
      String tail =
          tokenizer.decode(
              Arrays.copyOfRange(row.tokens, Math.max(0, row.count - stopWindow), row.count));
      if (stopStrings.stream().anyMatch(tail::contains)) {
        String text = tokenizer.decode(Arrays.copyOf(row.tokens, row.count));
        int cut = firstStop(text);
        if (cut >= 0) {
          row.finish(text.substring(0, cut), FinishReason.STOP);
          return true;
        }
      }
    }
    if (row.count == row.tokens.length) {
      row.finish(tokenizer.decode(row.tokens), FinishReason.LENGTH);
      return true;
    }
    return false;
  }

  /** The index of the earliest stop string in {@code text}, or -1. */
  private int firstStop(String text) {
    int cut = -1;
    for (String stop : stopStrings) {
      int at = text.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) {
        cut = at;
      }
    }
    return cut;
  }

  /** The state of one response while it is generated. */
  private static final class Row {
    final Unit unit;
    final SplittableRandom random;
    final long[] tokens;
    int count;
    double logProb;
    Generation result;

    Row(Unit unit, SplittableRandom random, int maxNew) {
      this.unit = unit;
      this.random = random;
      this.tokens = new long[maxNew];
    }

    void add(int token, float logProbability) {
      tokens[count++] = token;
      logProb += logProbability;
    }

    void finish(String text, FinishReason reason) {
      List<Long> ids = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        ids.add(tokens[i]);
      }
      result = new Generation(unit.sampleIndex(), text, ids, Math.min(0, logProb), reason);
    }
  }
}
