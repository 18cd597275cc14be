package dev.rlhf4j.reward.preference;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.losses.PairwisePreferenceLoss;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.PaddedBatch;
import dev.rlhf4j.models.PeftAdapter;
import dev.rlhf4j.models.checkpoint.StorageType;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.Truncation;
import dev.rlhf4j.reward.eval.PairAccuracy;
import dev.rlhf4j.reward.internal.ModelFiles;
import dev.rlhf4j.reward.internal.PairMemory;
import dev.rlhf4j.reward.internal.PairTrainerBuilder;
import dev.rlhf4j.reward.internal.PairTraining;
import dev.rlhf4j.reward.internal.PairTrainingSettings;
import dev.rlhf4j.reward.internal.PairLora;
import dev.rlhf4j.reward.internal.PairMemory;
import dev.rlhf4j.reward.train.PairTrainingResult;
import dev.rlhf4j.training.DataFingerprint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes a causal LM into a pairwise preference model (paper §2.2): each preference pair
 * becomes the instruction {@code [CONTEXT] x [RESPONSE A] a1 [RESPONSE B] a2} ({@link
 * PreferenceFormat}) with the label "A" when the first response is the preferred one and "B"
 * otherwise. The order of the two responses is drawn at random for every pair (from the seed),
 * so that the model cannot learn a position bias. The loss is {@link PairwisePreferenceLoss} at
 * the answer position (by default over the full vocabulary, the instruction-tuning loss the paper
 * uses); AdamW with linear warm-up + cosine decay, gradient accumulation to a global batch,
 * clipping by global norm.
 *
 * <p>After each epoch the held-out accuracy is measured with {@link PairAccuracy} through an
 * {@link LmPreferenceModel} view (both orders averaged). If an output directory is set, the LM
 * and its tokenizer files are saved there as a Hugging Face directory.
 *
 * <p><b>LoRA.</b> With {@link Builder#lora lora(LoraConfig)} set (or an LM that already carries an
 * adapter, e.g. one {@linkplain CausalLm#load loaded} from a PEFT directory) only a LoRA adapter on
 * the LM's chosen linear layers trains ({@code task_type "CAUSAL_LM"}); the base is frozen: no
 * gradient arrays, no AdamW state, and the memory check counts the adapter only. The adapter is
 * added before that check, so that the estimate is of the model as it trains; a refused run leaves
 * it attached and unchanged (B = 0), and a rerun with the same settings trains it. A frozen LM can
 * train an adapter too. The output directory and every checkpoint then hold the PEFT adapter
 * directory ({@link PeftAdapter#save}: {@code adapter_config.json} whose {@code
 * base_model_name_or_path} names the directory the LM was loaded from, {@code
 * adapter_model.safetensors}) and the tokenizer files; {@code PreferenceModels.lm(dir)} loads it on
 * its base. With {@link Builder#saveMerged saveMerged(true)} the output directory receives the
 * merged LM instead ({@link PeftAdapter#saveMerged}), a plain Hugging Face directory.
 *
 * <p>The LM is trained in place and borrowed, as is the tokenizer. Not thread-safe: one {@link
 * #train()} at a time, and nothing else may use the LM meanwhile.
 */
public final class PreferenceTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(PreferenceTrainer.class);

  private final CausalLm lm;
  private final HfTokenizer tokenizer;
  private final PairTrainingSettings s;
  private final PairwisePreferenceLoss.Softmax softmax;

  private PreferenceTrainer(Builder builder, PairTrainingSettings settings) {
    this.lm = builder.lm;
    this.tokenizer = builder.tokenizer;
    this.s = settings;
    this.softmax = builder.softmax;
  }

  /**
   * A trainer for {@code lm}, whose prompts {@code tokenizer} renders with its chat template.
   *
   * @throws IllegalArgumentException if an argument is null
   */
  public static Builder builder(CausalLm lm, HfTokenizer tokenizer) {
    checkArgument(lm != null, "lm must not be null");
    checkArgument(tokenizer != null, "tokenizer must not be null");
    return new Builder(lm, tokenizer);
  }

  /**
   * A trainer for the LM of {@code model}, rendering prompts with its tokenizer and, unless set
   * otherwise, with its maximum length: the preference model judges with the trained weights as
   * soon as {@link #train()} returns. The model is borrowed (never closed here).
   *
   * @throws IllegalArgumentException if model is null
   */
  public static Builder builder(LmPreferenceModel model) {
    checkArgument(model != null, "model must not be null");
    return new Builder(model.lm(), model.tokenizer())
        .withInputsOf(model.maxLength(), model.truncation());
  }

  /**
   * Trains the LM in place, then saves it if an output directory is set.
   *
   * @return the per-epoch loss and accuracies and the step count
   * @throws IllegalArgumentException if "A" or "B" is not a single token, or a prompt is too long
   *     under {@link Truncation#FAIL}
   * @throws dev.rlhf4j.api.Rlhf4jException if the loss or the gradient norm stops being finite
   *     (naming the step)
   * @throws dev.rlhf4j.models.memory.InsufficientMemoryException if a micro-batch's memory
   *     estimate does not fit in the {@link Builder#availableMemory available memory} (checked
   *     before anything is allocated; the message gives both figures and the largest micro-batch
   *     that fits)
   * @throws IllegalStateException if the LM or the tokenizer is closed, or another gradient
   *     collector is open
   */
  public PairTrainingResult train() {
    PairLora.attach(lm, s.lora(), s.seed());
    try (LmPreferenceModel view =
        LmPreferenceModel.of(lm, tokenizer)
            .maxLength(s.maxLength())
            .truncation(s.truncation())
            .maxBatchSize(2 * s.microBatchSize())
            .build()) {
      List<long[]> prompts = new ArrayList<>(s.trainPairs().size());
      boolean[] firstPreferred = preferredShownFirst(s.trainPairs().size(), s.seed());
      for (int i = 0; i < s.trainPairs().size(); i++) {
        PreferencePair p = s.trainPairs().get(i);
        Comparison shown =
            firstPreferred[i]
                ? new Comparison(p.prompt(), p.chosen(), p.rejected())
                : new Comparison(p.prompt(), p.rejected(), p.chosen());
        prompts.add(view.tokenize(shown));
      }
      PairMemory.requirePreferenceStepFits(lm, prompts, s.microBatchSize(), s.availableMemory());
      PairwisePreferenceLoss loss =
          new PairwisePreferenceLoss(view.tokenA(), view.tokenB(), softmax);
      PairAccuracy accuracy = PairAccuracy.builder().batchSize(s.microBatchSize()).build();
      DataFingerprint data = new DataFingerprint();
      prompts.forEach(data::add);
      PairTraining.Outcome outcome =
          PairTraining.run(
              lm,
              dir -> save(dir, false),
              prompts.size(),
              s.optimization(),
              s.checkpointDirectory().orElse(null),
              "pairwise(" + softmax + ")|maxLength=" + s.maxLength() + "|"
                  + s.truncation() + PairLora.fingerprint(lm) + "|data=" + data,
              s.listener(),
              (examples, scope) -> {
                List<long[]> rows = new ArrayList<>(examples.length);
                boolean[] labels = new boolean[examples.length];
                for (int k = 0; k < examples.length; k++) {
                  rows.add(prompts.get(examples[k]));
                  labels[k] = firstPreferred[examples[k]];
                }
                PaddedBatch batch =
                    PaddedBatch.of(rows, view.padTokenId(), PaddedBatch.Side.LEFT, scope);
                // left-padded: every row's answer is read at the last slot, the only one
                // projected onto the vocabulary ([rows, 1, vocab] instead of [rows, T, vocab])
                long width = batch.ids().getShape().get(1);
                boolean[] last = new boolean[(int) (examples.length * width)];
                for (int k = 0; k < examples.length; k++) {
                  last[(int) ((k + 1) * width - 1)] = true;
                }
                NDArray logits =
                    lm.logitsAt(
                            batch.ids(),
                            batch.attentionMask(),
                            owned(scope.create(last, new Shape(examples.length, width))))
                        .expandDims(1);
                long[] positions = new long[examples.length];
                return loss.compute(
                    logits,
                    owned(scope.create(positions, new Shape(examples.length))),
                    owned(scope.create(labels, new Shape(examples.length))));
              },
              epoch ->
                  s.evaluatesAfter(epoch)
                      ? OptionalDouble.of(
                          accuracy.evaluatePairwise(view, s.evalPairs()).accuracy())
                      : OptionalDouble.empty(),
              PairwisePreferenceLoss.ACCURACY);
      Optional<Path> saved = s.outputDirectory();
      saved.ifPresent(dir -> save(dir, s.saveMerged()));
      LOG.info(
          "preference model trained: {} steps, final train loss {}, held-out accuracy {}{}",
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
   * Writes the LM and the tokenizer files: a Hugging Face directory, or with an adapter the PEFT
   * adapter directory ({@code merged}: the adapter merged into a Hugging Face directory).
   */
  private void save(Path dir, boolean merged) {
    if (lm.loraConfig().isEmpty()) {
      lm.save(dir);
    } else if (merged) {
      PeftAdapter.saveMerged(lm, dir, StorageType.F32);
    } else {
      PeftAdapter.save(lm, dir);
    }
    ModelFiles.copyTokenizerFiles(tokenizer.directory(), dir);
  }

  /**
   * For each of {@code n} pairs, whether the preferred response is shown as A (label "A") rather
   * than B: fair coin flips drawn from {@code seed}, so the same seed gives the same orders.
   */
  static boolean[] preferredShownFirst(int n, long seed) {
    Random random = new Random(seed);
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) {
      out[i] = random.nextBoolean();
    }
    return out;
  }

  /**
   * Settings of a {@link PreferenceTrainer}. The training pairs are required; everything else
   * has a default: 1 epoch, learning rate 1e-5, warm-up ratio 0.03, micro-batches of 4 pairs,
   * global batches of 32 pairs, prompts of at most {@value LmPreferenceModel#DEFAULT_MAX_LENGTH}
   * tokens kept at their end, the loss over the full vocabulary, clipping at global norm 1, no
   * weight decay, no LoRA adapter, the system's available memory, seed 0 (the response orders
   * and the pair order). The listener receives {@code
   * loss}, {@code accuracy} and {@code probability_preferred} per step besides the shared
   * metrics; the output directory receives the trained LM and its tokenizer files. Each setter
   * checks its own range, {@link #build()} the combinations. Not thread-safe.
   */
  public static final class Builder extends PairTrainerBuilder<Builder> {
    private final CausalLm lm;
    private final HfTokenizer tokenizer;
    private PairwisePreferenceLoss.Softmax softmax =
        PairwisePreferenceLoss.Softmax.FULL_VOCABULARY;

    private Builder(CausalLm lm, HfTokenizer tokenizer) {
      super(4, LmPreferenceModel.DEFAULT_MAX_LENGTH);
      this.lm = lm;
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
     * Over which tokens the answer's softmax runs (default {@link
     * PairwisePreferenceLoss.Softmax#FULL_VOCABULARY}, the paper's instruction-tuning
     * loss).
     *
     * @throws IllegalArgumentException if null
     */
    public Builder softmax(PairwisePreferenceLoss.Softmax value) {
      checkArgument(value != null, "softmax must not be null");
      this.softmax = value;
      return this;
    }

    /**
     * The trainer.
     *
     * @throws IllegalArgumentException if the LM was loaded frozen and no {@code lora} is set, the
     *     maximum length set exceeds the model's max_position_embeddings, no training pairs were
     *     given or the global batch size is not a multiple of the micro-batch size
     */
    public PreferenceTrainer build() {
      requireTrainable(
          lm.isTrainable(),
          "the preference model's LM was loaded frozen (weights only, for judging); to train it,"
              + " load it with PreferenceModels.lm(dir).trainable(true), pass a trainable LM, or"
              + " train a LoRA adapter on it with lora(LoraConfig)");
      return new PreferenceTrainer(this, settings(lm.config()));
    }
  }
}
