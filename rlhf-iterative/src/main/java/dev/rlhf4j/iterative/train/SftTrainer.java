package dev.rlhf4j.iterative.train;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.iterative.train.internal.Encoding;
import dev.rlhf4j.iterative.train.internal.MemoryCheck;
import dev.rlhf4j.iterative.train.internal.PolicyAdapter;
import dev.rlhf4j.iterative.train.internal.PolicyTrainable;
import dev.rlhf4j.iterative.train.internal.SftObjective;
import dev.rlhf4j.iterative.train.internal.TokenizedSequence;
import dev.rlhf4j.iterative.train.internal.TrainerBuilder;
import dev.rlhf4j.training.DataFingerprint;
import dev.rlhf4j.training.TrainingLoop;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.memory.AvailableMemory;
import dev.rlhf4j.models.memory.MemoryEstimator;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Supervised fine-tuning of a policy on assistant responses (paper §3.1, which makes the initial
 * policy π0 this way): next-token cross-entropy on the response tokens only, averaged over all
 * response tokens of each global batch; prompt and padding positions are masked out.
 *
 * <pre>{@code
 * TrainingResult result = SftTrainer.builder(policy, tokenizer)
 *     .config(SftConfig.builder().learningRate(2e-5).globalBatchSize(32).build())
 *     .build()
 *     .train(List.of(SftExample.fromConversation(conversation), ...));
 * }</pre>
 *
 * <p>Each example is encoded by {@link HfTokenizer#encodePromptResponse} (the chat template, the
 * prompt ids exactly as at generation time, EOS appended to the response so the policy learns to
 * stop) and keeps its first {@link SftConfig#maxLength()} tokens. Steps, accumulation, clipping,
 * non-finite checks, listeners ({@link Stage#SFT}: {@code loss}, {@code grad_norm}, {@code
 * learning_rate}, {@code tokens_per_sec}, {@code epoch}), checkpoints and resume work as in
 * {@link DpoTrainer}: all of it is the one {@link TrainingLoop}. Samples are not packed: each is one padded row.
 *
 * <p><b>LoRA.</b> With {@link SftConfig#lora()} set (or a policy that already carries an adapter)
 * only the adapter trains, as in {@link DpoTrainer}: the trainer adds the adapter when the policy
 * has none (A drawn from the optimisation's seed), the base stays frozen (no gradients, no AdamW
 * state), and each checkpoint is a PEFT adapter directory pointing at the policy's origin
 * ({@code base_model_name_or_path}). Save the result with {@link
 * dev.rlhf4j.models.PeftAdapter#save}.
 *
 * <p>The trainer does not own the policy or the tokenizer. Not thread-safe; one training run at a
 * time per process.
 */
public final class SftTrainer {
  private final CausalLm policy;
  private final HfTokenizer tokenizer;
  private final SftConfig config;
  private final ProgressListener listener;
  private final int iteration;
  private final Path checkpointDirectory;
  private final AvailableMemory availableMemory;

  private SftTrainer(Builder builder) {
    this.policy = builder.policy;
    this.tokenizer = builder.tokenizer;
    this.config = builder.config;
    this.listener = builder.isolatedListener();
    this.iteration = builder.iterationNumber();
    this.checkpointDirectory = builder.checkpointDirectory();
    this.availableMemory = builder.availableMemory();
  }

  /**
   * A builder for training {@code policy} with {@code tokenizer}'s encoding and chat template.
   *
   * @throws IllegalArgumentException if either is null or the policy is frozen
   */
  public static Builder builder(CausalLm policy, HfTokenizer tokenizer) {
    return new Builder(policy, tokenizer);
  }

  /** The configuration. */
  public SftConfig config() {
    return config;
  }

  /**
   * Trains the policy in place on {@code examples}.
   *
   * @return the metrics of every step, throughput and the last checkpoint
   * @throws IllegalArgumentException if the config's maxLength exceeds the policy's {@code
   *     max_position_embeddings}
   * @throws IllegalArgumentException if {@code examples} is null or empty, an example's prompt
   *     fills {@code maxLength} or its tokens fall outside the policy's vocabulary (naming it), or
   *     the checkpoint directory holds checkpoints of another run
   * @throws dev.rlhf4j.api.Rlhf4jException if the loss or the gradient norm becomes non-finite
   *     (naming the step, the batch and the last checkpoint), or the engine fails
   * @throws IllegalStateException if the policy or tokenizer is closed
   * @throws dev.rlhf4j.models.memory.InsufficientMemoryException if the estimated peak of a step
   *     does not fit in the builder's available memory (checked before anything is allocated)
   * @throws IllegalArgumentException if the policy already has a LoRA adapter with other settings
   *     than the config's {@code lora}
   */
  public TrainingResult train(List<SftExample> examples) {
    checkArgument(
        examples != null && !examples.isEmpty(), "examples must hold at least one example");
    policy.config().checkLength("maxLength", config.maxLength());
    int vocab = policy.config().vocabSize();
    List<TokenizedSequence> encoded = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      SftExample example = examples.get(i);
      checkArgument(example != null, "examples[%s] must not be null", i);
      encoded.add(
          Encoding.encodeSft(
              tokenizer, example.prompt(), example.response(), i, config.maxLength(), vocab));
    }
    PolicyAdapter.check(policy, config.lora());
    MemoryCheck.requireSftFits(
        MemoryCheck.estimator(policy, config.lora(), 0).build(), encoded,
        config.optimization().microBatchSize(), availableMemory,
        MemoryEstimator.residentBytes(policy));
    PolicyAdapter.attach(policy, config.lora(), config.optimization().seed());
    DataFingerprint data = new DataFingerprint();
    encoded.forEach(e -> e.addTo(data));
    TrainingLoop.Run run =
        new TrainingLoop.Run(
            Stage.SFT, iteration, config.optimization(), checkpointDirectory,
            "maxLength=" + config.maxLength() + PolicyAdapter.fingerprint(policy) + "|data="
                + data);
    TrainingLoop.Outcome outcome;
    policy.setAdapterTraining(true);
    try {
      outcome =
          TrainingLoop.run(
              new PolicyTrainable(policy, tokenizer.directory()), encoded.size(),
              new SftObjective(policy, encoded), run, listener);
    } finally {
      policy.setAdapterTraining(false);
    }
    return new TrainingResult(
        outcome.history(), outcome.tokens(), outcome.tokens() / outcome.stepSeconds(),
        outcome.elapsed(), outcome.lastCheckpoint());
  }

  /**
   * Builds an {@link SftTrainer}; the policy and tokenizer are given to {@link
   * SftTrainer#builder}. Not thread-safe.
   */
  public static final class Builder extends TrainerBuilder<Builder> {
    private final CausalLm policy;
    private final HfTokenizer tokenizer;
    private SftConfig config = SftConfig.builder().build();

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
     * The run's settings; default {@code SftConfig.builder().build()}.
     *
     * @throws IllegalArgumentException if it is null
     */
    public Builder config(SftConfig config) {
      checkArgument(config != null, "config must not be null");
      this.config = config;
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** Builds the trainer. */
    public SftTrainer build() {
      return new SftTrainer(this);
    }
  }
}
