package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.List;
import java.util.OptionalInt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.models.TinyConfigs.Named;
import java.util.stream.Stream;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The DJL forward pass against the plain-Java float64 reference, on a padded batch. */
class ReferenceForwardTest {

  static Stream<Named> configs() {
    return TinyConfigs.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void logits_float32_matchNaiveReference(Named named) {
    check(named, DataType.FLOAT32, 1e-4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void logits_float64_matchNaiveReference(Named named) {
    check(named, DataType.FLOAT64, 1e-10);
  }

  @Test
  void slidingWindow_isHonoured_onlyTokensBeyondTheWindowChange() {
    ModelConfig windowed = TinyConfigs.mistralWindow();
    ModelConfig full =
        ModelConfig.builder(Architecture.MISTRAL_CAUSAL_LM)
            .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
            .vocabSize(50).hiddenSize(16).numLayers(2).numHeads(4).numKvHeads(1)
            .intermediateSize(32).initializerRange(TinyConfigs.INIT).build();
    long[][] mask = {Batches.mask(8, 0, 0)};
    long[][] ids = Batches.ids(1, 50, mask);
    try (CausalLm a = CausalLm.randomInit(windowed, 2, ModelOptions.cpu());
        CausalLm b = CausalLm.randomInit(full, 2, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      double[][] withWindow =
          Batches.toDoubles3(a.forward(manager.create(ids), manager.create(mask)).logits())[0];
      double[][] without =
          Batches.toDoubles3(b.forward(manager.create(ids), manager.create(mask)).logits())[0];
      // window 3: slots 0..2 see their whole past either way; later slots lose old keys
      for (int t = 0; t < 3; t++) {
        Batches.assertClose(withWindow[t], without[t], 1e-6, "slot " + t);
      }
      for (int t = 3; t < 8; t++) {
        assertThat(withWindow[t]).as("slot %s", t).isNotEqualTo(without[t]);
      }
    }
  }

  private static void check(Named named, DataType type, double tolerance) {
    long[][] mask = {Batches.mask(9, 0, 0), Batches.mask(9, 3, 0), Batches.mask(9, 0, 2)};
    long[][] ids = Batches.ids(7, named.config().vocabSize(), mask);
    try (CausalLm lm =
            CausalLm.randomInit(named.config(), 11, ModelOptions.cpu().withDataType(type));
        NDManager manager = NDManager.newBaseManager()) {
      NDArray idArray = manager.create(ids);
      NDArray maskArray = manager.create(mask);
      double[][][] logits = Batches.toDoubles3(lm.forward(idArray, maskArray).logits());
      assertThat(logits[0][0]).hasSize(named.config().vocabSize());
      NaiveReference reference = new NaiveReference(lm);
      for (int b = 0; b < ids.length; b++) {
        double[][] expected = reference.logits(ids[b], mask[b]);
        for (int t = 0; t < ids[b].length; t++) {
          if (mask[b][t] == 1) {
            Batches.assertClose(
                logits[b][t], expected[t], tolerance, named + " row " + b + " slot " + t);
          }
        }
      }
    }
  }
}
