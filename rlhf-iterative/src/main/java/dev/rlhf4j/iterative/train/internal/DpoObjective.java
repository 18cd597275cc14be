package dev.rlhf4j.iterative.train.internal;

import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.losses.PreferenceLoss;
import dev.rlhf4j.losses.PreferenceLossInput;
import dev.rlhf4j.losses.PreferenceLossOutput;
import dev.rlhf4j.losses.SequenceLogProbs;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.training.TrainingLoop;
import dev.rlhf4j.iterative.train.ReferenceSync;
import dev.rlhf4j.models.checkpoint.SafetensorsFile;
import dev.rlhf4j.models.checkpoint.SafetensorsWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DPO objective of a micro-batch: chosen and rejected sequences in one forward pass of the
 * policy, packed one pair per row so each pair's shared prompt is computed once ({@link
 * PackedPairs}), completion log-probabilities over the response tokens, the preference loss against the
 * reference log-probabilities (precomputed, or scored live by a reference model before the
 * gradient collector opens: a separate model, or the policy itself with its LoRA adapter switched
 * off), weighted by the micro-batch's share of the global batch.
 */
public final class DpoObjective implements TrainingLoop.Objective<DpoObjective.Prepared> {
  private final CausalLm policy;
  private final List<TokenizedPair> pairs;
  private final PreferenceLoss loss;
  private final double[][] precomputed;
  private final CausalLm liveReference;
  private final Optional<ReferenceSync> sync;
  private final double ldAlpha;
  private int globalBatch;

  /**
   * @param precomputed the reference log-probabilities of every pair ({@code [0]} chosen, {@code
   *     [1]} rejected), or null to score them with {@code liveReference}
   * @param liveReference the model that scores the reference live; the policy itself for its
   *     base with the adapter switched off
   */
  public DpoObjective(
      CausalLm policy,
      List<TokenizedPair> pairs,
      PreferenceLoss loss,
      double[][] precomputed,
      CausalLm liveReference,
      Optional<ReferenceSync> sync,
      double ldAlpha) {
    this.policy = policy;
    this.pairs = pairs;
    this.loss = loss;
    this.precomputed = precomputed;
    this.liveReference = liveReference;
    this.sync = sync;
    this.ldAlpha = ldAlpha;
  }

  /**
   * TR-DPO's soft update after every τ-th step: {@code π_ref ← α·π_θ + (1 − α)·π_ref}, in place on
   * the trainer's own reference copy, outside the gradient collector.
   */
  @Override
  public void afterStep(long step) {
    if (sync.isEmpty() || step % sync.get().everySteps() != 0) {
      return;
    }
    double alpha = sync.get().alpha();
    Map<String, NDArray> target = liveReference.parameters();
    for (Map.Entry<String, NDArray> e : policy.parameters().entrySet()) {
      NDArray ref = target.get(e.getKey());
      try (NDArray weights = e.getValue().stopGradient();
          NDArray scaled = weights.mul(alpha)) {
        ref.muli(1 - alpha).addi(scaled);
      }
    }
  }

  @Override
  public void saveState(Path directory) {
    if (sync.isPresent()) {
      SafetensorsWriter.builder().build()
          .writeFile(directory.resolve("reference.safetensors"), liveReference.parameters());
    }
  }

  @Override
  public void loadState(Path directory) {
    if (sync.isEmpty()) {
      return;
    }
    try (SafetensorsFile file = SafetensorsFile.open(directory.resolve("reference.safetensors"));
        NDManager scope = NDManager.newBaseManager()) {
      for (Map.Entry<String, NDArray> e : liveReference.parameters().entrySet()) {
        try (NDArray loaded = file.read(e.getKey(), scope).toDevice(e.getValue().getDevice(), false)) {
          e.getValue().muli(0).addi(loaded);
        }
      }
    }
  }

  /** A micro-batch ready for the policy. */
  public record Prepared(
      CompletionBatch batch,
      PackedPairs packed,
      double[] referenceChosen,
      double[] referenceRejected,
      int size) {}

  @Override
  public void beginStep(int[] batch) {
    globalBatch = batch.length;
  }

  @Override
  public Prepared prepare(NDManager scope, int[] microBatch) {
    List<TokenizedPair> selected = new ArrayList<>(microBatch.length);
    for (int index : microBatch) {
      selected.add(pairs.get(index));
    }
    CompletionBatch batch = LogProbs.pairBatch(scope, selected);
    PackedPairs packed = PackedPairs.of(scope, selected);
    double[] chosen = new double[microBatch.length];
    double[] rejected = new double[microBatch.length];
    if (precomputed != null) {
      for (int i = 0; i < microBatch.length; i++) {
        chosen[i] = precomputed[0][microBatch[i]];
        rejected[i] = precomputed[1][microBatch[i]];
      }
    } else {
      double[][] scored = LogProbs.ofReference(liveReference, batch, packed, ldAlpha, policy);
      chosen = scored[0];
      rejected = scored[1];
    }
    return new Prepared(batch, packed, chosen, rejected, microBatch.length);
  }

  @Override
  public TrainingLoop.MicroLoss loss(NDManager scope, Prepared prepared) {
    CompletionBatch batch = prepared.batch();
    LogProbs.Projected projected = LogProbs.projected(policy, batch, prepared.packed());
    SequenceLogProbs logProbs = projected.logProbs();
    SequenceLogProbs.ChosenRejected split = logProbs.split();
    PreferenceLossInput input;
    if (ldAlpha < 1) {
      NDArray ld =
          SequenceLogProbs.lengthDesensitizedSums(
              logProbs, batch.completionMask().get(":, 1:"), ldAlpha);
      long pairs = ld.getShape().get(0) / 2;
      input =
          PreferenceLossInput.builder()
              .policy(ld.get("0:" + pairs), ld.get(pairs + ":"))
              .reference(prepared.referenceChosen(), prepared.referenceRejected())
              .tokenCounts(split.chosen().count(), split.rejected().count())
              .build();
    } else {
      input =
          PreferenceLossInput.of(split, prepared.referenceChosen(), prepared.referenceRejected());
    }
    PreferenceLossOutput output =
        loss.compute(input);
    double weight = prepared.size() / (double) globalBatch;
    NDArray weighted = output.loss().mul(scalar(output.loss(), weight));
    Map<String, Double> metrics = new HashMap<>();
    output.metrics().forEach((name, value) -> metrics.put(name, value * weight));
    // the vocabulary projection's backward runs now, chunk by chunk; the loop back-propagates
    // the rest (see ProjectedLogProbs)
    return new TrainingLoop.MicroLoss(
        projected.lossForBackward(weighted), output.metric(PreferenceLossOutput.LOSS), metrics,
        batch.tokens());
  }
}
