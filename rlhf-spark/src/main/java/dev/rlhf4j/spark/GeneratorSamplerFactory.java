package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkState;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.sampling.generate.Generator;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link SamplerFactory#generator}: the DJL generator over a Hugging Face checkpoint. */
record GeneratorSamplerFactory(int maxBatchRows) implements SamplerFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public PolicySampler open(Path checkpoint) {
    CausalLm model = CausalLm.loadFrozen(checkpoint); // sampling only: no autograd state
    HfTokenizer tokenizer;
    try {
      tokenizer = HfTokenizer.load(checkpoint);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return new Sampler(checkpoint, model, tokenizer, maxBatchRows);
  }

  @Override
  public int batchRows() {
    return maxBatchRows;
  }

  /** A generator over a frozen model and its tokenizer; owns both until closed. */
  static final class Sampler implements PolicySampler {
    private final Path checkpoint;
    private final CausalLm model;
    private final HfTokenizer tokenizer;
    private final Generator generator;
    private final AtomicBoolean closed = new AtomicBoolean();

    Sampler(Path checkpoint, CausalLm model, HfTokenizer tokenizer, int maxBatchRows) {
      this.checkpoint = checkpoint;
      this.model = model;
      this.tokenizer = tokenizer;
      this.generator = Generator.builder(model, tokenizer).maxBatchRows(maxBatchRows).build();
    }

    /** The model it samples from. */
    CausalLm model() {
      return model;
    }

    @Override
    public List<GeneratedSample> sample(List<Prompt> prompts, int n, SamplingParams params) {
      checkState(!closed.get(), "the sampler of %s is closed", checkpoint);
      return generator.sample(prompts, n, params);
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        try {
          model.close();
        } finally {
          tokenizer.close();
        }
      }
    }
  }
}
