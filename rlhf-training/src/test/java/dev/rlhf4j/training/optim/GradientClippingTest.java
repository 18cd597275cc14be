package dev.rlhf4j.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
  private NDManager manager;
  private List<NDArray> gradients;
  private double expectedNorm;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    Random random = new Random(21);
    float[] a = TestParameters.normalValues(random, 12);
    float[] b = TestParameters.normalValues(random, 5);
    double sumOfSquares = 0;
    for (float x : a) {
      sumOfSquares += (double) x * x;
    }
    for (float x : b) {
      sumOfSquares += (double) x * x;
    }
    expectedNorm = Math.sqrt(sumOfSquares);
    gradients = List.of(manager.create(a, new Shape(3, 4)), manager.create(b));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  private double[][] values() {
    return gradients.stream()
        .map(g -> {
          float[] f = g.toFloatArray();
          double[] d = new double[f.length];
          for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
          }
          return d;
        })
        .toArray(double[][]::new);
  }

  @Test
  void globalNorm_isTheNormOfAllGradientsTogether() {
    assertThat(GradientClipping.globalNorm(gradients)).isCloseTo(expectedNorm, within(1e-5));
  }

  @Test
  void clipByGlobalNorm_aboveMax_returnsNormBefore_andScalesToMax() {
    double[][] before = values();
    double maxNorm = expectedNorm / 4;
    double norm = GradientClipping.clipByGlobalNorm(gradients, maxNorm);
    assertThat(norm).isCloseTo(expectedNorm, within(1e-5));
    assertThat(GradientClipping.globalNorm(gradients)).isCloseTo(maxNorm, within(1e-5));
    double[][] after = values();
    for (int t = 0; t < before.length; t++) {
      for (int i = 0; i < before[t].length; i++) {
        // one factor for all: the direction is kept
        assertThat(after[t][i]).isCloseTo(before[t][i] / 4, within(1e-6));
      }
    }
  }

  @Test
  void clipByGlobalNorm_belowMax_changesNothing() {
    double[][] before = values();
    double norm = GradientClipping.clipByGlobalNorm(gradients, expectedNorm * 2);
    assertThat(norm).isCloseTo(expectedNorm, within(1e-5));
    assertThat(values()).isDeepEqualTo(before);
  }

  @Test
  void clipByGlobalNorm_infiniteMax_onlyMeasures() {
    double[][] before = values();
    double norm = GradientClipping.clipByGlobalNorm(gradients, Double.POSITIVE_INFINITY);
    assertThat(norm).isCloseTo(expectedNorm, within(1e-5));
    assertThat(values()).isDeepEqualTo(before);
  }

  @Test
  void clipByGlobalNorm_nonFiniteNorm_isReported_andGradientsAreLeftAlone() {
    gradients.get(1).set(new float[] {1f, Float.NaN, 0f, 0f, 0f});
    double[][] before = values();
    double norm = GradientClipping.clipByGlobalNorm(gradients, 1.0);
    assertThat(Double.isNaN(norm)).isTrue();
    // Arrays.deepEquals compares double bits, so NaN equals NaN
    assertThat(Arrays.deepEquals(values(), before)).isTrue();

    gradients.get(1).set(new float[] {1f, Float.POSITIVE_INFINITY, 0f, 0f, 0f});
    assertThat(GradientClipping.clipByGlobalNorm(gradients, 1.0)).isInfinite();
  }

  @Test
  void clipGradientsOf_clipsParameterGradients_andLeavesNoHandles() {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put("w", new Shape(3, 4));
    shapes.put("b", new Shape(3));
    Map<String, NDArray> params = TestParameters.normal(manager, shapes, 22);
    Map<String, float[]> grads = TestParameters.randomGradients(params, new Random(23));
    TestParameters.backward(params, grads);
    double sumOfSquares = 0;
    for (float[] g : grads.values()) {
      for (float x : g) {
        sumOfSquares += (double) x * x;
      }
    }
    int live = TestParameters.liveArrays(manager);
    double norm = GradientClipping.clipGradientsOf(params.values(), 0.5);
    assertThat(TestParameters.liveArrays(manager)).isEqualTo(live);
    assertThat(norm).isCloseTo(Math.sqrt(sumOfSquares), within(1e-5));
    double after = GradientClipping.clipGradientsOf(params.values(), Double.POSITIVE_INFINITY);
    assertThat(after).isCloseTo(0.5, within(1e-5));
  }

  @Test
  void badArguments_areRejected_withTheValue() {
    assertThatThrownBy(() -> GradientClipping.clipByGlobalNorm(gradients, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxNorm must be > 0 (+Infinity = measure only) but was 0.0");
    assertThatThrownBy(() -> GradientClipping.clipByGlobalNorm(gradients, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GradientClipping.globalNorm(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gradients must hold at least one array");
    NDArray frozen = manager.zeros(new Shape(2));
    frozen.setName("frozen");
    assertThatThrownBy(() -> GradientClipping.clipGradientsOf(List.of(frozen), 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parameter frozen does not require gradients");
  }
}
