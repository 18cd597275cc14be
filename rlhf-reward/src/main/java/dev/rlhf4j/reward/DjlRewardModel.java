package dev.rlhf4j.reward;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ClassifierOutput;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.PaddedBatch;
import dev.rlhf4j.models.PeftAdapter;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.checkpoint.StorageType;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.internal.Buckets;
import dev.rlhf4j.reward.internal.LazyFingerprint;
import dev.rlhf4j.reward.internal.ModelFiles;
import dev.rlhf4j.reward.internal.PadTokens;
import dev.rlhf4j.reward.internal.ScoringModelBuilder;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Bradley–Terry reward model (paper §2.2) on DJL: a {@link SequenceClassifier} with one label
 * (a scalar head over the last hidden state) and the tokenizer whose chat template renders its
 * inputs. {@code r(x, a)} is the head's output at the last real token of the conversation {@code
 * x + [assistant: a]} rendered with <em>this model's</em> chat template, whatever template the
 * policy uses.
 *
 * <pre>{@code
 * try (DjlRewardModel rm = DjlRewardModel.fromDirectory(Path.of("models/rm"))
 *     .maxBatchSize(32).build()) {
 *   double r = rm.score(List.of(Message.user("Hi")), "Hello! How can I help?");
 * }
 * }</pre>
 *
 * <p><b>Batching.</b> {@link #score(List)} tokenises every request, sorts them by length, runs
 * chunks of at most {@link #maxBatchSize()} (each padded to its own longest member, each in its
 * own native-memory scope) and returns the scores in request order.
 *
 * <p><b>Padding.</b> Padded slots are masked, and the classifier reads each score at the last
 * token whose mask is 1, so padding side and pad id never change a score. The pad id is the
 * tokenizer's pad token unless that is absent or an EOS id; then it is the unknown token or the
 * smallest non-EOS id (see {@link #padTokenId()}). {@link #save} writes it as {@code
 * pad_token_id} so that transformers, which reads the score at the last token that is not the
 * pad id, agrees.
 *
 * <p><b>Truncation.</b> An input longer than {@link #maxLength()} tokens keeps its last tokens
 * ({@link Truncation#KEEP_END}, the default) or is refused ({@link Truncation#FAIL}).
 *
 * <p><b>Normalisation.</b> Optional: {@code (raw − mean) / std} with the mean and standard
 * deviation of a reference set ({@link #calibrate}); it is saved in the {@value
 * #SIDECAR_FILE} file of the directory and read back by {@link #fromDirectory}.
 *
 * <p><b>Determinism.</b> The same requests in the same order, scored by the same weights on the
 * same machine, give bit-identical scores (the batches have the same shapes). The same request in
 * another batch (other rows, batch size or padding width) gets the same score only up to float32
 * rounding, about 1e-6 relative: CPU kernels (e.g. AVX-512) may treat rows differently. Compare
 * such scores with a tolerance.
 *
 * <p><b>Ownership</b> follows the package's one rule: the model owns what it opens or creates
 * and borrows what it is given. A model built by {@link #fromDirectory} or {@link
 * #fromCausalLm(Path, long)} owns its classifier and tokenizer and closes both. One built by
 * {@link #fromCausalLm(CausalLm, HfTokenizer, long)} owns the new classifier and borrows the LM
 * and the tokenizer. One built by {@link #of} borrows both: the caller closes them after this
 * model.
 *
 * <p><b>Threads.</b> {@link #score}, {@link #scoreRaw}, {@link #scoreIds}, {@link #tokenize}
 * and {@link #save} may be called from several threads at once; {@link #calibrate} replaces the
 * normalisation atomically. {@link #close} may be called at any time from any thread: it waits
 * for the calls already running to complete, then closes what the model owns, and every call that
 * starts after it fails with an {@link IllegalStateException} saying the model is closed. So each
 * call either completes normally or fails with that error, never with an engine error about
 * released native memory. (The objects returned by {@link #classifier()} and {@link #tokenizer()}
 * are not guarded: using them after {@link #close} fails in DJL.)
 */
public final class DjlRewardModel implements RewardModel {
  /** The default number of sequences per forward pass. */
  public static final int DEFAULT_MAX_BATCH_SIZE = 16;

  /** The default maximum input length, in tokens. */
  public static final int DEFAULT_MAX_LENGTH = 2048;

  /**
   * The sidecar file {@link #save} writes next to the weights: the normalisation and the pad id,
   * as JSON ({@code {"format_version": 1, "normalization": {"mean": m, "std": s} | null,
   * "pad_token_id": id}}). Transformers ignores it.
   */
  public static final String SIDECAR_FILE = "rlhf4j_reward.json";

  private static final Logger LOG = LoggerFactory.getLogger(DjlRewardModel.class);

  private final SequenceClassifier classifier;
  private final HfTokenizer tokenizer;
  private final boolean ownsClassifier;
  private final boolean ownsTokenizer;
  private final int maxBatchSize;
  private final int maxLength;
  private final Truncation truncation;
  private final long padTokenId;
  private volatile RewardNormalization normalization;
  private final String name;
  private final Path directory;
  private final LazyFingerprint files; // null for weights in memory only
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle

  private DjlRewardModel(
      Builder b, ScoringModelBuilder.Settings settings, SequenceClassifier classifier,
      HfTokenizer tokenizer) {
    this.classifier = classifier;
    this.tokenizer = tokenizer;
    this.ownsClassifier = b.ownsClassifier;
    this.ownsTokenizer = b.ownsTokenizer;
    this.maxBatchSize = settings.maxBatchSize();
    this.maxLength = settings.maxLength();
    this.truncation = settings.truncation();
    this.normalization = b.normalization;
    this.padTokenId = b.padTokenId >= 0 ? b.padTokenId : PadTokens.safePad(tokenizer);
    this.directory = b.directory;
    this.files =
        b.directory == null ? null : new LazyFingerprint(() -> Fingerprint.ofPath(b.directory));
    this.name =
        b.directory != null
            ? b.directory.toString()
            : "over a " + classifier.config().architecture().hfName();
    if (tokenizer.padTokenId().isPresent()
        && tokenizer.eosTokenIds().contains(tokenizer.padTokenId().getAsLong())) {
      LOG.debug(
          "the pad token of {} is an EOS token; padding with id {} instead (padded slots are"
              + " masked)",
          tokenizer.directory(),
          padTokenId);
    }
  }

  /**
   * A reward model from a Hugging Face {@code *ForSequenceClassification} directory with one
   * label: {@code config.json}, the safetensors weights, the tokenizer files with a chat
   * template, and, if present, the {@value #SIDECAR_FILE} normalisation. The built model
   * owns and closes the classifier and the tokenizer. The classifier is loaded frozen (no
   * gradient arrays), as scoring needs; set {@code trainable(true)} to go on training it. A PEFT
   * adapter directory (as {@link #save} writes one for a classifier with a LoRA adapter) loads on
   * the base its {@code base_model_name_or_path} names ({@link SequenceClassifier#load}): frozen,
   * with the adapter merged into the weights; with {@code trainable(true)}, with the adapter
   * attached, to train it on.
   *
   * @throws IllegalArgumentException if directory is null
   */
  public static Builder fromDirectory(Path directory) {
    checkArgument(directory != null, "directory must not be null");
    return new Builder(directory, null, null, 0, null);
  }

  /**
   * A reward model initialised from a causal LM (paper §2.2: the SFT model with its last layer
   * replaced by a linear head that predicts a scalar): the backbone is a copy of {@code lm}'s, the
   * scalar head is drawn from {@code seed}. The built model owns the new classifier; {@code lm}
   * is left unchanged and {@code tokenizer} is borrowed (the caller closes both).
   *
   * @throws IllegalArgumentException if lm or tokenizer is null
   */
  public static Builder fromCausalLm(CausalLm lm, HfTokenizer tokenizer, long seed) {
    checkArgument(lm != null, "lm must not be null");
    checkArgument(tokenizer != null, "tokenizer must not be null");
    return new Builder(null, lm, tokenizer, seed, null);
  }

  /**
   * A reward model initialised from the causal LM in a Hugging Face directory (paper §2.2: the SFT
   * model with its last layer replaced by a scalar head drawn from {@code seed}). {@code build()}
   * loads the LM, copies its backbone into a new classifier and closes the LM again, so only the
   * reward model stays in memory; the built model owns the classifier and the tokenizer it
   * loaded from the directory. This is the start of a reward-model training run:
   *
   * <pre>{@code
   * try (DjlRewardModel rm = RewardModels.djlFromCausalLm(sftDir, 42).maxLength(1024).build()) {
   *   RewardTrainer.builder(rm).trainPairs(train).evalPairs(heldOut).build().train();
   *   rm.save(outDir);
   * }
   * }</pre>
   *
   * @throws IllegalArgumentException if directory is null
   */
  public static Builder fromCausalLm(Path directory, long seed) {
    checkArgument(directory != null, "directory must not be null");
    Builder b = new Builder(null, null, null, seed, null);
    b.lmDirectory = directory;
    return b;
  }

  /**
   * A reward model over an existing classifier and tokenizer, both borrowed: the caller closes
   * them after this model. {@link dev.rlhf4j.reward.train.RewardTrainer} scores through such a
   * view while it trains the classifier.
   *
   * @throws IllegalArgumentException if classifier or tokenizer is null
   */
  public static Builder of(SequenceClassifier classifier, HfTokenizer tokenizer) {
    checkArgument(classifier != null, "classifier must not be null");
    checkArgument(tokenizer != null, "tokenizer must not be null");
    return new Builder(null, null, tokenizer, 0, classifier);
  }

  /**
   * The rewards of a batch: raw scores, normalised when a {@link #normalization()} is set.
   *
   * @throws IllegalArgumentException if batch is null or holds a null, or an input is too long
   *     under {@link Truncation#FAIL}
   * @throws IllegalStateException if the model is closed
   * @throws Rlhf4jException if the engine fails or a score is not finite
   */
  @Override
  public double[] score(List<ScoreRequest> batch) {
    double[] raw = scoreRaw(batch);
    RewardNormalization n = normalization;
    if (n != null) {
      for (int i = 0; i < raw.length; i++) {
        raw[i] = n.apply(raw[i]);
      }
    }
    return raw;
  }

  /**
   * The raw scores of a batch, ignoring the normalisation.
   *
   * @throws IllegalArgumentException if batch is null or holds a null, or an input is too long
   *     under {@link Truncation#FAIL}
   * @throws IllegalStateException if the model is closed
   * @throws Rlhf4jException if the engine fails or a score is not finite
   */
  public double[] scoreRaw(List<ScoreRequest> batch) {
    checkArgument(batch != null, "batch must not be null");
    return whileOpen(
        () -> {
          List<long[]> ids = new ArrayList<>(batch.size());
          for (int i = 0; i < batch.size(); i++) {
            checkArgument(batch.get(i) != null, "batch[%s] must not be null", i);
            ids.add(encode(batch.get(i), i));
          }
          return scoreOpen(ids);
        });
  }

  /**
   * The token ids this model scores for a request: the conversation {@code prompt + [assistant:
   * response]} rendered with the tokenizer's chat template (no generation prompt) and encoded
   * without adding special tokens (the template writes them), truncated as configured.
   *
   * @throws IllegalArgumentException if request is null, or the input is too long under {@link
   *     Truncation#FAIL}
   * @throws IllegalStateException if the model is closed
   */
  public long[] tokenize(ScoreRequest request) {
    checkArgument(request != null, "request must not be null");
    return whileOpen(() -> encode(request, 0));
  }

  private long[] encode(ScoreRequest request, int index) {
    List<Message> conversation = new ArrayList<>(request.prompt());
    conversation.add(Message.assistant(request.response()));
    long[] ids = tokenizer.encodeChat(conversation, false);
    checkArgument(ids.length > 0, "request %s renders to no tokens", index);
    if (ids.length <= maxLength) {
      return ids;
    }
    checkArgument(
        truncation == Truncation.KEEP_END,
        "request %s renders to %s tokens, more than maxLength %s; raise maxLength or use"
            + " Truncation.KEEP_END",
        index,
        ids.length,
        maxLength);
    return Arrays.copyOfRange(ids, ids.length - maxLength, ids.length);
  }

  /**
   * The raw scores of already tokenised sequences, batched by length, in input order.
   *
   * @throws IllegalArgumentException if a sequence is empty
   * @throws IllegalStateException if the model is closed
   * @throws Rlhf4jException if the engine fails or a score is not finite
   */
  public double[] scoreIds(List<long[]> sequences) {
    checkArgument(sequences != null, "sequences must not be null");
    return whileOpen(() -> scoreOpen(sequences));
  }

  private double[] scoreOpen(List<long[]> sequences) {
    double[] out = new double[sequences.size()];
    if (sequences.isEmpty()) {
      return out;
    }
    int[] lengths = sequences.stream().mapToInt(s -> s.length).toArray();
    try (NDManager manager = NDManager.newBaseManager(classifier.options().device())) {
      for (int[] bucket : Buckets.byLength(lengths, maxBatchSize)) {
        List<long[]> rows = new ArrayList<>(bucket.length);
        for (int i : bucket) {
          rows.add(sequences.get(i));
        }
        try (NDManager scope = manager.newSubManager()) {
          PaddedBatch padded = PaddedBatch.of(rows, padTokenId, PaddedBatch.Side.RIGHT, scope);
          double[] scores;
          try (ClassifierOutput output = classifier.forward(padded.ids(), padded.attentionMask())) {
            scores = output.scores().toType(DataType.FLOAT64, false).toDoubleArray();
          } catch (EngineException e) {
            throw new Rlhf4jException("the reward model's forward pass failed", e);
          }
          for (int k = 0; k < bucket.length; k++) {
            if (!Double.isFinite(scores[k])) {
              throw new Rlhf4jException(
                  "the reward model gave a non-finite score " + scores[k] + " to request "
                      + bucket[k] + " (" + rows.get(k).length + " tokens)");
            }
            out[bucket[k]] = scores[k];
          }
        }
      }
    }
    return out;
  }

  /**
   * Measures the mean and standard deviation of the raw scores of {@code reference} and uses
   * them from now on: later {@link #score} calls return {@code (raw − mean) / std}. {@link #save}
   * stores them.
   *
   * @return the new normalisation
   * @throws IllegalArgumentException if reference is null, holds a null, has fewer than 2
   *     requests, or its scores are all equal up to rounding (see {@link RewardNormalization#of})
   * @throws IllegalStateException if the model is closed
   */
  public RewardNormalization calibrate(Iterable<ScoreRequest> reference) {
    checkArgument(reference != null, "reference must not be null");
    List<ScoreRequest> all = new ArrayList<>();
    Iterator<ScoreRequest> it = reference.iterator();
    while (it.hasNext()) {
      all.add(it.next());
    }
    RewardNormalization measured = RewardNormalization.of(scoreRaw(all));
    normalization = measured;
    return measured;
  }

  /** The normalisation applied by {@link #score}, if any. */
  public Optional<RewardNormalization> normalization() {
    return Optional.ofNullable(normalization);
  }

  /**
   * Sets or clears (null) the normalisation applied by {@link #score}.
   *
   * @throws IllegalStateException if the model is closed
   */
  public void setNormalization(RewardNormalization newNormalization) {
    whileOpen(
        () -> {
          normalization = newNormalization;
          return null;
        });
  }

  /**
   * Writes the model as a Hugging Face {@code *ForSequenceClassification} directory that this
   * class and transformers both load: {@code config.json} (with {@code pad_token_id} = {@link
   * #padTokenId()}), {@code model.safetensors}, the tokenizer files of the tokenizer's directory,
   * and the {@value #SIDECAR_FILE} sidecar (normalisation and pad id).
   *
   * <p>A classifier that carries a LoRA adapter is written as a PEFT adapter directory instead
   * ({@link PeftAdapter#save}): {@code adapter_config.json} ({@code task_type "SEQ_CLS"}, {@code
   * modules_to_save ["score"]}, {@code base_model_name_or_path} = the directory the backbone came
   * from), {@code adapter_model.safetensors} (the adapter, and the score head as {@code
   * base_model.model.score.weight}, where PEFT saves {@code modules_to_save}), the tokenizer files
   * and the sidecar, which is where the pad id lives (the base's {@code config.json} is not
   * copied). {@link #fromDirectory} loads it back on its base; {@link #saveMerged} writes a plain
   * directory.
   *
   * @throws IllegalArgumentException if directory is null
   * @throws IllegalStateException if the model is closed
   * @throws UncheckedIOException if a file cannot be written
   */
  public void save(Path directory) {
    checkArgument(directory != null, "directory must not be null");
    whileOpen(
        () -> {
          if (classifier.loraConfig().isPresent()) {
            PeftAdapter.save(classifier, directory);
          } else {
            classifier.save(directory);
            ModelFiles.writePadTokenId(directory, padTokenId);
          }
          ModelFiles.copyTokenizerFiles(tokenizer.directory(), directory);
          ModelFiles.writeSidecar(directory, normalization(), padTokenId);
          return null;
        });
  }

  /**
   * Writes the model with its LoRA adapter merged into the weights (PEFT's {@code
   * merge_and_unload}: each adapted weight becomes {@code W + (alpha/r) · B A}, the trained score
   * head in place) as the plain Hugging Face directory {@link #save} writes for a model without an
   * adapter, which transformers loads unchanged; the model itself keeps its adapter. Without an
   * adapter it is {@link #save}.
   *
   * @throws IllegalArgumentException if directory is null
   * @throws IllegalStateException if the model is closed
   * @throws UncheckedIOException if a file cannot be written
   */
  public void saveMerged(Path directory) {
    checkArgument(directory != null, "directory must not be null");
    whileOpen(
        () -> {
          if (classifier.loraConfig().isEmpty()) {
            classifier.save(directory);
          } else {
            PeftAdapter.saveMerged(classifier, directory, StorageType.F32);
          }
          ModelFiles.writePadTokenId(directory, padTokenId);
          ModelFiles.copyTokenizerFiles(tokenizer.directory(), directory);
          ModelFiles.writeSidecar(directory, normalization(), padTokenId);
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>For a model built by {@link #fromDirectory}: the SHA-256 of every file of the directory
   * (read once, on the first call; see {@link Fingerprint} for the cost) and the settings that
   * change scores (maximum batch size and length, truncation, pad id, normalisation). Empty for a
   * model built by {@link #fromCausalLm} or {@link #of}, whose weights are in memory only.
   *
   * @throws Rlhf4jException if a file of the directory cannot be read
   */
  @Override
  public Optional<Fingerprint> fingerprint() {
    if (files == null) {
      return Optional.empty();
    }
    RewardNormalization n = normalization;
    return Optional.of(
        files.withSettings(
            "maxBatchSize", Integer.toString(maxBatchSize),
            "maxLength", Integer.toString(maxLength),
            "truncation", truncation.name(),
            "padTokenId", Long.toString(padTokenId),
            "normalization", n == null ? "none" : n.toString()));
  }

  /** The classifier (owned or borrowed, see the class documentation). */
  public SequenceClassifier classifier() {
    return classifier;
  }

  /** The tokenizer (owned or borrowed, see the class documentation). */
  public HfTokenizer tokenizer() {
    return tokenizer;
  }

  /** The id written into padded slots: never an EOS id unless chosen explicitly. */
  public long padTokenId() {
    return padTokenId;
  }

  /** Sequences per forward pass, at most. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** Tokens per input, at most. */
  public int maxLength() {
    return maxLength;
  }

  /** What happens to longer inputs. */
  public Truncation truncation() {
    return truncation;
  }

  /**
   * Waits for the calls already running, then closes what this model owns (see the class
   * documentation); later calls fail with an {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (ownsClassifier) {
          classifier.close();
        }
      } finally {
        if (ownsTokenizer) {
          tokenizer.close();
        }
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * Runs {@code action} while the model cannot be closed: {@link #close} waits for it to finish.
   *
   * @throws IllegalStateException if the model is closed
   */
  private <T> T whileOpen(Supplier<T> action) {
    lifecycle.readLock().lock();
    try {
      checkState(
          !closed,
          "the DJL reward model %s is closed; build a new one to score again",
          name);
      return action.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "DjlRewardModel[" + classifier.config().architecture().hfName() + ", maxBatchSize="
        + maxBatchSize + ", maxLength=" + maxLength + ", padTokenId=" + padTokenId
        + ", normalization=" + normalization + "]";
  }

  /**
   * Settings of a {@link DjlRewardModel}; the weights' source is given to the factory method.
   * Defaults: {@value DjlRewardModel#DEFAULT_MAX_BATCH_SIZE} sequences per forward pass, inputs
   * of at most {@value DjlRewardModel#DEFAULT_MAX_LENGTH} tokens kept at their end, the
   * normalisation saved in the directory (if any), the safe pad id, and {@link
   * ModelOptions#defaults()} for {@link DjlRewardModel#fromDirectory}. Each setter checks its own
   * range; {@link #build()} loads or copies the weights. Not thread-safe.
   */
  public static final class Builder extends ScoringModelBuilder<Builder> {
    private final Path directory;
    private final CausalLm lm;
    private final HfTokenizer givenTokenizer;
    private final long seed;
    private final SequenceClassifier givenClassifier;
    private boolean ownsClassifier;
    private boolean ownsTokenizer;
    private RewardNormalization normalization;
    private boolean normalizationSet;
    private long padTokenId = -1;
    private Path lmDirectory;

    private Builder(
        Path directory, CausalLm lm, HfTokenizer tokenizer, long seed,
        SequenceClassifier classifier) {
      super(DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_LENGTH);
      this.directory = directory;
      this.lm = lm;
      this.givenTokenizer = tokenizer;
      this.seed = seed;
      this.givenClassifier = classifier;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The normalisation to apply, or null for none; overrides the one saved in the directory.
     */
    public Builder normalization(RewardNormalization value) {
      this.normalization = value;
      this.normalizationSet = true;
      return this;
    }

    /**
     * The id to pad with, instead of the {@linkplain DjlRewardModel#padTokenId() safe default}.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder padTokenId(long value) {
      checkArgument(value >= 0, "padTokenId must be >= 0 but was %s", value);
      this.padTokenId = value;
      return this;
    }

    /**
     * Loads or creates the classifier and builds the model.
     *
     * @throws IllegalArgumentException if the classifier does not have exactly one label, the
     *     pad id is not below the vocabulary size, or the tokenizer has no chat template
     * @throws IllegalStateException if a borrowed model is closed
     * @throws Rlhf4jException if the directory's tokenizer, configuration or weights cannot be
     *     loaded (the message names the file)
     * @throws UncheckedIOException if {@code config.json} cannot be read
     */
    public DjlRewardModel build() {
      SequenceClassifier classifier = null;
      HfTokenizer tokenizer = null;
      ownsClassifier = givenClassifier == null;
      ownsTokenizer = directory != null || lmDirectory != null;
      try {
        if (lmDirectory != null) {
          checkArgument(
              Files.isDirectory(lmDirectory), "%s is not a directory",
              lmDirectory.toAbsolutePath());
          tokenizer = HfTokenizer.load(lmDirectory);
          // frozen: only copied; the classifier built from it is trainable
          try (CausalLm base = CausalLm.loadFrozen(lmDirectory, modelOptions())) {
            classifier = SequenceClassifier.fromCausalLm(base, 1, seed);
          }
        } else if (directory != null) {
          checkArgument(
              Files.isDirectory(directory), "%s is not a directory", directory.toAbsolutePath());
          tokenizer = HfTokenizer.load(directory);
          classifier =
              trainable()
                  ? SequenceClassifier.load(directory, modelOptions())
                  : SequenceClassifier.loadFrozen(directory, modelOptions());
          if (!normalizationSet) {
            normalization = ModelFiles.readNormalization(directory).orElse(null);
          }
        } else if (lm != null) {
          tokenizer = givenTokenizer;
          classifier = SequenceClassifier.fromCausalLm(lm, 1, seed);
        } else {
          tokenizer = givenTokenizer;
          classifier = givenClassifier;
          classifier.parameters();
        }
        checkArgument(
            classifier.config().numLabels() == 1,
            "a reward model needs num_labels = 1 but %s has %s",
            classifier.config().architecture().hfName(),
            classifier.config().numLabels());
        requireChatTemplate(tokenizer, "the reward model renders its inputs with it");
        DjlRewardModel model = new DjlRewardModel(this, settings(classifier.config()), classifier, tokenizer);
        checkArgument(
            model.padTokenId < classifier.config().vocabSize(),
            "padTokenId %s must be below the vocabulary size %s",
            model.padTokenId,
            classifier.config().vocabSize());
        return model;
      } catch (RuntimeException e) {
        if (ownsClassifier && classifier != null) {
          classifier.close();
        }
        if (ownsTokenizer && tokenizer != null) {
          tokenizer.close();
        }
        throw e;
      }
    }
  }
}
