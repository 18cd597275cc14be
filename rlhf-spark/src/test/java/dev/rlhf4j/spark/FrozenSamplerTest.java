package dev.rlhf4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.models.CausalLm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An executor's sampler loads its policy frozen: weights only, no gradient arrays. */
class FrozenSamplerTest {
  @TempDir Path tmp;

  @Test
  void generatorSampler_modelHasNoGradientArrays() {
    Path policy = Tiny.policy(tmp.resolve("pi0"), 5);
    try (PolicySampler sampler = SamplerFactory.generator(Tiny.ROWS).open(policy)) {
      CausalLm model = ((GeneratorSamplerFactory.Sampler) sampler).model();
      assertThat(model.isTrainable()).isFalse();
      assertThat(model.parameters().values()).isNotEmpty().noneMatch(NDArray::hasGradient);
    }
  }
}
