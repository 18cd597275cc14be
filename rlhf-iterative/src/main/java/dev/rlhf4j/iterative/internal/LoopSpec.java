package dev.rlhf4j.iterative.internal;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.exploration.ExplorationStrategy;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.iterative.Evaluation;
import dev.rlhf4j.iterative.LoopDiagnostics;
import dev.rlhf4j.iterative.PolicyBackend;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.ReferencePolicy;
import dev.rlhf4j.iterative.train.DpoConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of a loop, validated by {@link dev.rlhf4j.iterative.IterativeLoop.Builder}.
 *
 * @param dpo the DPO config of every iteration's training, before its seed is replaced
 * @param diagnostics how the per-iteration diagnostics are computed
 */
public record LoopSpec(
    Path initialPolicy,
    PolicyBackend backend,
    Optional<RewardModel> rewardModel,
    Optional<PreferenceModel> preferenceModel,
    PromptSource prompts,
    int iterations,
    int promptsPerIteration,
    ExplorationStrategy exploration,
    SamplingParams sampling,
    int batchPrompts,
    ReferencePolicy reference,
    boolean warmStart,
    List<PreferencePair> offlinePairs,
    Optional<Evaluation> evaluation,
    long seed,
    Path runDirectory,
    List<ProgressListener> listeners,
    DpoConfig dpo,
    LoopDiagnostics diagnostics) {

  /** Copies the collections. */
  public LoopSpec {
    offlinePairs = List.copyOf(offlinePairs);
    listeners = List.copyOf(listeners);
  }
}
