package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.config.TaskHead;
import dev.rlhf4j.models.internal.Backbone;
import dev.rlhf4j.models.internal.KvBuffers;
import dev.rlhf4j.models.internal.ParameterSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A causal language model ({@code LlamaForCausalLM}, {@code MistralForCausalLM}, {@code
 * Qwen2ForCausalLM}, {@code GPT2LMHeadModel}) that trains with autograd: next-token logits for a
 * batch of left- or right-padded sequences, with an optional {@link KvCache} for incremental
 * decoding.
 *
 * <pre>{@code
 * try (CausalLm lm = CausalLm.randomInit(config, 42);
 *      NDManager step = NDManager.newBaseManager()) {
 *   NDArray ids = step.create(new long[][] {{0, 0, 5, 7}, {3, 4, 5, 7}});   // left-padded
 *   NDArray mask = step.create(new long[][] {{0, 0, 1, 1}, {1, 1, 1, 1}});
 *   NDArray logits = lm.forward(ids, mask).logits();                     // [2, 4, vocab]
 * }
 * }</pre>
 *
 * <p>See {@link TransformerModel} for the design, memory and threading rules. Owns native
 * memory: close it.
 */
public final class CausalLm extends TransformerModel {
  private static final String LM_HEAD = "lm_head.weight";
  private static final Factory<CausalLm> FACTORY =
      new Factory<>(CausalLm::checkCausal, CausalLm::specs, CausalLm::new);

  private final NDArray head;

  private CausalLm(
      ModelConfig config,
      ModelOptions options,
      boolean trainable,
      BiFunction<ParameterSpec, NDManager, NDArray> source,
      Path origin) {
    super(config, options, trainable, headSpecs(config), source, origin);
    this.head =
        parameter(config.tieWordEmbeddings() ? Backbone.embeddingName(config) : LM_HEAD);
  }

  static List<ParameterSpec> headSpecs(ModelConfig config) {
    return config.tieWordEmbeddings()
        ? List.of()
        : List.of(
            new ParameterSpec(
                LM_HEAD,
                new Shape(config.vocabSize(), config.hiddenSize()),
                ParameterSpec.Init.NORMAL));
  }

  private static ModelConfig checkCausal(ModelConfig config) {
    checkNotNull(config, "config");
    checkArgument(
        config.architecture().head() == TaskHead.CAUSAL_LM,
        "CausalLm needs a causal-LM architecture but config has %s; use SequenceClassifier",
        config.architecture().hfName());
    return config;
  }

  /**
   * A trainable model with Hugging Face-style random weights (normal(0, initializer_range),
   * norms 1, biases 0; GPT-2's residual projections scaled by 1/sqrt(2·layers)), FLOAT32 on the
   * engine's default device. The same seed gives the same weights.
   *
   * @throws IllegalArgumentException if {@code config} is not a causal-LM architecture
   */
  public static CausalLm randomInit(ModelConfig config, long seed) {
    return randomInit(config, seed, ModelOptions.defaults());
  }

  /**
   * As {@link #randomInit(ModelConfig, long)} with the given device and element type.
   *
   * @throws IllegalArgumentException if {@code config} is not a causal-LM architecture
   */
  public static CausalLm randomInit(ModelConfig config, long seed, ModelOptions options) {
    return FACTORY.randomInit(config, seed, options);
  }

  /**
   * Loads a Hugging Face model directory ({@code config.json} and {@code model.safetensors} or
   * its shards), FLOAT32 on the engine's default device; BF16 and F16 weights are widened.
   *
   * @see #load(Path, ModelOptions)
   */
  public static CausalLm load(Path directory) {
    return load(directory, ModelOptions.defaults());
  }

  /**
   * Loads a Hugging Face model directory into a trainable model with the given device and type.
   * {@link #save} of the result copies the directory's tokenizer files.
   *
   * <p>A PEFT adapter directory ({@code adapter_config.json}, no {@code config.json}) loads as
   * transformers' {@code AutoPeftModelForCausalLM} does: the base its {@code
   * base_model_name_or_path} names, with the adapter attached ({@link PeftAdapter#load}), so
   * that the adapter trains on; the model's {@link #origin()} is the base.
   *
   * @throws dev.rlhf4j.models.config.ModelConfigException if {@code config.json} names an
   *     unsupported architecture or lacks a required field (naming it)
   * @throws IllegalArgumentException if the architecture has the wrong head for this class
   * @throws dev.rlhf4j.models.checkpoint.CheckpointException if a tensor is missing, mis-shaped
   *     (naming it, the expected and the found shape) or unexpected, or the files are invalid
   * @throws java.io.UncheckedIOException if {@code config.json} cannot be read
   */
  public static CausalLm load(Path directory, ModelOptions options) {
    return loadOrAdapter(directory, options, true);
  }

