package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.models.TinyConfigs.Named;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CausalLm#logitsAt}: the selected rows of the full forward, values and gradients. */
class LogitsAtTest {
  private static final double TOLERANCE = 1e-5;

  static Stream<Named> configs() {
    return TinyConfigs.all().stream();
  }

  /** Left padding, right padding and none; a few slots of each row selected. */
  private static final long[][] MASK = {
    Batches.mask(9, 0, 3), Batches.mask(9, 2, 0), Batches.mask(9, 0, 0)
  };

  private static final boolean[][] SELECT = {
    {false, false, true, true, true, false, false, false, false},
    {false, false, false, false, true, false, true, true, false},
    {true, false, false, false, false, false, false, false, true}
  };

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void logitsAt_equalsTheSelectedRowsOfForward(Named named) {
    long[][] ids = Batches.ids(4, named.config().vocabSize(), MASK);
    try (CausalLm lm = CausalLm.randomInit(named.config(), 6, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      double[][][] full =
          Batches.toDoubles3(lm.forward(manager.create(ids), manager.create(MASK)).logits());
      NDArray selected =
          lm.logitsAt(manager.create(ids), manager.create(MASK), manager.create(SELECT));
      assertThat(selected.getManager()).isSameAs(manager);
      assertThat(selected.getShape()).isEqualTo(new Shape(8, named.config().vocabSize()));
      double[][][] rows =
          Batches.toDoubles3(selected.reshape(1, 8, named.config().vocabSize()));
      int k = 0;
      for (int b = 0; b < SELECT.length; b++) {
        for (int t = 0; t < SELECT[b].length; t++) {
          if (SELECT[b][t]) {
            Batches.assertClose(rows[0][k++], full[b][t], TOLERANCE, "slot " + b + "," + t);
          }
        }
      }
    }
  }

  @Test
  void logitsAt_gradientEqualsForwardsGradient() {
    long[][] ids = Batches.ids(8, TinyConfigs.llama().vocabSize(), MASK);
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.llama(), 3, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      NDArray select = manager.create(SELECT);
      Map<String, double[]> viaForward = gradients(lm, manager, ids, select, false);
      Map<String, double[]> viaLogitsAt = gradients(lm, manager, ids, select, true);
      assertThat(viaLogitsAt.keySet()).isEqualTo(viaForward.keySet());
      viaForward.forEach(
          (name, expected) ->
              Batches.assertClose(viaLogitsAt.get(name), expected, TOLERANCE, name));
    }
  }

  @Test
  void logitsAt_rejectsASelectionOfAnotherShapeOrType() {
    long[][] ids = Batches.ids(8, TinyConfigs.llama().vocabSize(), MASK);
    try (CausalLm lm = CausalLm.randomInit(TinyConfigs.llama(), 3, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      NDArray idArray = manager.create(ids);
      NDArray mask = manager.create(MASK);
      assertThatThrownBy(() -> lm.logitsAt(idArray, mask, manager.create(MASK)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("select must be a boolean array");
      assertThatThrownBy(() -> lm.logitsAt(idArray, mask, manager.create(new boolean[] {true})))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("select must be a boolean array");
    }
  }

  /** The gradient of a fixed weighting of the selected logits, by parameter. */
  private static Map<String, double[]> gradients(
      CausalLm lm, NDManager manager, long[][] ids, NDArray select, boolean selectedOnly) {
    Map<String, NDArray> parameters = lm.parameters();
    for (NDArray p : parameters.values()) {
      try (NDArray g = p.getGradient()) {
        g.muli(0);
      }
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray idArray = scope.create(ids);
      NDArray mask = scope.create(MASK);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray logits =
            selectedOnly
                ? lm.logitsAt(idArray, mask, select)
                : lm.forward(idArray, mask).logits().get(select);
        NDArray weights = scope.arange((float) logits.getShape().size()).reshape(logits.getShape());
        collector.backward(logits.mul(weights.mul(0.01).sin()).sum());
      }
    }
    Map<String, double[]> out = new java.util.TreeMap<>();
    parameters.forEach(
        (name, p) -> {
          try (NDArray g = p.getGradient()) {
            float[] f = g.toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
              d[i] = f[i];
            }
            out.put(name, d);
          }
        });
    return out;
  }
}
