package dev.rlhf4j.reward.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.losses.BradleyTerryLoss;
import dev.rlhf4j.models.ClassifierOutput;
import dev.rlhf4j.models.PaddedBatch;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.DjlRewardModel;
import dev.rlhf4j.reward.Truncation;
import dev.rlhf4j.reward.eval.PairAccuracy;
import dev.rlhf4j.reward.internal.PairMemory;
import dev.rlhf4j.reward.internal.PairTrainerBuilder;
import dev.rlhf4j.reward.internal.PairTraining;
import dev.rlhf4j.reward.internal.PairTrainingSettings;
import dev.rlhf4j.reward.internal.PairLora;
import dev.rlhf4j.reward.internal.PairMemory;
import dev.rlhf4j.training.DataFingerprint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a Bradley–Terry reward model by maximum likelihood (paper §2.2): for each preference
 * pair, {@code loss = −log σ(r(x, a⁺) − r(x, a⁻))} ({@link BradleyTerryLoss}, with its optional
 * reward-centering term), minimised with AdamW under a linear warm-up + cosine schedule (the
 * paper: warm-up ratio 0.03, one epoch, global batch 512).
 *
 * <p>Each micro-batch runs the chosen and the rejected conversations of its pairs through the
 * classifier as one batch; {@code globalBatchSize / microBatchSize} micro-batches are
 * accumulated into one optimizer step, after clipping by global norm. After each epoch the
 * held-out pair accuracy is measured with {@link PairAccuracy}; at the end the model is saved as
 * a Hugging Face directory if an output directory is set.
 *
 * <pre>{@code
 * try (DjlRewardModel rm = RewardModels.djlFromCausalLm(sftDir, 42).build()) {
 *   PairTrainingResult r = RewardTrainer.builder(rm)
 *       .trainPairs(train).evalPairs(heldOut)
 *       .learningRate(2e-6).globalBatchSize(512).microBatchSize(4)
 *       .outputDirectory(Path.of("models/rm"))
 *       .build().train();
 * }
 * }</pre>
 *
 * <p><b>LoRA.</b> With {@link Builder#lora lora(LoraConfig)} set (or a classifier that already
 * carries an adapter, e.g. one {@linkplain dev.rlhf4j.reward.RewardModels#djl loaded} from a PEFT
 * directory with {@code trainable(true)}) only a LoRA adapter on the backbone's chosen linear
 * layers and the scalar {@code score} head train (PEFT's {@code task_type "SEQ_CLS"} with {@code
 * modules_to_save = ["score"]}); the backbone is frozen: no gradient arrays, no AdamW state, and
 * the memory check counts the adapter and the head only. The adapter is added before that
 * check, so that the estimate is of the model as it trains; a refused run leaves it attached and
 * unchanged (B = 0), and a rerun with the same settings trains it. A frozen model ({@code
 * RewardModels.djl(dir).build()}) can train an adapter too.
 *
 * <pre>{@code
 * try (DjlRewardModel rm = RewardModels.djlFromCausalLm(sftDir, 42).build()) {
 *   RewardTrainer.builder(rm).trainPairs(train)
 *       .lora(new LoraConfig(16, 32, 0.05, LoraConfig.LLAMA_ALL_LINEAR))
 *       .outputDirectory(Path.of("models/rm-lora"))     // a PEFT adapter directory
 *       .build().train();
 * }
 * try (DjlRewardModel rm = RewardModels.djl(Path.of("models/rm-lora")).build()) { ... }
 * }</pre>
 *
 * The output directory and every checkpoint then hold what {@link DjlRewardModel#save} writes for
 * a classifier with an adapter: {@code adapter_config.json} ({@code base_model_name_or_path} = the
 * directory the backbone came from, e.g. the SFT model), {@code adapter_model.safetensors} with
 * the adapter and the head as {@code base_model.model.score.weight} (where PEFT saves {@code
 * modules_to_save}), the tokenizer files and the {@value DjlRewardModel#SIDECAR_FILE} sidecar;
 * with {@link Builder#saveMerged saveMerged(true)} the output directory receives the merged model
 * instead ({@link DjlRewardModel#saveMerged}), a plain Hugging Face directory.
 *
 * <p>The classifier is trained in place and borrowed (never closed here); the tokenizer too.
 * Every random choice (the order of the pairs) comes from the seed. Not thread-safe: one
 * {@link #train()} at a time, and nothing else may use the classifier meanwhile (DJL allows one
 * gradient collector per process).
 */
public final class RewardTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(RewardTrainer.class);

  private final SequenceClassifier model;
  private final HfTokenizer tokenizer;
  private final PairTrainingSettings s;
  private final double centeringCoefficient;

  private RewardTrainer(Builder builder, PairTrainingSettings settings) {
    this.model = builder.model;
    this.tokenizer = builder.tokenizer;
    this.s = settings;
    this.centeringCoefficient = builder.centeringCoefficient;
  }

  /**
   * A trainer for {@code model}, whose inputs {@code tokenizer} renders with its chat template.
   *
   * @throws IllegalArgumentException if an argument is null
   */
  public static Builder builder(SequenceClassifier model, HfTokenizer tokenizer) {
    checkArgument(model != null, "model must not be null");
    checkArgument(tokenizer != null, "tokenizer must not be null");
    return new Builder(model, tokenizer);
  }

  /**
   * A trainer for the classifier of {@code model}, rendering inputs with its tokenizer and, unless
   * set otherwise, with its maximum length and truncation: the reward model scores with the
   * trained weights as soon as {@link #train()} returns. The model is borrowed (never closed
   * here).
   *
   * <pre>{@code
   * try (DjlRewardModel rm = RewardModels.djlFromCausalLm(sftDir, 42).maxLength(1024).build()) {
   *   PairTrainingResult r =
   *       RewardTrainer.builder(rm).trainPairs(train).evalPairs(heldOut).build().train();
   *   double accuracy = PairAccuracy.create().evaluate(rm, heldOut).accuracy();
   *   rm.save(outDir);
   * }
   * }</pre>
   *
   * @throws IllegalArgumentException if model is null
   */
  public static Builder builder(DjlRewardModel model) {
    checkArgument(model != null, "model must not be null");
    return new Builder(model.classifier(), model.tokenizer())
        .withInputsOf(model.maxLength(), model.truncation());
  }

  /**
   * Trains the model in place, then saves it if an output directory is set.
   *
   * @return the per-epoch training loss and held-out accuracy and the step count
   * @throws IllegalArgumentException if a pair renders to more than maxLength tokens under {@link
   *     Truncation#FAIL}
   * @throws dev.rlhf4j.api.Rlhf4jException if the loss or the gradient norm stops being finite
   *     (naming the step)
   * @throws dev.rlhf4j.models.memory.InsufficientMemoryException if a micro-batch's memory
   *     estimate does not fit in the {@link Builder#availableMemory available memory} (checked
   *     before anything is allocated; the message gives both figures and the largest micro-batch
   *     that fits)
   * @throws IllegalStateException if the model or the tokenizer is closed, or another gradient
   *     collector is open
   */
  public PairTrainingResult train() {
    PairLora.attach(model, s.lora(), s.seed());
    try (DjlRewardModel view =
        DjlRewardModel.of(model, tokenizer)
            .maxLength(s.maxLength())
            .truncation(s.truncation())
            .maxBatchSize(2 * s.microBatchSize())
            .build()) {
      List<long[]> chosen = new ArrayList<>(s.trainPairs().size());
      List<long[]> rejected = new ArrayList<>(s.trainPairs().size());
      for (PreferencePair p : s.trainPairs()) {
        chosen.add(view.tokenize(new ScoreRequest(p.prompt(), p.chosen())));
        rejected.add(view.tokenize(new ScoreRequest(p.prompt(), p.rejected())));
      }
      List<long[]> inputs = new ArrayList<>(chosen);
      inputs.addAll(rejected);
      PairMemory.requireRewardStepFits(
          model, inputs, chosen.size(), s.microBatchSize(), s.availableMemory());
      BradleyTerryLoss loss = new BradleyTerryLoss(centeringCoefficient);
      PairAccuracy accuracy = PairAccuracy.builder().batchSize(s.microBatchSize()).build();
      DataFingerprint data = new DataFingerprint();
      for (int i = 0; i < chosen.size(); i++) {
        data.add(chosen.get(i)).add(rejected.get(i));
      }
      PairTraining.Outcome outcome =
          PairTraining.run(
              model,
              view::save,
              chosen.size(),
              s.optimization(),
              s.checkpointDirectory().orElse(null),
              "bradley-terry(centering=" + centeringCoefficient + ")|maxLength=" + s.maxLength()
                  + "|" + s.truncation() + PairLora.fingerprint(model) + "|data=" + data,
              s.listener(),
              (examples, scope) -> {
                List<long[]> rows = new ArrayList<>(2 * examples.length);
                for (int i : examples) {
                  rows.add(chosen.get(i));
                }
                for (int i : examples) {
                  rows.add(rejected.get(i));
                }
                PaddedBatch batch =
                    PaddedBatch.of(rows, view.padTokenId(), PaddedBatch.Side.RIGHT, scope);
                ClassifierOutput out = model.forward(batch.ids(), batch.attentionMask());
                int n = examples.length;
                NDArray scores = out.scores();
                return loss.compute(
                    scores.get("0:" + n + ", 0"), scores.get(n + ":" + (2 * n) + ", 0"));
              },
              epoch ->
                  s.evaluatesAfter(epoch)
                      ? OptionalDouble.of(accuracy.evaluate(view, s.evalPairs()).accuracy())
                      : OptionalDouble.empty(),
              BradleyTerryLoss.ACCURACY);
      Optional<Path> saved = s.outputDirectory();
      saved.ifPresent(s.saveMerged() ? view::saveMerged : view::save);
      LOG.info(
          "reward model trained: {} steps, final train loss {}, held-out accuracy {}{}",
          outcome.steps(),
          outcome.epochLoss().get(outcome.epochLoss().size() - 1),
          outcome.heldOutAccuracy(),
          saved.map(p -> ", saved to " + p).orElse(""));
      return new PairTrainingResult(
          outcome.epochLoss(),
          outcome.epochAccuracy(),
          outcome.heldOutAccuracy(),
          outcome.heldOutAccuracyBefore(),
          outcome.steps(),
          saved);
    }
  }

  /**
   * Settings of a {@link RewardTrainer}. The training pairs are required; everything else has a
   * default: 1 epoch, learning rate 1e-5, warm-up ratio 0.03, micro-batches of 8 pairs (each
   * forward pass holds twice as many sequences), global batches of 32 pairs, inputs of at most
   * {@value DjlRewardModel#DEFAULT_MAX_LENGTH} tokens kept at their end, clipping at global norm
   * 1, no weight decay, no reward centering, no LoRA adapter, the system's available memory,
   * seed 0 (the pair order). The listener receives
   * {@code loss}, {@code accuracy}, {@code rewards/chosen}, {@code rewards/rejected} and {@code
   * rewards/margins} per step besides the shared metrics; the output directory receives the
   * model as {@link DjlRewardModel#save} writes it. Each setter checks its own range, {@link
   * #build()} the combinations. Not thread-safe.
   */
  public static final class Builder extends PairTrainerBuilder<Builder> {
    private final SequenceClassifier model;
    private final HfTokenizer tokenizer;
    private double centeringCoefficient;

    private Builder(SequenceClassifier model, HfTokenizer tokenizer) {
      super(8, DjlRewardModel.DEFAULT_MAX_LENGTH);
      this.model = model;
      this.tokenizer = tokenizer;
    }

    private Builder withInputsOf(int maxLength, Truncation truncation) {
      inputDefaults(maxLength, truncation);
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The reward-centering coefficient of {@link BradleyTerryLoss} (default 0: off; TRL suggests
     * 0.01).
     *
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder centeringCoefficient(double value) {
      checkArgument(
          value >= 0 && Double.isFinite(value),
          "centeringCoefficient must be finite and >= 0 but was %s",
          value);
      this.centeringCoefficient = value;
      return this;
    }

    /**
     * The trainer.
     *
     * @throws IllegalArgumentException if the model was loaded frozen and no {@code lora} is set,
     *     the maximum length set exceeds the model's max_position_embeddings, no training pairs
     *     were given or the global batch size is not a multiple of the micro-batch size
     */
    public RewardTrainer build() {
      requireTrainable(
          model.isTrainable(),
          "the reward model was loaded frozen (weights only, for scoring); to train it, load it"
              + " with RewardModels.djl(dir).trainable(true), start from"
              + " RewardModels.djlFromCausalLm(sftDir, seed), or train a LoRA adapter on it with"
              + " lora(LoraConfig)");
      return new RewardTrainer(this, settings(model.config()));
    }
  }
}
