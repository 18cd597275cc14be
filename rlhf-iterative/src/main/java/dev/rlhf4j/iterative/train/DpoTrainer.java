package dev.rlhf4j.iterative.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDManager;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.iterative.train.internal.DpoObjective;
import dev.rlhf4j.iterative.train.internal.Encoding;
import dev.rlhf4j.iterative.train.internal.LogProbs;
import dev.rlhf4j.iterative.train.internal.MemoryCheck;
import dev.rlhf4j.iterative.train.internal.PolicyAdapter;
import dev.rlhf4j.iterative.train.internal.PolicyTrainable;
import dev.rlhf4j.iterative.train.internal.TokenizedPair;
import dev.rlhf4j.iterative.train.internal.TrainerBuilder;
import dev.rlhf4j.training.DataFingerprint;
import dev.rlhf4j.training.TrainingLoop;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.InsufficientMemoryException;
import dev.rlhf4j.models.memory.MemoryEstimate;
import dev.rlhf4j.models.memory.MemoryEstimator;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct preference optimisation of a policy on preference pairs (Rafailov et al. 2023; the
 * paper's §3.3 oracle): the policy is updated in place to lower a {@link
 * dev.rlhf4j.losses.PreferenceLoss} of its log-probability ratios against a fixed reference.
 *
 * <pre>{@code
 * try (CausalLm policy = CausalLm.load(sftDir); HfTokenizer tokenizer = HfTokenizer.load(sftDir)) {
 *   TrainingResult result = DpoTrainer.builder(policy, tokenizer)
 *       .config(DpoConfig.builder().beta(0.1).learningRate(5e-7).epochs(2).build())
 *       .listener(ProgressListener.none())
 *       .build()
 *       .train(pairs);
 *   policy.save(outDir);
 * }
 * }</pre>
 *
 * <p><b>Data.</b> Each pair's prompt is rendered with the tokenizer's chat template and each
 * response is encoded after it by {@link HfTokenizer#encodePromptResponse} with the EOS token
 * appended (so the policy learns to stop, as TRL appends {@code eos_token_id}), then cut to {@link
 * DpoConfig#maxLength()} by the {@link PromptTruncation}. The log-probabilities are sums over the
 * response tokens only: prompt and padding count for nothing. Each micro-batch stacks its chosen
 * sequences over its rejected ones (right-padded) and runs them through the policy in one forward
 * pass, projecting onto the vocabulary only the slots that predict a response token (prompt and
 * padding slots cost no logits, in the forward or the backward pass).
 *
 * <p><b>Reference.</b> Without a {@link Builder#reference reference} model, the reference is the
 * policy as it is when {@link #train} starts (π0 on the first iteration). With {@link
 * ReferenceLogProbs#PRECOMPUTED} (the default) the reference log-probabilities of every pair are
 * computed once, before the first step, by the reference model or a frozen copy of the policy that
 * is closed right after; with {@link ReferenceLogProbs#LIVE} the reference scores each micro-batch.
 *
 * <p><b>LoRA.</b> With {@link DpoConfig#lora()} set (or a policy that already carries an adapter,
 * e.g. one {@link dev.rlhf4j.models.PeftAdapter#load loaded} from a PEFT directory) only the
 * adapter trains, whatever the loss:
 *
 * <pre>{@code
 * DpoConfig config = DpoConfig.builder()
 *     .lora(new LoraConfig(16, 32, 0.05, LoraConfig.LLAMA_ALL_LINEAR))
 *     .learningRate(5e-6).build();
 * DpoTrainer.builder(policy, tokenizer).config(config).build().train(pairs);
 * PeftAdapter.save(policy, adapterDir);     // adapter_config.json + adapter_model.safetensors
 * }</pre>
 *
 * The trainer adds the adapter when the policy has none (A drawn from the optimisation's seed, B
 * zero, so training starts at the base), freezes the base (no gradient arrays, no AdamW state: the
 * memory check counts gradients and optimiser state of the adapter only) and switches adapter
 * dropout on for the steps only. Without a {@link Builder#reference reference} model the
 * reference is the policy's own base with the adapter switched off ({@link
 * CausalLm#disableAdapter()}, TRL's behaviour with PEFT): no second model is held, neither for
 * precomputed nor for live reference log-probabilities. Note that this is π0 = the base even
 * when the policy came with an adapter already trained. Each checkpoint {@code
 * checkpoint-<step>/} is then a PEFT adapter directory ({@code adapter_config.json} whose {@code
 * base_model_name_or_path} names the directory the policy was loaded from, {@code
 * adapter_model.safetensors}, the tokenizer files): load it with {@code PeftAdapter.load(
 * CausalLm.load(base), dir)}, or merge it with {@link dev.rlhf4j.models.PeftAdapter#saveMerged}.
 * {@link ReferenceSync TR-DPO} is refused with an adapter (its reference is the frozen base).
 *
 * <p><b>Steps.</b> The one {@link TrainingLoop} with the config's {@link
 * DpoConfig#optimization()}: AdamW with a warm-up cosine schedule, {@code globalBatchSize} pairs
 * per step (the micro-batch losses are weighted by their share, so the update does not depend on
 * the micro-batch size), clipping by global norm. Each step reports {@code loss}, {@code
 * rewards/chosen}, {@code rewards/rejected}, {@code rewards/margins}, {@code rewards/accuracies},
 * {@code logps/chosen}, {@code logps/rejected} (and {@code nll_loss} for RPO), {@code grad_norm},
 * {@code learning_rate} (the rate the step used), {@code tokens_per_sec} and {@code epoch} to the
 * listeners as {@link dev.rlhf4j.api.event.StepMetrics} of {@link Stage#TRAIN}. Epochs visit the
 * pairs in an order drawn from the optimisation's seed.
 *
 * <p><b>Resume.</b> With a {@link Builder#checkpointDirectory checkpoint directory} and {@code
 * checkpointEvery} set, a checkpoint is written every k steps; a {@link #train} call that finds
 * checkpoints of the same run (the same pairs and config) there resumes from the newest and ends
 * with the weights of an uninterrupted run.
 *
 * <p><b>Divergence.</b> A non-finite loss or gradient norm stops training with an {@link
 * Rlhf4jException} naming the step, the batch and the last checkpoint; the policy keeps the weights
 * of the last completed step and no checkpoint is touched.
 *
 * <p><b>Ownership and threads.</b> The trainer does not own the policy, the tokenizer or the
 * reference: the caller closes them. Without checkpoints, each {@link #train} call is a fresh run (new
 * optimizer state, new reference log-probabilities) from the policy's current weights. Not thread-safe; DJL allows
 * one gradient collector per JVM, so only one training run at a time per process.
 */
public final class DpoTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(DpoTrainer.class);

  private final CausalLm policy;
  private final HfTokenizer tokenizer;
  private final CausalLm reference;
  private final DpoConfig config;
  private final ProgressListener listener;
  private final int iteration;
  private final Path checkpointDirectory;

  private final AvailableMemory availableMemory;

  private DpoTrainer(Builder builder) {
    this.policy = builder.policy;
    this.tokenizer = builder.tokenizer;
    this.reference = builder.reference;
    this.config = builder.config;
    this.listener = builder.isolatedListener();
    this.iteration = builder.iterationNumber();
    this.checkpointDirectory = builder.checkpointDirectory();
    this.availableMemory = builder.availableMemory();
  }

  /**
   * A builder for training {@code policy}, whose prompts and responses {@code tokenizer} encodes.
   *
   * @throws IllegalArgumentException if either is null or the policy is frozen
   */
  public static Builder builder(CausalLm policy, HfTokenizer tokenizer) {
    return new Builder(policy, tokenizer);
  }

  /** The configuration. */
  public DpoConfig config() {
    return config;
  }

  /**
   * The estimated peak memory of a training step on {@code pairs} with this trainer's settings:
   * the policy's weights, gradients and AdamW state of what trains (the adapter alone with LoRA),
   * a reference copy when one is held during training (never with LoRA and no reference model),
   * the activations and vocabulary projection of the largest micro-batch. {@link
   * #train} refuses to start when the part not yet loaded exceeds the {@link
   * Builder#availableMemory available memory}, with {@link InsufficientMemoryException}.
   *
   * @throws IllegalArgumentException as {@link #train} for invalid pairs
   */
  public MemoryEstimate estimateMemory(List<PreferencePair> pairs) {
    return MemoryCheck.dpoStep(estimator(), encode(pairs), config.optimization().microBatchSize());
  }

  private MemoryEstimator estimator() {
    // with an adapter and no reference model, the reference is the policy's own base: no copy
    boolean referenceInTraining =
        reference != null
            || (config.referenceScoring() != ReferenceLogProbs.PRECOMPUTED && !adapterTrains());
    return MemoryCheck.estimator(policy, config.lora(), referenceInTraining ? 1 : 0).build();
  }

  /** Whether training will update a LoRA adapter (the config's, or one the policy has). */
  private boolean adapterTrains() {
    return config.lora().isPresent() || policy.loraConfig().isPresent();
  }

  /** The policy, a caller's reference and the runtime are loaded already. */
  private long residentBytes() {
    return MemoryEstimator.residentBytes(policy)
        + (reference == null ? 0 : MemoryEstimator.weightBytes(reference));
  }

  private List<TokenizedPair> encode(List<PreferencePair> pairs) {
    checkArgument(pairs != null && !pairs.isEmpty(), "pairs must hold at least one pair");
    policy.config().checkLength("maxLength", config.maxLength());
    int vocab = policy.config().vocabSize();
    List<TokenizedPair> encoded = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      PreferencePair pair = pairs.get(i);
      checkArgument(pair != null, "pairs[%s] must not be null", i);
      encoded.add(
          Encoding.encodePair(
              tokenizer, pair, i, config.maxLength(), config.maxPromptLength(),
              config.truncationRule() == PromptTruncation.KEEP_END, vocab));
    }
    return encoded;
  }

  /**
   * Trains the policy in place on {@code pairs}.
   *
   * @return the metrics of every step, throughput and the last checkpoint
   * @throws IllegalArgumentException if the config's maxLength exceeds the policy's {@code
   *     max_position_embeddings}
   * @throws IllegalArgumentException if {@code pairs} is null or empty, a pair's tokens fall
   *     outside the policy's vocabulary (naming the pair), or the checkpoint directory holds
   *     checkpoints of another run
   * @throws Rlhf4jException if the loss or the gradient norm becomes non-finite (naming the step,
   *     the batch and the last checkpoint), or the engine fails
   * @throws dev.rlhf4j.models.tokenizer.ChatTemplateException if the chat template refuses a pair
   * @throws IllegalStateException if the policy, reference or tokenizer is closed
   * @throws InsufficientMemoryException if the {@link #estimateMemory estimate} does not fit in
   *     the available memory (checked before anything is allocated)
   * @throws IllegalArgumentException if the policy already has a LoRA adapter with other settings
   *     than the config's {@code lora}, or it trains an adapter and the config sets {@code
   *     referenceSync}
   */
  public TrainingResult train(List<PreferencePair> pairs) {
    List<TokenizedPair> encoded = encode(pairs);
    PolicyAdapter.check(policy, config.lora());
    checkArgument(
        !policy.loraConfig().isPresent() || config.referenceSync().isEmpty(),
        "referenceSync %s moves the reference towards the policy, but the policy trains a LoRA"
            + " adapter %s whose reference is the frozen base itself; drop referenceSync",
        config.referenceSync().orElse(null),
        policy.loraConfig().orElse(null));
    MemoryCheck.requireDpoFits(
        estimator(), encoded, config.optimization().microBatchSize(), availableMemory,
        residentBytes());
    PolicyAdapter.attach(policy, config.lora(), config.optimization().seed());
    boolean adapterReference = reference == null && policy.loraConfig().isPresent();
    CausalLm ownReference = null;
    try {
      CausalLm scorer = reference;
      if (adapterReference) {
        scorer = policy; // its base, with the adapter switched off while scoring
      } else if (scorer == null || config.referenceSync().isPresent()) {
        // a synced reference changes: the trainer moves a copy it owns, never the caller's model
        ownReference = (scorer == null ? policy : scorer).copyFrozen();
        scorer = ownReference;
      }
      double[][] precomputed = null;
      if (config.referenceScoring() == ReferenceLogProbs.PRECOMPUTED) {
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager(scorer.options().device())) {
          precomputed =
              LogProbs.precompute(
                  scorer, policy, manager, encoded, config.optimization().microBatchSize(),
                  config.ldAlpha());
        }
        LOG.debug(
            "reference log-probabilities of {} pairs computed in {} ms",
            pairs.size(),
            (System.nanoTime() - start) / 1_000_000);
        if (ownReference != null) {
          ownReference.close();
          ownReference = null;
        }
      }
      DpoObjective objective =
          new DpoObjective(
              policy, encoded, config.loss(), precomputed,
              precomputed == null ? scorer : null, config.referenceSync(), config.ldAlpha());
      DataFingerprint data = new DataFingerprint();
      encoded.forEach(p -> {
        p.chosen().addTo(data);
        p.rejected().addTo(data);
      });
      TrainingLoop.Run run =
          new TrainingLoop.Run(
              Stage.TRAIN, iteration, config.optimization(), checkpointDirectory,
              config.loss() + "|maxLength=" + config.maxLength() + "|maxPromptLength="
                  + config.maxPromptLength() + "|" + config.truncationRule() + "|"
                  + config.referenceScoring() + "|" + config.referenceSync() + "|ldAlpha="
                  + config.ldAlpha() + PolicyAdapter.fingerprint(policy) + "|data="
                  + data);
      TrainingLoop.Outcome outcome;
      policy.setAdapterTraining(true);
      try {
        outcome =
            TrainingLoop.run(
                new PolicyTrainable(policy, tokenizer.directory()), encoded.size(), objective, run,
                listener);
      } finally {
        policy.setAdapterTraining(false);
      }
      return new TrainingResult(
          outcome.history(), outcome.tokens(), outcome.tokens() / outcome.stepSeconds(),
          outcome.elapsed(), outcome.lastCheckpoint());
    } finally {
      if (ownReference != null) {
        ownReference.close();
      }
    }
  }

  /**
   * Builds a {@link DpoTrainer}; the policy and tokenizer are given to {@link
   * DpoTrainer#builder}. Not thread-safe.
   */
  public static final class Builder extends TrainerBuilder<Builder> {
    private final CausalLm policy;
    private final HfTokenizer tokenizer;
    private CausalLm reference;
    private DpoConfig config = DpoConfig.builder().build();

    private Builder(CausalLm policy, HfTokenizer tokenizer) {
      checkArgument(policy != null, "policy must not be null");
      checkArgument(tokenizer != null, "tokenizer must not be null");
      checkArgument(
          policy.isTrainable(),
          "policy must be trainable but is a frozen copy; pass the model itself or"
              + " copyTrainable()");
      this.policy = policy;
      this.tokenizer = tokenizer;
    }

    /**
     * The reference policy πref (paper §3.3: the SFT model π0 at every iteration). By default the
     * policy as it is when training starts, or, when the policy trains a LoRA adapter, its base
     * with the adapter switched off (no second model). It is only read, never trained; a frozen
     * model ({@link CausalLm#copyFrozen()}) is best.
     *
     * @throws IllegalArgumentException if it is null, the policy itself, or has another
     *     vocabulary size
     */
    public Builder reference(CausalLm reference) {
      checkArgument(reference != null, "reference must not be null");
      checkArgument(
          reference != policy,
          "reference must not be the policy itself: it would move with every step; pass"
              + " policy.copyFrozen() or leave it unset");
      checkArgument(
          reference.config().vocabSize() == policy.config().vocabSize(),
          "reference has a vocabulary of %s ids but the policy has %s",
          reference.config().vocabSize(),
          policy.config().vocabSize());
      this.reference = reference;
      return this;
    }

    /**
     * The run's settings; default {@code DpoConfig.builder().build()} (the paper's).
     *
     * @throws IllegalArgumentException if it is null
     */
    public Builder config(DpoConfig config) {
      checkArgument(config != null, "config must not be null");
      this.config = config;
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** Builds the trainer. */
    public DpoTrainer build() {
      return new DpoTrainer(this);
    }
  }

  @Override
  public String toString() {
    return "DpoTrainer{" + config + ", reference=" + (reference == null ? "initial policy"
        : "given") + ", checkpoints=" + Optional.ofNullable(checkpointDirectory) + "}";
  }
}
