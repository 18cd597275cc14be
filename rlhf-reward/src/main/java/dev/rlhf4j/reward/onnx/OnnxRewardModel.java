package dev.rlhf4j.reward.onnx;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.internal.LazyFingerprint;
import dev.rlhf4j.reward.internal.ModelFiles;
import dev.rlhf4j.reward.onnx.internal.ClassifierGraph;
import dev.rlhf4j.reward.onnx.internal.ExternalDataCheck;
import dev.rlhf4j.reward.onnx.internal.ModelSignature;
import dev.rlhf4j.reward.onnx.internal.OrtChunk;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reward model served by ONNX Runtime: any ONNX model with the Optimum sequence-classification
 * signature (inputs {@code input_ids} and {@code attention_mask}, int64 {@code [batch,
 * sequence]}; output {@code logits} {@code [batch, num_labels]}), such as those written by
 * {@link OnnxExport} or by {@code optimum-cli export onnx --task text-classification}. The reward
 * of a sequence is one column of its logits ({@link Builder#rewardLabel}, by default 0: the
 * Bradley–Terry score r(x, a) of paper eq. 1).
 *
 * <pre>{@code
 * try (HfTokenizer tokenizer = HfTokenizer.load(dir);
 *      OnnxRewardModel rm = OnnxRewardModel.builder(dir).tokenizer(tokenizer).build()) {
 *   double reward = rm.score(List.of(Message.user("Hi")), "Hello!");
 * }
 * }</pre>
 *
 * <p><b>Batching.</b> Sequences are sorted by length, scored in chunks of at most {@link
 * Builder#maxBatchSize} rows padded to the longest of the chunk (on the side chosen with
 * {@link Builder#paddingSide}), and returned in the caller's order. Inputs are passed in
 * direct native-order buffers, which ONNX Runtime reads without copying; every tensor and
 * result is closed when the chunk is done.
 *
 * <p><b>Devices.</b> CPU by default. {@link ExecutionDevice#CUDA} adds the CUDA execution
 * provider; when it cannot be added (the CPU-only {@code onnxruntime} artifact, or no CUDA 12 /
 * cuDNN 9 on the host) a warning is logged and the model runs on the CPU; {@link #device()}
 * says which one is used.
 *
 * <p><b>Threads and ownership.</b> Scoring is thread-safe: {@code OrtSession.run} may be called
 * concurrently and the model holds no other mutable state. {@link #close()} waits for running
 * calls, closes the session (not the process-wide {@code OrtEnvironment}) and is idempotent.
 * Ownership follows the package's one rule: the model owns what it opens and borrows what it is
 * given. A tokenizer passed to {@link Builder#tokenizer} is borrowed and stays open; without one,
 * {@code build()} loads the tokenizer files next to the model (when {@code tokenizer.json} is
 * there), and {@link #close()} closes that tokenizer too.
 */
public final class OnnxRewardModel implements RewardModel {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxRewardModel.class);
  private static final Set<String> OUTPUTS = Set.of(ClassifierGraph.LOGITS);

  private final Path modelFile;
  private final Path directory;
  private final LazyFingerprint files;
  private final OrtEnvironment environment;
  private final SessionOptions sessionOptions;
  private final OrtSession session;
  private final ExecutionDevice device;
  private final OptionalInt numLabels;
  private final HfTokenizer tokenizer;
  private final boolean ownsTokenizer;
  private final int maxBatchSize;
  private final PaddingSide paddingSide;
  private final long padTokenId;
  private final int rewardLabel;
  private final boolean appendEos;
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final AtomicLong openTensors = new AtomicLong();
  private boolean closed;

  private OnnxRewardModel(
      Builder b, Path modelFile, SessionOptions options, OrtSession session,
      ExecutionDevice device, OptionalInt numLabels, long padTokenId) {
    this.modelFile = modelFile;
    this.directory = Files.isDirectory(b.path) ? b.path : modelFile.toAbsolutePath().getParent();
    this.environment = OrtEnvironment.getEnvironment();
    this.sessionOptions = options;
    this.session = session;
    this.device = device;
    this.numLabels = numLabels;
    this.tokenizer = b.tokenizer != null ? b.tokenizer : b.openedTokenizer;
    this.ownsTokenizer = b.tokenizer == null && b.openedTokenizer != null;
    this.maxBatchSize = b.maxBatchSize;
    this.paddingSide = b.paddingSide;
    this.padTokenId = padTokenId;
    this.rewardLabel = b.rewardLabel;
    this.appendEos = b.appendEos;
    this.files = new LazyFingerprint(this::filesFingerprint);
  }

  /**
   * A builder for the model in {@code path}: a directory holding {@value OnnxExport#MODEL_FILE}
   * (and its external data), or an {@code .onnx} file.
   *
   * @throws NullPointerException if {@code path} is null
   */
  public static Builder builder(Path path) {
    return new Builder(checkNotNull(path, "path"));
  }

  /** The model file in use. */
  public Path modelFile() {
    return modelFile;
  }

  /** The execution device actually used: CPU after a CUDA fallback. */
  public ExecutionDevice device() {
    return device;
  }

  /** The number of labels the model declares, empty if its {@code logits} axis is dynamic. */
  public OptionalInt numLabels() {
    return numLabels;
  }

  /** The id written into padded slots. */
  public long padTokenId() {
    return padTokenId;
  }

  /**
   * Scores prompt/response pairs: each is rendered with the tokenizer's chat template ({@link
   * HfTokenizer#encodePromptResponse}) and scored by {@link #scoreIds}. Thread-safe.
   *
   * @throws IllegalStateException if the model was built without a tokenizer, or is closed
   * @throws Rlhf4jException if the tokenizer cannot render a request or ONNX Runtime fails
   */
  @Override
  public double[] score(List<ScoreRequest> batch) {
    checkNotNull(batch, "batch");
    checkState(
        tokenizer != null,
        "scoring text needs a tokenizer, and %s has no tokenizer.json beside it: build with"
            + " OnnxRewardModel.builder(dir).tokenizer(HfTokenizer.load(tokenizerDir)), or call"
            + " scoreIds with token ids",
        modelFile);
    List<long[]> ids = new ArrayList<>(batch.size());
    for (ScoreRequest request : batch) {
      ids.add(tokenizer.encodePromptResponse(request.prompt(), request.response(), appendEos)
          .ids());
    }
    return scoreIds(ids);
  }

  /**
   * The reward of each token-id sequence: column {@link Builder#rewardLabel} of its logits.
   * Thread-safe.
   *
   * @param ids one non-empty sequence per row, unpadded
   * @return one reward per sequence, in order
   * @throws IllegalArgumentException if a sequence is null or empty
   * @throws IllegalStateException if the model is closed
   * @throws Rlhf4jException if ONNX Runtime fails, the logits have fewer columns than the reward
   *     label, or a reward is not finite
   */
  public double[] scoreIds(List<long[]> ids) {
    float[][] logits = logits(ids);
    double[] rewards = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      if (rewardLabel >= logits[i].length) {
        throw new Rlhf4jException(
            modelFile + " returns " + logits[i].length + " logits per row but the reward label"
                + " is " + rewardLabel + "; choose one with rewardLabel(int)");
      }
      rewards[i] = logits[i][rewardLabel];
      if (!Double.isFinite(rewards[i])) {
        throw new Rlhf4jException(
            modelFile + " returned a non-finite reward " + rewards[i] + " for sequence " + i);
      }
    }
    return rewards;
  }

  /**
   * The logits {@code [numLabels]} of each token-id sequence. Thread-safe.
   *
   * @param ids one non-empty sequence per row, unpadded
   * @return one row of logits per sequence, in order
   * @throws IllegalArgumentException if a sequence is null or empty
   * @throws IllegalStateException if the model is closed
   * @throws Rlhf4jException if ONNX Runtime fails or returns logits of an unexpected shape
   */
  public float[][] logits(List<long[]> ids) {
    checkNotNull(ids, "ids");
    List<List<Integer>> chunks = OrtChunk.chunks(ids, maxBatchSize);
    float[][] out = new float[ids.size()][];
    lifecycle.readLock().lock();
    try {
      checkState(!closed, "the ONNX reward model %s is closed", modelFile);
      for (List<Integer> rowsOfChunk : chunks) {
        OrtChunk chunk =
            OrtChunk.pad(ids, rowsOfChunk, paddingSide == PaddingSide.LEFT, padTokenId);
        float[][] rows = run(chunk);
        for (int r = 0; r < rows.length; r++) {
          out[chunk.rows().get(r)] = rows[r];
        }
      }
    } finally {
      lifecycle.readLock().unlock();
    }
    return out;
  }

  private float[][] run(OrtChunk chunk) {
    long[] shape = chunk.shape();
    OnnxTensor ids = null;
    OnnxTensor mask = null;
    try {
      ids = OnnxTensor.createTensor(environment, chunk.ids(), shape);
      openTensors.incrementAndGet();
      mask = OnnxTensor.createTensor(environment, chunk.mask(), shape);
      openTensors.incrementAndGet();
      try (OrtSession.Result result =
          session.run(
              Map.of(ClassifierGraph.INPUT_IDS, ids, ClassifierGraph.ATTENTION_MASK, mask),
              OUTPUTS)) {
        return readLogits(result.get(0), shape);
      }
    } catch (OrtException e) {
      throw new Rlhf4jException(
          "ONNX Runtime failed to score a batch of " + shape[0] + " x " + shape[1]
              + " tokens with " + modelFile + ": " + e.getMessage(),
          e);
    } finally {
      release(ids);
      release(mask);
    }
  }

  private float[][] readLogits(OnnxValue value, long[] shape) {
    if (!(value instanceof OnnxTensor logits)) {
      throw new Rlhf4jException(modelFile + " returned logits that are not a tensor: " + value);
    }
    long[] logitShape = logits.getInfo().getShape();
    if (logitShape.length != 2 || logitShape[0] != shape[0]) {
      throw new Rlhf4jException(
          modelFile + " returned logits of shape " + Arrays.toString(logitShape)
              + " for a batch of " + shape[0] + " rows; expected [" + shape[0]
              + ", num_labels]");
    }
    FloatBuffer flat = logits.getFloatBuffer();
    float[][] rows = new float[Math.toIntExact(shape[0])][Math.toIntExact(logitShape[1])];
    for (float[] row : rows) {
      flat.get(row);
    }
    return rows;
  }

  private void release(OnnxTensor tensor) {
    if (tensor != null) {
      tensor.close();
      if (tensor.isClosed()) {
        openTensors.decrementAndGet();
      }
    }
  }

  /** The tokenizer in use (given, or loaded from the model's directory), or null (for tests). */
  HfTokenizer tokenizer() {
    return tokenizer;
  }

  /** Input tensors created and not yet closed; 0 between calls (for tests). */
  long openTensors() {
    return openTensors.get();
  }

  /**
   * Waits for running calls, then closes the session and the tokenizer if this model loaded it.
   * Idempotent.
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
        session.close();
      } catch (OrtException e) {
        throw new Rlhf4jException("cannot close the ONNX Runtime session of " + modelFile, e);
      } finally {
        sessionOptions.close();
        if (ownsTokenizer) {
          tokenizer.close();
        }
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The SHA-256 of every file of the model's directory (the directory given to {@link
   * #builder}, or the one holding the {@code .onnx} file given: keep a model in a directory of
   * its own), of the tokenizer's files when the tokenizer lives elsewhere, and the settings that
   * change rewards (maximum batch size, padding side, pad id, reward label, EOS appending). The
   * files are read once, on the first call; see {@link Fingerprint} for the cost.
   *
   * @throws Rlhf4jException if a file cannot be read
   */
  @Override
  public Optional<Fingerprint> fingerprint() {
    return Optional.of(
        files.withSettings(
            "maxBatchSize", Integer.toString(maxBatchSize),
            "paddingSide", paddingSide.name(),
            "padTokenId", Long.toString(padTokenId),
            "rewardLabel", Integer.toString(rewardLabel),
            "appendEos", Boolean.toString(appendEos)));
  }

  /** The model directory's files, and the tokenizer's when it lives elsewhere. */
  private Fingerprint filesFingerprint() {
    Fingerprint f = Fingerprint.ofPath(directory);
    if (tokenizer != null && !tokenizer.directory().toAbsolutePath().normalize()
        .equals(directory.toAbsolutePath().normalize())) {
      Optional<Fingerprint> t = ModelFiles.tokenizerFingerprint(tokenizer.directory());
      if (t.isPresent()) {
        f = f.with("tokenizer/", t.get());
      }
    }
    return f;
  }

  @Override
  public String toString() {
    return "OnnxRewardModel[" + modelFile + ", device=" + device + "]";
  }

  /**
   * Settings for {@link OnnxRewardModel}; the model path is given to {@link
   * OnnxRewardModel#builder(Path)}. Not thread-safe.
   */
  public static final class Builder {
    private final Path path;
    private HfTokenizer tokenizer;
    private HfTokenizer openedTokenizer; // loaded by build() when no tokenizer was given
    private ExecutionDevice device = ExecutionDevice.CPU;
    private int cudaDeviceId;
    private int intraOpThreads;
    private int maxBatchSize = 16;
    private PaddingSide paddingSide = PaddingSide.RIGHT;
    private OptionalLong padTokenId = OptionalLong.empty();
    private int rewardLabel;
    private boolean appendEos;

    private Builder(Path path) {
      this.path = path;
    }

    /**
     * The tokenizer (with its chat template) that turns {@link ScoreRequest}s into ids; needed
     * by {@link OnnxRewardModel#score(List)} only. Borrowed: the caller closes it, after the
     * model. Default: the tokenizer files next to the model file, loaded by {@code build()} and
     * closed with the model; none (score token ids only) when there is no {@code
     * tokenizer.json} there.
     *
     * @throws NullPointerException if {@code value} is null
     */
    public Builder tokenizer(HfTokenizer value) {
      this.tokenizer = checkNotNull(value, "tokenizer");
      return this;
    }

    /**
     * Where to run (default {@link ExecutionDevice#CPU}); CUDA falls back to the CPU with a
     * warning when it is unavailable.
     *
     * @throws NullPointerException if {@code value} is null
     */
    public Builder device(ExecutionDevice value) {
      this.device = checkNotNull(value, "device");
      return this;
    }

    /**
     * The CUDA device ordinal, &gt;= 0 (default 0); used with {@link ExecutionDevice#CUDA}.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Builder cudaDeviceId(int value) {
      checkArgument(value >= 0, "cudaDeviceId must be >= 0 but was %s", value);
      this.cudaDeviceId = value;
      return this;
    }

    /**
     * Threads ONNX Runtime uses inside one operator, &gt;= 0 (default 0: ONNX Runtime's choice,
     * one per physical core).
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Builder intraOpThreads(int value) {
      checkArgument(value >= 0, "intraOpThreads must be >= 0 but was %s", value);
      this.intraOpThreads = value;
      return this;
    }

    /**
     * The most sequences scored in one ONNX Runtime call, &gt; 0 (default 16).
     *
     * @throws IllegalArgumentException if {@code value} is not positive
     */
    public Builder maxBatchSize(int value) {
      checkArgument(value > 0, "maxBatchSize must be > 0 but was %s", value);
      this.maxBatchSize = value;
      return this;
    }

    /**
     * Which side shorter sequences are padded on (default {@link PaddingSide#RIGHT}).
     *
     * @throws NullPointerException if {@code value} is null
     */
    public Builder paddingSide(PaddingSide value) {
      this.paddingSide = checkNotNull(value, "paddingSide");
      return this;
    }

    /**
     * The id written into padded slots, &gt;= 0. Default: the tokenizer's pad token, else
     * {@code pad_token_id} of the {@code config.json} beside the model, else 0. Models exported
     * by {@link OnnxExport} never read it; Hugging Face exports find the last token by it.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Builder padTokenId(long value) {
      checkArgument(value >= 0, "padTokenId must be >= 0 but was %s", value);
      this.padTokenId = OptionalLong.of(value);
      return this;
    }

    /**
     * Which column of the logits is the reward, &gt;= 0 (default 0).
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Builder rewardLabel(int value) {
      checkArgument(value >= 0, "rewardLabel must be >= 0 but was %s", value);
      this.rewardLabel = value;
      return this;
    }

    /**
     * Whether to append the tokenizer's EOS to a response whose ids do not end with one (default
     * false: the chat template's end-of-turn marker ends the sequence). Must match how the
     * reward model was trained.
     */
    public Builder appendEos(boolean value) {
      this.appendEos = value;
      return this;
    }

    /**
     * Loads the model and checks its signature.
     *
     * @throws IllegalArgumentException if the path has no model file
     * @throws Rlhf4jException if a tensor's external data is not a relative file inside the
     *     model's directory (checked before ONNX Runtime opens anything), if ONNX Runtime cannot
     *     load the model, if its inputs or outputs do
     *     not follow the convention (the message lists what the model has and what was
     *     expected), or if the reward label is not below the declared number of labels
     */
    public OnnxRewardModel build() {
      Path modelFile = Files.isDirectory(path) ? path.resolve(OnnxExport.MODEL_FILE) : path;
      checkArgument(
          Files.isRegularFile(modelFile),
          "no ONNX model at %s: expected a directory holding %s or an .onnx file",
          modelFile.toAbsolutePath(),
          OnnxExport.MODEL_FILE);
      // before ONNX Runtime opens anything: a hub model may name files outside its directory
      ExternalDataCheck.check(modelFile);
      Path directory = modelFile.toAbsolutePath().getParent();
      openedTokenizer =
          tokenizer == null && Files.isRegularFile(directory.resolve("tokenizer.json"))
              ? HfTokenizer.load(directory)
              : null;
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      SessionOptions options = new SessionOptions();
      OrtSession session = null;
      try {
        options.setOptimizationLevel(OptLevel.ALL_OPT);
        if (intraOpThreads > 0) {
          options.setIntraOpNumThreads(intraOpThreads);
        }
        ExecutionDevice used = ExecutionDevice.CPU;
        if (device == ExecutionDevice.CUDA) {
          used = addCuda(options, modelFile);
        }
        session = environment.createSession(modelFile.toString(), options);
        OptionalInt labels =
            ModelSignature.check(modelFile, session.getInputInfo(), session.getOutputInfo());
        if (labels.isPresent() && rewardLabel >= labels.getAsInt()) {
          throw new Rlhf4jException(
              modelFile + " has " + labels.getAsInt() + " labels; the reward label must be"
                  + " below that but was " + rewardLabel);
        }
        OnnxRewardModel model =
            new OnnxRewardModel(
                this, modelFile, options, session, used, labels, padId(modelFile));
        LOG.debug("loaded {} on {}", modelFile, used);
        return model;
      } catch (OrtException | RuntimeException e) {
        closeQuietly(session, e);
        options.close();
        if (openedTokenizer != null) {
          openedTokenizer.close();
          openedTokenizer = null;
        }
        if (e instanceof OrtException) {
          throw new Rlhf4jException(
              "ONNX Runtime cannot load " + modelFile + ": " + e.getMessage(), e);
        }
        throw (RuntimeException) e;
      }
    }

    private ExecutionDevice addCuda(SessionOptions options, Path modelFile) {
      try {
        options.addCUDA(cudaDeviceId);
        return ExecutionDevice.CUDA;
      } catch (OrtException | LinkageError e) {
        LOG.warn(
            "CUDA execution provider unavailable for {} ({}); running on the CPU. It needs the"
                + " onnxruntime_gpu artifact (mvn -Pcuda) and CUDA 12 with cuDNN 9 on the host.",
            modelFile,
            e.getMessage());
        return ExecutionDevice.CPU;
      }
    }

    private long padId(Path modelFile) {
      if (padTokenId.isPresent()) {
        return padTokenId.getAsLong();
      }
      HfTokenizer t = tokenizer != null ? tokenizer : openedTokenizer;
      if (t != null && t.padTokenId().isPresent()) {
        return t.padTokenId().getAsLong();
      }
      Path config = modelFile.resolveSibling(OnnxExport.CONFIG_FILE);
      if (Files.isRegularFile(config)) {
        try {
          JsonNode pad = new ObjectMapper().readTree(config.toFile()).get("pad_token_id");
          if (pad != null && pad.canConvertToLong() && pad.asLong() >= 0) {
            return pad.asLong();
          }
        } catch (IOException e) {
          LOG.warn("cannot read pad_token_id from {}: {}", config, e.getMessage());
        }
      }
      return 0;
    }

    private static void closeQuietly(OrtSession session, Exception failure) {
      if (session != null) {
        try {
          session.close();
        } catch (OrtException e) {
          failure.addSuppressed(e);
        }
      }
    }
  }
}
