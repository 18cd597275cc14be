package dev.rlhf4j.reward.preference;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.PaddedBatch;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.Truncation;
import dev.rlhf4j.reward.internal.AnswerTokens;
import dev.rlhf4j.reward.internal.Buckets;
import dev.rlhf4j.reward.internal.LazyFingerprint;
import dev.rlhf4j.reward.internal.PadTokens;
import dev.rlhf4j.reward.internal.ScoringModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pairwise preference model read from a causal LM (paper §2.2, "Preference model
 * construction"): the LM is shown {@code [CONTEXT] x [RESPONSE A] a1 [RESPONSE B] a2} as a user
 * message through its own chat template, followed by the generation prompt ({@link
 * PreferenceFormat}), and {@code P_A(a1, a2) = softmax(ℓ_A, ℓ_B)[0] = σ(ℓ_A − ℓ_B)} where {@code
 * ℓ_A} and {@code ℓ_B} are the next-token logits of the single tokens "A" and "B".
 *
 * <p>To cancel position bias, {@link #probabilityFirstPreferred(List)} asks both orders and
 * returns {@code ½ (P_A(a1, a2) + 1 − P_A(a2, a1))}, so that the probabilities of {@code (a, b)}
 * and {@code (b, a)} sum to 1. {@link #probabilityAInOrder(List)} gives the one-order reading.
 *
 * <p>The answer tokens are checked when the model is built: "A" and "B", rendered as the
 * assistant's reply, must each encode to exactly one token (with or without a word-start marker,
 * as the tokenizer does it); otherwise {@code build()} throws, naming the answer and its
 * encoding.
 *
 * <p>Inputs are left-padded (the last real token of every row is the last slot) and batched by
 * length, at most {@link #maxBatchSize()} rows a forward pass (each comparison is two rows), each
 * pass in its own native-memory scope. An input longer than {@link #maxLength()} keeps its last
 * tokens ({@link Truncation#KEEP_END}, the default: the start of the context is dropped) or is
 * refused ({@link Truncation#FAIL}).
 *
 * <p><b>Ownership.</b> A model built by {@link #fromDirectory} owns its LM and tokenizer and
 * closes both; one built by {@link #of} borrows them (the caller closes them after this model).
 *
 * <p><b>Threads.</b> {@link #probabilityFirstPreferred} may run on several threads at once;
 * {@link #close} must not overlap other calls.
 */
public final class LmPreferenceModel implements PreferenceModel {
  /** The default number of rows per forward pass. */
  public static final int DEFAULT_MAX_BATCH_SIZE = 8;

  /** The default maximum input length, in tokens. */
  public static final int DEFAULT_MAX_LENGTH = 4096;

  private final CausalLm lm;
  private final HfTokenizer tokenizer;
  private final boolean owns;
  private final long tokenA;
  private final long tokenB;
  private final long padTokenId;
  private final int maxBatchSize;
  private final int maxLength;
  private final Truncation truncation;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Path directory;
  private final LazyFingerprint files; // null for weights in memory only

  private LmPreferenceModel(
      Builder b, ScoringModelBuilder.Settings settings, CausalLm lm, HfTokenizer tokenizer,
      long[] answers) {
    this.lm = lm;
    this.tokenizer = tokenizer;
    this.owns = b.directory != null;
    this.directory = b.directory;
    this.files =
        b.directory == null ? null : new LazyFingerprint(() -> Fingerprint.ofPath(b.directory));
    this.tokenA = answers[0];
    this.tokenB = answers[1];
    this.padTokenId = PadTokens.safePad(tokenizer);
    this.maxBatchSize = settings.maxBatchSize();
    this.maxLength = settings.maxLength();
    this.truncation = settings.truncation();
  }

  /**
   * A preference model loaded from a Hugging Face causal-LM directory (weights, config and
   * tokenizer with a chat template). The built model owns and closes both. The LM is loaded
   * frozen (no gradient arrays), as judging needs; set {@code trainable(true)} to train it with a
   * {@link PreferenceTrainer}.
   *
   * @throws IllegalArgumentException if directory is null
   */
  public static Builder fromDirectory(Path directory) {
    checkArgument(directory != null, "directory must not be null");
    return new Builder(directory, null, null);
  }

  /**
   * A preference model over an LM and its tokenizer, both borrowed: the caller closes them after
   * this model. {@link PreferenceTrainer} evaluates through such a view.
   *
   * @throws IllegalArgumentException if an argument is null
   */
  public static Builder of(CausalLm lm, HfTokenizer tokenizer) {
    checkArgument(lm != null, "lm must not be null");
    checkArgument(tokenizer != null, "tokenizer must not be null");
    return new Builder(null, lm, tokenizer);
  }

  /**
   * For each comparison, P(first ≻ second) averaged over both orders: {@code ½ (P_A(first,
   * second) + 1 − P_A(second, first))}.
   *
   * @throws IllegalArgumentException if batch is null or holds a null, or an input is too long
   *     under {@link Truncation#FAIL}
   * @throws IllegalStateException if the model is closed
   * @throws Rlhf4jException if the engine fails or a logit is not finite
   */
  @Override
  public double[] probabilityFirstPreferred(List<Comparison> batch) {
    checkArgument(batch != null, "batch must not be null");
    List<Comparison> both = new ArrayList<>(2 * batch.size());
    for (int i = 0; i < batch.size(); i++) {
      checkArgument(batch.get(i) != null, "batch[%s] must not be null", i);
      both.add(batch.get(i));
    }
    for (Comparison c : batch) {
      both.add(c.swapped());
    }
    double[] margins = logitMargins(both, batch.size());
    double[] out = new double[batch.size()];
    int n = batch.size();
    for (int i = 0; i < n; i++) {
      out[i] = 0.5 * (sigmoid(margins[i]) + sigmoid(-margins[n + i]));
    }
    return out;
  }

  /**
   * For each comparison, the one-order probability {@code P_A = σ(ℓ_A − ℓ_B)} with {@code first}
   * shown as response A: the raw reading, subject to position bias.
   *
   * @throws IllegalArgumentException if batch is null or holds a null, or an input is too long
   *     under {@link Truncation#FAIL}
   * @throws IllegalStateException if the model is closed
   * @throws Rlhf4jException if the engine fails or a logit is not finite
   */
  public double[] probabilityAInOrder(List<Comparison> batch) {
    checkArgument(batch != null, "batch must not be null");
    double[] margins = logitMargins(batch, batch.size());
    for (int i = 0; i < margins.length; i++) {
      margins[i] = sigmoid(margins[i]);
    }
    return margins;
  }

  /**
   * The token ids the LM reads for a comparison: the {@link PreferenceFormat} instruction as a
   * user turn, rendered with the generation prompt and encoded without adding special tokens,
   * truncated as configured.
   *
   * @throws IllegalArgumentException if comparison is null, or the input is too long under
   *     {@link Truncation#FAIL}
   * @throws IllegalStateException if the model is closed
   */
  public long[] tokenize(Comparison comparison) {
    checkArgument(comparison != null, "comparison must not be null");
    checkOpen();
    return encode(comparison, 0);
  }

  private long[] encode(Comparison c, int index) {
    long[] ids =
        tokenizer.encodeChat(
            PreferenceFormat.messages(c.prompt(), c.first(), c.second()), true);
    if (ids.length <= maxLength) {
      return ids;
    }
    checkArgument(
        truncation == Truncation.KEEP_END,
        "comparison %s renders to %s tokens, more than maxLength %s; raise maxLength or use"
            + " Truncation.KEEP_END",
        index,
        ids.length,
        maxLength);
    return Arrays.copyOfRange(ids, ids.length - maxLength, ids.length);
  }

  /**
   * ℓ_A − ℓ_B at the last position of each comparison, in order; errors name comparison {@code i
   * mod distinct} (the swapped copies follow the originals).
   */
  private double[] logitMargins(List<Comparison> comparisons, int distinct) {
    checkOpen();
    List<long[]> ids = new ArrayList<>(comparisons.size());
    for (int i = 0; i < comparisons.size(); i++) {
      ids.add(encode(comparisons.get(i), i % distinct));
    }
    double[] out = new double[ids.size()];
    if (ids.isEmpty()) {
      return out;
    }
    int[] lengths = ids.stream().mapToInt(s -> s.length).toArray();
    try (NDManager manager = NDManager.newBaseManager(lm.options().device())) {
      for (int[] bucket : Buckets.byLength(lengths, maxBatchSize)) {
        List<long[]> rows = new ArrayList<>(bucket.length);
        for (int i : bucket) {
          rows.add(ids.get(i));
        }
        try (NDManager scope = manager.newSubManager()) {
          PaddedBatch padded = PaddedBatch.of(rows, padTokenId, PaddedBatch.Side.LEFT, scope);
          double[] margins;
          // left padding puts every row's answer position in the last slot: project only it
          try (NDArray logits =
              lm.nextTokenLogits(padded.ids(), padded.attentionMask(), null, null)) {
            margins = answerMargins(logits, tokenA, tokenB);
          } catch (EngineException e) {
            throw new Rlhf4jException("the preference model's forward pass failed", e);
          }
          for (int k = 0; k < bucket.length; k++) {
            if (!Double.isFinite(margins[k])) {
              throw new Rlhf4jException(
                  "the preference model gave a non-finite answer logit margin " + margins[k]
                      + " for comparison " + bucket[k] % distinct);
            }
            out[bucket[k]] = margins[k];
          }
        }
      }
    }
    return out;
  }

  /** ℓ_A − ℓ_B of each row of next-token logits {@code [B, V]}. */
  static double[] answerMargins(NDArray logits, long tokenA, long tokenB) {
    NDArray margin = logits.get(":, " + tokenA).sub(logits.get(":, " + tokenB));
    return margin.toType(DataType.FLOAT64, false).toDoubleArray();
  }

  private static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  /** The LM (owned or borrowed, see the class documentation). */
  public CausalLm lm() {
    return lm;
  }

  /** The tokenizer (owned or borrowed, see the class documentation). */
  public HfTokenizer tokenizer() {
    return tokenizer;
  }

  /** The id of the single token "A". */
  public long tokenA() {
    return tokenA;
  }

  /** The id of the single token "B". */
  public long tokenB() {
    return tokenB;
  }

  /** The id written into padded slots (masked; never an EOS id). */
  public long padTokenId() {
    return padTokenId;
  }

  /** Rows per forward pass, at most. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** Tokens per input, at most. */
  public int maxLength() {
    return maxLength;
  }

  /** What happens to a longer input. */
  public Truncation truncation() {
    return truncation;
  }

  /**
   * {@inheritDoc}
   *
   * <p>For a model built by {@link #fromDirectory}: the SHA-256 of every file of the directory
   * (read once, on the first call; see {@link Fingerprint} for the cost) and the settings that
   * change probabilities (maximum batch size and length, truncation). Empty for a model built by
   * {@link #of}, whose weights are in memory only.
   *
   * @throws Rlhf4jException if a file of the directory cannot be read
   */
  @Override
  public Optional<Fingerprint> fingerprint() {
    if (files == null) {
      return Optional.empty();
    }
    return Optional.of(
        files.withSettings(
            "maxBatchSize", Integer.toString(maxBatchSize),
            "maxLength", Integer.toString(maxLength),
            "truncation", truncation.name()));
  }

  /** Closes what this model owns (see the class documentation). Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && owns) {
      try {
        lm.close();
      } finally {
        tokenizer.close();
      }
    }
  }

  private void checkOpen() {
    checkState(!closed.get(), "this preference model is closed");
  }

  /**
   * Settings of an {@link LmPreferenceModel}. Defaults: {@value
   * LmPreferenceModel#DEFAULT_MAX_BATCH_SIZE} rows per forward pass (each comparison is two
   * rows), inputs of at most {@value LmPreferenceModel#DEFAULT_MAX_LENGTH} tokens kept at their
   * end, and {@link ModelOptions#defaults()} for {@link LmPreferenceModel#fromDirectory}. Each
   * setter checks its own range. Not thread-safe.
   */
  public static final class Builder extends ScoringModelBuilder<Builder> {
    private final Path directory;
    private final CausalLm givenLm;
    private final HfTokenizer givenTokenizer;

    private Builder(Path directory, CausalLm lm, HfTokenizer tokenizer) {
      super(DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_LENGTH);
      this.directory = directory;
      this.givenLm = lm;
      this.givenTokenizer = tokenizer;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Loads the LM if needed, checks the answer tokens and builds the model.
     *
     * @throws IllegalArgumentException if "A" or "B" is not a single token (naming it and its
     *     encoding), or the tokenizer has no chat template
     * @throws IllegalStateException if a borrowed LM or tokenizer is closed
     * @throws Rlhf4jException if the directory cannot be loaded (the message names the file)
     */
    public LmPreferenceModel build() {
      CausalLm lm = givenLm;
      HfTokenizer tokenizer = givenTokenizer;
      try {
        if (directory != null) {
          checkArgument(
              Files.isDirectory(directory), "%s is not a directory", directory.toAbsolutePath());
          tokenizer = HfTokenizer.load(directory);
          lm =
              trainable()
                  ? CausalLm.load(directory, modelOptions())
                  : CausalLm.loadFrozen(directory, modelOptions());
        }
        requireChatTemplate(tokenizer, "the preference model renders its prompt with it");
        long[] answers =
            AnswerTokens.resolve(
                tokenizer, List.of(PreferenceFormat.ANSWER_A, PreferenceFormat.ANSWER_B));
        checkArgument(
            Math.max(answers[0], answers[1]) < lm.config().vocabSize(),
            "the answer tokens %s are outside the LM's vocabulary of %s",
            Arrays.toString(answers),
            lm.config().vocabSize());
        return new LmPreferenceModel(this, settings(lm.config()), lm, tokenizer, answers);
      } catch (RuntimeException e) {
        if (directory != null) {
          if (lm != null) {
            lm.close();
          }
          if (tokenizer != null) {
            tokenizer.close();
          }
        }
        throw e;
      }
    }
  }
}
