package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.models.TinyConfigs.Named;
import dev.rlhf4j.models.memory.MemoryEstimator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The estimator's parameter count from shapes equals what a built model holds. */
class ParameterCountTest {

  static java.util.List<Named> configs() {
    return TinyConfigs.all();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void countFromShapesEqualsTheBuiltModel(Named named) {
    try (CausalLm lm = CausalLm.randomInit(named.config(), 1, ModelOptions.cpu())) {
      assertThat(MemoryEstimator.parameterCount(named.config())).isEqualTo(lm.numParameters());
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void countOfAClassifierEqualsTheBuiltModel(Named named) {
    try (CausalLm lm = CausalLm.randomInit(named.config(), 1, ModelOptions.cpu());
        SequenceClassifier rm = SequenceClassifier.fromCausalLm(lm, 1, 2)) {
      assertThat(MemoryEstimator.parameterCount(rm.config())).isEqualTo(rm.numParameters());
    }
  }
}
