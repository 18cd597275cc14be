package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.exploration.Sampler;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Sampler} over one loaded policy checkpoint, holding whatever the backend loaded for it
 * (model weights, a generator, native memory). The loop that obtained it from {@link
 * PolicyBackend#sampler(java.nio.file.Path)} closes it.
 */
public interface PolicySampler extends Sampler, AutoCloseable {

  /**
   * The sequence log-probability log π(y|x) = Σ_t log π(y_t | x, y_<t) of every response of
   * {@code samples} under this policy, at temperature 1 and without top-k or top-p cuts: the
   * prompt rendered as for sampling, the response as training encodes it (its stop token included
   * when it {@linkplain dev.rlhf4j.api.FinishReason#STOP stopped}). The loop uses it for its KL
   * estimates ({@link LoopDiagnostics}); it is optional, and the default returns empty, so the loop
   * reports no KL figures for a backend that cannot score.
   *
   * <p>The loop first calls it with no samples to learn whether the sampler can score: return an
   * empty array then, not empty.
   *
   * @param samples the responses to score, any policy's
   * @return one value per response, samples in order and each sample's responses in order; or
   *     empty when this sampler cannot score
   */
  default Optional<double[]> logProbs(List<GeneratedSample> samples) {
    return Optional.empty();
  }

  /** Releases what the sampler holds; idempotent. The default holds nothing. */
  @Override
  default void close() {}

  /**
   * A policy sampler that holds nothing, over {@code sampler}.
   *
   * @throws IllegalArgumentException if sampler is null
   */
  static PolicySampler of(Sampler sampler) {
    checkArgument(sampler != null, "sampler must not be null");
    return sampler::sample;
  }
}