  private static CausalLm loadOrAdapter(Path directory, ModelOptions options, boolean trainable) {
    checkNotNull(directory, "directory");
    java.util.Optional<Path> base = PeftAdapter.baseModel(directory);
    if (base.isEmpty()) {
      return FACTORY.load(directory, options, trainable);
    }
    CausalLm model = FACTORY.load(base.get(), options, trainable);
    return PeftAdapter.onBase(model, directory, trainable);
  }

  /**
   * Loads a Hugging Face model directory into a frozen model (no gradients): for scoring,
   * sampling and as a DPO reference, without the memory autograd would hold. Checks and errors as
   * {@link #load(Path, ModelOptions)}. A PEFT adapter directory loads as its base with the adapter
   * merged into the weights ({@link PeftAdapter#loadMerged}): it then runs at the base's cost.
   */
  public static CausalLm loadFrozen(Path directory, ModelOptions options) {
    return loadOrAdapter(directory, options, false);
  }

  /** {@link #loadFrozen(Path, ModelOptions)} with FLOAT32 on the engine's default device. */
  public static CausalLm loadFrozen(Path directory) {
    return loadFrozen(directory, ModelOptions.defaults());
  }

  /**
   * A trainable model holding copies of {@code tensors} (by Hugging Face name; any manager, type
   * or device). The caller keeps ownership of {@code tensors}.
   *
   * @throws IllegalArgumentException if {@code config} is not a causal-LM architecture, a tensor
   *     is missing or mis-shaped (naming it, the expected and the found shape) or unexpected
   */
  public static CausalLm fromStateDict(
      ModelConfig config, Map<String, NDArray> tensors, ModelOptions options) {
    return FACTORY.fromStateDict(config, tensors, options);
  }

  private static List<ParameterSpec> specs(ModelConfig config) {
    List<ParameterSpec> all = new ArrayList<>(Backbone.specs(config));
    all.addAll(headSpecs(config));
    return all;
  }

  /**
   * Next-token logits for a batch, positions derived from the mask, without a cache.
   *
   * @see #forward(NDArray, NDArray, NDArray, KvCache)
   */
  public CausalLmOutput forward(NDArray ids, NDArray attentionMask) {
    return forward(ids, attentionMask, null, null);
  }

  /**
   * Next-token logits for a batch.
   *
   * <p>Query slot {@code i} of row {@code b} attends to the earlier and current slots whose mask
   * entry is 1 (and, for Mistral with a sliding window, only the last {@code sliding_window} of
   * them), so left padding, right padding and the causal mask are all handled by the mask. When
   * {@code positions} is null they are {@code cumsum(mask) − 1} over all cached and new slots
   * (0 for leading pads), which makes a left-padded row produce the same logits as the row
   * alone. Logits at padded slots are finite but meaningless.
   *
   * @param ids {@code [B, T]} token ids (int32 or int64)
   * @param attentionMask {@code [B, cached + T]}, 1 for real tokens and 0 for padding
   * @param positions {@code [B, T]} position ids, or null to derive them from the mask
   * @param cache the cache to read and append to, or null; it then holds {@code cached + T}
   *     slots
   * @return logits {@code [B, T, vocab]} and hidden states, in the ids' manager
   * @throws IllegalArgumentException if a shape disagrees with the others or with the cache, the
   *     cache is full or belongs to another model shape, or GPT-2 runs out of positions
   * @throws IllegalStateException if the model or the cache is closed
   * @throws dev.rlhf4j.api.Rlhf4jException if the engine fails
   */
  public CausalLmOutput forward(
      NDArray ids, NDArray attentionMask, NDArray positions, KvCache cache) {
    NDManager caller = checkNotNull(ids, "ids").getManager();
    try (NDManager scope = caller.newSubManager()) {
      KvBuffers buffers = cache == null ? null : cache.buffers();
      NDArray hidden = hiddenStates(ids, attentionMask, positions, buffers, scope);
      NDArray logits = hidden.getNDArrayInternal().linear(hidden, head, null).singletonOrThrow();
      logits.attach(caller);
      hidden.attach(caller);
      return new CausalLmOutput(logits, hidden);
    }
  }

