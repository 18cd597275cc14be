package dev.rlhf4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor's sampler is the DJL backend's (its frozen load is tested there, in {@code
 * FrozenModelsTest}): the same samples as the in-process loop, and it scores responses.
 */
class FrozenSamplerTest {
  @TempDir Path tmp;

  @Test
  void generatorSampler_samplesAsTheDjlBackendDoes_andScores() {
    Path policy = Tiny.policy(tmp.resolve("pi0"), 5);
    List<Prompt> prompts = List.of(new Prompt("p0", List.of(Message.user("say yes"))));
    try (PolicySampler executor = SamplerFactory.generator(Tiny.ROWS).open(policy);
        PolicySampler local =
            DjlDpoBackend.builder().maxBatchRows(Tiny.ROWS).build().sampler(policy)) {
      assertThat(executor.getClass()).isEqualTo(local.getClass());
      List<GeneratedSample> a = executor.sample(prompts, 2, Tiny.SAMPLING);
      List<GeneratedSample> b = local.sample(prompts, 2, Tiny.SAMPLING);
      assertThat(a).isEqualTo(b);
      assertThat(executor.logProbs(a)).isPresent();
    }
  }
}
