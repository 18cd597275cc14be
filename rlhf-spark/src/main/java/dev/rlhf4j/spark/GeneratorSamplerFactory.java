package dev.rlhf4j.spark;

import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import java.nio.file.Path;

/**
 * {@link SamplerFactory#generator}: the DJL backend's sampler over a Hugging Face checkpoint (the
 * model loaded frozen, an adapter directory merged into its base), so an executor samples exactly
 * as the in-process loop does.
 */
record GeneratorSamplerFactory(int maxBatchRows) implements SamplerFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public PolicySampler open(Path checkpoint) {
    return DjlDpoBackend.builder().maxBatchRows(maxBatchRows).build().sampler(checkpoint);
  }

  @Override
  public int batchRows() {
    return maxBatchRows;
  }
}