  /**
   * The logits of the selected slots only, {@code [K, vocab]}: the rows of {@link
   * #forward(NDArray, NDArray)}'s logits where {@code select} is true, in row-major order (row
   * {@code b} before row {@code b + 1}, slot {@code t} before {@code t + 1}). Training on response
   * tokens needs the vocabulary projection of those slots only; prompt and padding slots then cost
   * neither the {@code hidden × vocab} product nor a {@code [B, T, vocab]} array, in the forward or
   * the backward pass. Differentiable like {@link #forward(NDArray, NDArray)}.
   *
   * @param ids {@code [B, T]} token ids (int32 or int64)
   * @param attentionMask {@code [B, T]}, 1 for real tokens and 0 for padding
   * @param select {@code [B, T]} boolean, true for the slots whose logits are wanted
   * @return {@code [K, vocab]} logits, K the number of selected slots, in the ids' manager
   * @throws IllegalArgumentException as {@link #forward(NDArray, NDArray, NDArray, KvCache)}, or
   *     if {@code select} is not a boolean array of the shape of {@code ids}
   * @throws IllegalStateException if the model is closed
   * @throws dev.rlhf4j.api.Rlhf4jException if the engine fails
   */
  public NDArray logitsAt(NDArray ids, NDArray attentionMask, NDArray select) {
    NDManager caller = checkNotNull(ids, "ids").getManager();
    checkSelect(ids, select);
    try (NDManager scope = caller.newSubManager()) {
      NDArray rows = selectedRows(ids, attentionMask, select, scope);
      NDArray logits = rows.getNDArrayInternal().linear(rows, head, null).singletonOrThrow();
      logits.attach(caller);
      return logits;
    }
  }

  /**
   * The log-probabilities of {@code labels} at the selected slots, {@code [K]}: {@code log
   * softmax(logitsAt(ids, attentionMask, select))[k, labels[k]]}, projected onto the vocabulary at
   * most {@link ModelOptions#vocabularyChunk()} slots at a time, so no {@code [K, vocab]} array
   * exists, in the forward or the backward pass. When the model trains, back-propagate the loss
   * through {@link ProjectedLogProbs#lossForBackward}.
   *
   * @param ids {@code [B, T]} token ids (int32 or int64)
   * @param attentionMask {@code [B, T]}, 1 for real tokens and 0 for padding
   * @param select {@code [B, T]} boolean, true for the slots whose log-probabilities are wanted
   * @param labels {@code [K]} integer token ids, one per true entry of {@code select} in
   *     row-major order, each in {@code [0, vocab)}
   * @return the log-probabilities, in a sub-manager of the ids' manager; the caller closes it
   * @throws IllegalArgumentException as {@link #logitsAt}, or if {@code labels} has another length
   *     than the selection or holds an id outside the vocabulary
   * @throws IllegalStateException if the model is closed
   * @throws dev.rlhf4j.api.Rlhf4jException if the engine fails
   */
  public ProjectedLogProbs logProbsAt(
      NDArray ids, NDArray attentionMask, NDArray select, NDArray labels) {
    NDManager caller = checkNotNull(ids, "ids").getManager();
    checkSelect(ids, select);
    try (NDManager scope = caller.newSubManager()) {
      NDArray rows = selectedRows(ids, attentionMask, select, scope);
      return project(rows, labels, scope, caller);
    }
  }

