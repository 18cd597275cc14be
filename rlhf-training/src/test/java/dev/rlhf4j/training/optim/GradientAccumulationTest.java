package dev.rlhf4j.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GradientAccumulationTest {
  private static final int GLOBAL_BATCH = 8;
  private static final int IN = 4;
  private static final int OUT = 3;
  private static final int STEPS = 5;

  /** The final parameters and the gradient norm of every step. */
  private record Trained(Map<String, float[]> parameters, double[] gradNorms) {}

  /**
   * Trains a linear model y = x Wᵀ + b with mean squared error for a few optimizer steps, each on
   * a global batch of 8 split as {@code accumulation} says. Adam's update hardly depends on the
   * gradient's scale, so the gradient norms are compared too: they catch a missing loss / N.
   */
  private static Trained train(GradientAccumulation accumulation) {
    double[] gradNorms = new double[STEPS];
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, Shape> shapes = new LinkedHashMap<>();
      shapes.put("linear.weight", new Shape(OUT, IN));
      shapes.put("linear.bias", new Shape(OUT));
      Map<String, NDArray> params = TestParameters.normal(manager, shapes, 31);
      Random data = new Random(32);
      try (AdamW adamW =
          AdamW.builder(LearningRateSchedule.warmupCosine(0.05, STEPS, 0.2))
              .weightDecay(0.1)
              .build()) {
        long microBatchIndex = 0;
        for (int step = 0; step < STEPS; step++) {
          float[] x = TestParameters.normalValues(data, GLOBAL_BATCH * IN);
          float[] y = TestParameters.normalValues(data, GLOBAL_BATCH * OUT);
          for (int micro = 0; micro < accumulation.steps(); micro++) {
            try (NDManager scope = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
              int from = micro * accumulation.microBatchSize();
              int to = from + accumulation.microBatchSize();
              NDIndex rows = new NDIndex("{}:{}", from, to);
              NDArray xs = scope.create(x, new Shape(GLOBAL_BATCH, IN)).get(rows);
              NDArray ys = scope.create(y, new Shape(GLOBAL_BATCH, OUT)).get(rows);
              NDArray prediction =
                  xs.matMul(params.get("linear.weight").transpose()).add(params.get("linear.bias"));
              NDArray loss = prediction.sub(ys).square().mean();
              collector.backward(accumulation.scale(loss));
            }
            boolean last = micro == accumulation.steps() - 1;
            assertThat(accumulation.stepsAfter(microBatchIndex++)).isEqualTo(last);
          }
          gradNorms[step] =
              GradientClipping.clipGradientsOf(params.values(), Double.POSITIVE_INFINITY);
          adamW.step(params);
        }
      }
      return new Trained(TestParameters.values(params), gradNorms);
    }
  }

  private static void assertClose(Trained actualRun, Trained expectedRun) {
    for (int s = 0; s < STEPS; s++) {
      assertThat(actualRun.gradNorms()[s])
          .as("grad norm at step %s", s)
          .isCloseTo(expectedRun.gradNorms()[s], within(1e-5 * expectedRun.gradNorms()[s]));
    }
    Map<String, float[]> actual = actualRun.parameters();
    Map<String, float[]> expected = expectedRun.parameters();
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    actual.forEach(
        (name, values) -> {
          float[] e = expected.get(name);
          for (int i = 0; i < values.length; i++) {
            assertThat(Math.abs(values[i] - e[i])).as("%s[%s]", name, i).isLessThan(1e-5f);
          }
        });
  }

  @Test
  void accumulation_micro8TimesOne_equalsMicro1TimesEight() {
    Trained oneBatch = train(new GradientAccumulation(8, 1));
    Trained accumulated = train(new GradientAccumulation(1, 8));
    assertClose(accumulated, oneBatch);
    // and training moved the parameters at all
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, Shape> shapes = Map.of("linear.bias", new Shape(OUT));
      float[] initial = TestParameters.normal(manager, shapes, 31).get("linear.bias").toFloatArray();
      assertThat(oneBatch.parameters().get("linear.bias")).isNotEqualTo(initial);
    }
  }

  @Property(tries = 8)
  void accumulation_anySplitOfTheGlobalBatch_givesTheSameParameters(
      @ForAll @IntRange(min = 0, max = 3) int log2Micro) {
    int micro = 1 << log2Micro;
    assertClose(
        train(GradientAccumulation.of(GLOBAL_BATCH, micro)),
        train(new GradientAccumulation(GLOBAL_BATCH, 1)));
  }

  @Test
  void of_splitsTheGlobalBatch() {
    GradientAccumulation a = GradientAccumulation.of(128, 4);
    assertThat(a.microBatchSize()).isEqualTo(4);
    assertThat(a.steps()).isEqualTo(32);
    assertThat(a.globalBatchSize()).isEqualTo(128);
    assertThat(a.lossScale()).isEqualTo(1.0 / 32);
  }

  @Test
  void badArguments_areRejected_withTheValueAndRange() {
    assertThatThrownBy(() -> GradientAccumulation.of(128, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "globalBatchSize 128 must be a multiple of microBatchSize 5; try microBatchSize 4");
    assertThatThrownBy(() -> GradientAccumulation.of(8, 16))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("microBatchSize must be in [1, globalBatchSize = 8] but was 16");
    assertThatThrownBy(() -> GradientAccumulation.of(0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("globalBatchSize must be >= 1 but was 0");
    assertThatThrownBy(() -> new GradientAccumulation(1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("steps must be >= 1 but was 0");
    assertThatThrownBy(() -> new GradientAccumulation(1, 1).stepsAfter(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("microBatchIndex must be >= 0 but was -1");
  }
}
