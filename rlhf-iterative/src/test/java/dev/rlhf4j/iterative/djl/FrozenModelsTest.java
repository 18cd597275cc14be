package dev.rlhf4j.iterative.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.iterative.TrainRequest;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.models.CausalLm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the DJL backend opens only to read from (the sampler's model, a separate reference) holds
 * no gradient arrays, so it costs its weights and nothing more.
 */
class FrozenModelsTest {
  @TempDir Path tmp;

  @Test
  void sampler_modelHasNoGradientArrays() {
    Path pi0 = TinyPolicy.write(tmp.resolve("pi0"), 3);
    try (PolicySampler sampler = DjlDpoBackend.defaults().sampler(pi0)) {
      CausalLm model = ((DjlDpoBackend.GeneratorSampler) sampler).model();
      assertThat(model.isTrainable()).isFalse();
      assertThat(model.parameters().values()).isNotEmpty().noneMatch(NDArray::hasGradient);
    }
  }

  @Test
  void separateReference_isLoadedWithoutGradientArrays() {
    Path pi0 = TinyPolicy.write(tmp.resolve("pi0"), 3);
    Path last = TinyPolicy.write(tmp.resolve("last"), 4);
    try (CausalLm policy = CausalLm.load(last);
        CausalLm reference = DjlDpoBackend.openReference(request(last, pi0), policy)) {
      assertThat(reference).isNotNull();
      assertThat(reference.isTrainable()).isFalse();
      assertThat(reference.parameters().values()).isNotEmpty().noneMatch(NDArray::hasGradient);
    }
  }

  @Test
  void referenceThatIsTheStartingCheckpoint_isNotLoadedTwice() {
    Path pi0 = TinyPolicy.write(tmp.resolve("pi0"), 3);
    try (CausalLm policy = CausalLm.load(pi0)) {
      assertThat(DjlDpoBackend.openReference(request(pi0, pi0), policy)).isNull();
    }
  }

  private TrainRequest request(Path initial, Path reference) {
    PreferencePair pair = PreferencePair.of(List.of(Message.user("say yes")), "yes", "no");
    return new TrainRequest(
        1,
        List.of(pair),
        initial,
        reference,
        DpoConfig.paperDefaults(),
        tmp.resolve("checkpoints"),
        ProgressListener.none());
  }
}