  /**
   * The log-probabilities of {@code labels} at chosen slots of packed rows, {@code [K]}: as
   * {@link #logitsOfPacked} followed by a log-softmax and a gather, chunked as {@link
   * #logProbsAt}. When the model trains, back-propagate the loss through {@link
   * ProjectedLogProbs#lossForBackward}.
   *
   * @param labels {@code [K]} integer token ids, one per entry of {@code slots}, each in {@code
   *     [0, vocab)}
   * @return the log-probabilities, in a sub-manager of the ids' manager; the caller closes it
   * @throws IllegalArgumentException as {@link #logitsOfPacked}, or if {@code labels} has another
   *     length than {@code slots} or holds an id outside the vocabulary
   * @throws IllegalStateException if the model is closed
   * @throws dev.rlhf4j.api.Rlhf4jException if the engine fails
   */
  public ProjectedLogProbs logProbsOfPacked(
      NDArray ids, NDArray positions, NDArray segments, NDArray slots, NDArray labels) {
    NDManager caller = checkNotNull(ids, "ids").getManager();
    checkSlots(slots);
    try (NDManager scope = caller.newSubManager()) {
      NDArray rows = packedRows(ids, positions, segments, slots, scope);
      return project(rows, labels, scope, caller);
    }
  }

  private ProjectedLogProbs project(
      NDArray rows, NDArray labels, NDManager scope, NDManager caller) {
    checkArgument(labels != null, "labels must not be null");
    long k = rows.getShape().get(0);
    checkArgument(
        labels.getShape().dimension() == 1 && labels.getShape().get(0) == k,
        "labels must be [%s] (one per selected slot) but was %s",
        k,
        labels.getShape());
    NDArray local = labels.toType(DataType.INT64, true);
    local.attach(scope);
    if (!local.getDevice().equals(rows.getDevice())) {
      local = local.toDevice(rows.getDevice(), false);
      local.attach(scope);
    }
    long vocab = config().vocabSize();
    long[] host = local.toLongArray();
    for (int i = 0; i < host.length; i++) {
      checkArgument(
          host[i] >= 0 && host[i] < vocab,
          "labels[%s] must be a token id in [0, %s) but was %s",
          i,
          vocab,
          host[i]);
    }
    return ProjectedLogProbs.compute(
        rows, head, local, options().vocabularyChunk(), backboneTrains(), caller);
  }

  /** Whether anything before the head records gradients (a tied head feeds the backbone too). */
  private boolean backboneTrains() {
    for (String name : trainableParameters().keySet()) {
      if (!name.equals(LM_HEAD)) {
        return true;
      }
    }
    return false;
  }

  private void checkSelect(NDArray ids, NDArray select) {
    checkArgument(select != null, "select must not be null");
    checkArgument(
        select.getDataType() == DataType.BOOLEAN && select.getShape().equals(ids.getShape()),
        "select must be a boolean array of the shape of ids %s but was %s %s",
        ids.getShape(),
        select.getDataType(),
        select.getShape());
  }

  private static void checkSlots(NDArray slots) {
    checkArgument(
        slots != null && slots.getShape().dimension() == 1,
        "slots must be a one-dimensional index array but was %s",
        slots == null ? null : slots.getShape());
  }

  /** The hidden states of the selected slots, {@code [K, hidden]}, in {@code scope}. */
  private NDArray selectedRows(
      NDArray ids, NDArray attentionMask, NDArray select, NDManager scope) {
    NDArray hidden = hiddenStates(ids, attentionMask, null, null, scope);
    NDArray localSelect = select;
    if (!select.getDevice().equals(hidden.getDevice())) {
      localSelect = select.toDevice(hidden.getDevice(), false);
      localSelect.attach(scope);
    }
    return hidden.get(localSelect);
  }

  /** The hidden states of {@code slots} of packed rows, {@code [K, hidden]}, in {@code scope}. */
  private NDArray packedRows(
      NDArray ids, NDArray positions, NDArray segments, NDArray slots, NDManager scope) {
    NDArray hidden = packedHiddenStates(ids, positions, segments, scope);
    long width = hidden.getShape().get(2);
    NDArray flat = hidden.reshape(-1, width);
    NDArray index = slots.toType(DataType.INT64, true);
    index.attach(scope);
    if (!index.getDevice().equals(flat.getDevice())) {
      index = index.toDevice(flat.getDevice(), false);
      index.attach(scope);
    }
    // an embedding lookup is a differentiable row gather that accepts repeated indices
    return index.getNDArrayInternal()
        .embedding(index, flat, ai.djl.ndarray.types.SparseFormat.DENSE)
        .singletonOrThrow();
  }

  /**
   * The logits of chosen slots of <em>packed</em> rows, {@code [K, vocab]}: several sequences that
   * share a prefix (a DPO pair's prompt, then its chosen and its rejected response) laid out in one
   * row, so the shared prefix is computed once. {@code segments} says which slots belong together:
   * a slot attends the earlier slots of segment 0 (the shared prefix) and of its own segment, never
   * another branch, padding ({@code -1}) never; {@code positions} restart each branch where the
   * prefix ends. The hidden state of the prefix's last slot predicts the first token of every
   * branch, so {@code slots} may name a slot more than once. Differentiable; the same values (within
   * floating-point tolerance) as {@link #logitsAt} on the sequences laid out one per row.
   *
   * @param ids {@code [B, T]} token ids (int32 or int64)
   * @param positions {@code [B, T]} position ids of every slot
   * @param segments {@code [B, T]} integer segments: -1 padding, 0 shared prefix, k &gt; 0 branch k
   * @param slots {@code [K]} integer indices into the flattened {@code [B * T]} slots whose logits
   *     are wanted, in the order wanted
   * @return {@code [K, vocab]} logits in the ids' manager
   * @throws IllegalArgumentException if the shapes disagree, {@code slots} is not one-dimensional,
   *     or GPT-2 runs out of positions
   * @throws IllegalStateException if the model is closed
   * @throws dev.rlhf4j.api.Rlhf4jException if the engine fails
   */
  public NDArray logitsOfPacked(
      NDArray ids, NDArray positions, NDArray segments, NDArray slots) {
    NDManager caller = checkNotNull(ids, "ids").getManager();
    checkSlots(slots);
    try (NDManager scope = caller.newSubManager()) {
      NDArray rows = packedRows(ids, positions, segments, slots, scope);
      NDArray logits = rows.getNDArrayInternal().linear(rows, head, null).singletonOrThrow();
      logits.attach(caller);
      return logits;
    }
  }

  /**
   * The logits of the last slot only, {@code [B, vocab]}: what a decoding step needs, without
   * projecting every prompt position onto the vocabulary during prefill. Arguments and checks as
   * {@link #forward(NDArray, NDArray, NDArray, KvCache)}; the result lives in the ids' manager.
   *
   * @throws IllegalArgumentException as {@link #forward(NDArray, NDArray, NDArray, KvCache)}
   * @throws IllegalStateException if the model or the cache is closed
   */
  public NDArray nextTokenLogits(
      NDArray ids, NDArray attentionMask, NDArray positions, KvCache cache) {
    NDManager caller = checkNotNull(ids, "ids").getManager();
    try (NDManager scope = caller.newSubManager()) {
      KvBuffers buffers = cache == null ? null : cache.buffers();
      NDArray hidden = hiddenStates(ids, attentionMask, positions, buffers, scope);
      NDArray last = hidden.get(new NDIndex(":, -1, :"));
      NDArray logits = last.getNDArrayInternal().linear(last, head, null).singletonOrThrow();
      logits.attach(caller);
      return logits;
    }
  }

  /**
   * An empty cache for {@code batch} rows of up to {@code maxLength} slots (prompt, padding and
   * generated tokens together), in the model's element type and device. The caller closes it;
   * closing the model frees it too.
   *
   * @throws IllegalArgumentException if {@code batch} or {@code maxLength} is not positive
   */
  public KvCache newCache(int batch, int maxLength) {
    ModelConfig c = config();
    return new KvCache(
        new KvBuffers(
            manager(), c.numLayers(), batch, c.numKvHeads(), maxLength, c.headDim(),
            options().dataType()));
  }

  /**
   * An independent, frozen copy (no gradients, its own memory): the reference policy of DPO.
   * Later changes to this model do not affect the copy.
   *
   * @throws IllegalStateException if the model is closed
   */
  public CausalLm copyFrozen() {
    return copy(false);
  }

  /**
   * An independent, trainable copy with its own memory.
   *
   * @throws IllegalStateException if the model is closed
   */
  public CausalLm copyTrainable() {
    return copy(true);
  }

  private CausalLm copy(boolean trainable) {
    checkOpen();
    return new CausalLm(
        config(),
        options(),
        trainable,
        copySource(parameters(), specs(config()), options()),
        origin().orElse(null));
  }
}
