package dev.rlhf4j.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {
  private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

  static {
    SHAPES.put("model.layers.0.mlp.up_proj.weight", new Shape(6, 4));
    SHAPES.put("model.layers.0.mlp.up_proj.bias", new Shape(6));
    SHAPES.put("model.embed_tokens.weight", new Shape(5, 4));
    SHAPES.put("model.norm.weight", new Shape(4));
  }

  private NDManager manager;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  /**
   * PyTorch's AdamW rule in plain Java doubles, one parameter tensor at a time.
   */
  private static final class Reference {
    final double beta1;
    final double beta2;
    final double eps;
    final double weightDecay;
    final Map<String, double[]> p = new LinkedHashMap<>();
    final Map<String, double[]> m = new LinkedHashMap<>();
    final Map<String, double[]> v = new LinkedHashMap<>();
    long t;

    Reference(Map<String, float[]> initial, double beta1, double beta2, double eps, double wd) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.eps = eps;
      this.weightDecay = wd;
      initial.forEach(
          (name, values) -> {
            double[] d = new double[values.length];
            for (int i = 0; i < d.length; i++) {
              d[i] = values[i];
            }
            p.put(name, d);
            m.put(name, new double[d.length]);
            v.put(name, new double[d.length]);
          });
    }

    void step(Map<String, float[]> gradients, double lr, Map<String, Boolean> decays) {
      t++;
      double bc1 = 1 - Math.pow(beta1, t);
      double bc2 = 1 - Math.pow(beta2, t);
      for (String name : p.keySet()) {
        double[] pp = p.get(name);
        double[] mm = m.get(name);
        double[] vv = v.get(name);
        float[] g = gradients.get(name);
        double wd = decays.get(name) ? weightDecay : 0;
        for (int i = 0; i < pp.length; i++) {
          pp[i] *= 1 - lr * wd;
          mm[i] = beta1 * mm[i] + (1 - beta1) * g[i];
          vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i];
          double mHat = mm[i] / bc1;
          double vHat = vv[i] / bc2;
          pp[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
      }
    }
  }

  @Test
  void step_matchesPlainJavaReference_over20Steps() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 1);
    LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(1e-2, 20, 0.1);
    Map<String, Boolean> decays = new LinkedHashMap<>();
    SHAPES.forEach((name, shape) -> decays.put(name, name.endsWith("up_proj.weight")));
    Reference reference = new Reference(TestParameters.values(params), 0.9, 0.95, 1e-6, 0.1);
    // gradient scales from 1e-5 to 10, so that ε matters for some tensors and not for others
    Map<String, Float> scales =
        Map.of(
            "model.layers.0.mlp.up_proj.weight", 1f,
            "model.layers.0.mlp.up_proj.bias", 1e-3f,
            "model.embed_tokens.weight", 10f,
            "model.norm.weight", 1e-5f);
    Random random = new Random(2);
    double maxError = 0;
    try (AdamW adamW =
        AdamW.builder(schedule).betas(0.9, 0.95).epsilon(1e-6).weightDecay(0.1).build()) {
      for (int step = 0; step < 20; step++) {
        Map<String, float[]> gradients = TestParameters.randomGradients(params, random);
        gradients.forEach(
            (name, g) -> {
              for (int i = 0; i < g.length; i++) {
                g[i] *= scales.get(name);
              }
            });
        TestParameters.backward(params, gradients);
        double lr = adamW.step(params);
        assertThat(lr).isEqualTo(schedule.at(step));
        reference.step(gradients, lr, decays);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
          float[] actual = e.getValue().toFloatArray();
          double[] expected = reference.p.get(e.getKey());
          for (int i = 0; i < actual.length; i++) {
            double error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
            maxError = Math.max(maxError, error);
          }
        }
      }
      assertThat(adamW.stepCount()).isEqualTo(20);
      decays.forEach((name, decay) -> assertThat(adamW.decays(name)).as(name).isEqualTo(decay));
    }
    // float32 arithmetic against doubles: well under one float32 ulp of 1 (1.2e-7) per step
    assertThat(maxError).isLessThan(1e-6);
  }

  @Test
  void step_firstStepOfWarmup_changesNothing_secondStepMovesEveryParameter() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 3);
    Map<String, float[]> before = TestParameters.values(params);
    Random random = new Random(4);
    try (AdamW adamW =
        AdamW.builder(LearningRateSchedule.warmupCosine(1e-3, 10, 0.5)).weightDecay(0.1).build()) {
      TestParameters.backward(params, TestParameters.randomGradients(params, random));
      assertThat(adamW.step(params)).isZero();
      params.forEach((name, p) -> assertThat(p.toFloatArray()).containsExactly(before.get(name)));
      TestParameters.backward(params, TestParameters.randomGradients(params, random));
      assertThat(adamW.step(params)).isEqualTo(1e-3 / 5);
      params.forEach(
          (name, p) -> assertThat(p.toFloatArray()).isNotEqualTo(before.get(name)));
    }
  }

  @Test
  void step_zeroGradients_noDecayGroupUnchanged_decayGroupShrinksByLrTimesDecay() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 5);
    Map<String, float[]> before = TestParameters.values(params);
    double lr = 0.1;
    double wd = 0.5;
    try (AdamW adamW = AdamW.builder(LearningRateSchedule.constant(lr)).weightDecay(wd).build()) {
      Map<String, float[]> zeros = new LinkedHashMap<>();
      params.forEach((name, p) -> zeros.put(name, new float[(int) p.size()]));
      TestParameters.backward(params, zeros);
      adamW.step(params);
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        String name = e.getKey();
        float[] after = e.getValue().toFloatArray();
        float[] old = before.get(name);
        boolean decays = adamW.decays(name);
        assertThat(decays).as(name).isEqualTo(name.equals("model.layers.0.mlp.up_proj.weight"));
        for (int i = 0; i < after.length; i++) {
          double expected = decays ? old[i] * (1 - lr * wd) : old[i];
          assertThat((double) after[i]).as(name).isCloseTo(expected, within(1e-6));
        }
      }
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }

  @Test
  void step_customGroups_decayEverything() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 6);
    try (AdamW adamW =
        AdamW.builder(LearningRateSchedule.constant(0.1))
            .weightDecay(0.1)
            .parameterGroups(ParameterGroups.decayAll())
            .build()) {
      TestParameters.backward(params, TestParameters.randomGradients(params, new Random(7)));
      adamW.step(params);
      SHAPES.keySet().forEach(name -> assertThat(adamW.decays(name)).as(name).isTrue());
    }
  }

  @Test
  void step_zeroesGradientsAfterwards() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 8);
    try (AdamW adamW = AdamW.builder(LearningRateSchedule.constant(0.1)).build()) {
      TestParameters.backward(params, TestParameters.randomGradients(params, new Random(9)));
      adamW.step(params);
    }
    for (NDArray p : params.values()) {
      try (NDArray g = p.getGradient()) {
        assertThat(g.toFloatArray()).containsOnly(0f);
      }
    }
  }

  @Test
  @SuppressWarnings("try") // the collector is opened only for the grad mode it switches on
  void step_insideAnOpenGradientCollector_stillUpdatesInPlace() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 10);
    Map<String, float[]> before = TestParameters.values(params);
    try (AdamW adamW = AdamW.builder(LearningRateSchedule.constant(0.1)).build()) {
      TestParameters.backward(params, TestParameters.randomGradients(params, new Random(11)));
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        adamW.step(params);
      }
    }
    params.forEach((name, p) -> assertThat(p.toFloatArray()).isNotEqualTo(before.get(name)));
    params.values().forEach(p -> assertThat(p.hasGradient()).isTrue());
  }

  @Test
  void step_liveArrayCountStaysFlat_over200Steps() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 12);
    Random random = new Random(13);
    AdamW adamW =
        AdamW.builder(LearningRateSchedule.warmupCosine(1e-3, 200, 0.1)).weightDecay(0.01).build();
    int afterFirstStep;
    try {
      TestParameters.backward(params, TestParameters.randomGradients(params, random));
      adamW.step(params);
      afterFirstStep = TestParameters.liveArrays(manager);
      List<Integer> counts = new ArrayList<>();
      for (int step = 1; step < 200; step++) {
        TestParameters.backward(params, TestParameters.randomGradients(params, random));
        GradientClipping.clipGradientsOf(params.values(), 1.0);
        adamW.step(params);
        counts.add(TestParameters.liveArrays(manager));
      }
      assertThat(counts).containsOnly(afterFirstStep);
    } finally {
      adamW.close();
    }
    // the optimizer held the moments, two per parameter, and nothing else
    assertThat(TestParameters.liveArrays(manager)).isEqualTo(afterFirstStep - 2 * SHAPES.size());
  }

  @Test
  void zeroGradients_clearsNonFiniteValuesAndLeavesNoArrayBehind() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 14);
    Map<String, float[]> gradients = TestParameters.randomGradients(params, new Random(15));
    gradients.values().iterator().next()[0] = Float.NaN;
    TestParameters.backward(params, gradients);
    int before = TestParameters.liveArrays(manager);
    for (int i = 0; i < 5; i++) {
      AdamW.zeroGradients(params.values());
    }
    assertThat(TestParameters.liveArrays(manager)).isEqualTo(before);
    for (NDArray p : params.values()) {
      try (NDArray g = p.getGradient()) {
        assertThat(g.toFloatArray()).containsOnly(0f);
      }
    }
  }

  @Test
  void step_changedParameterNames_isRejectedWithTheDifference() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 14);
    try (AdamW adamW = AdamW.builder(LearningRateSchedule.constant(0.1)).build()) {
      TestParameters.backward(params, TestParameters.randomGradients(params, new Random(15)));
      adamW.step(params);
      Map<String, NDArray> fewer = new LinkedHashMap<>(params);
      fewer.remove("model.norm.weight");
      assertThatThrownBy(() -> adamW.step(fewer))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("missing [model.norm.weight]");
    }
  }

  @Test
  void step_changedShape_isRejected() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 16);
    try (AdamW adamW = AdamW.builder(LearningRateSchedule.constant(0.1)).build()) {
      TestParameters.backward(params, TestParameters.randomGradients(params, new Random(17)));
      adamW.step(params);
      Map<String, NDArray> reshaped = new LinkedHashMap<>(params);
      NDArray wrong = manager.zeros(new Shape(5));
      wrong.setRequiresGradient(true);
      reshaped.put("model.norm.weight", wrong);
      assertThatThrownBy(() -> adamW.step(reshaped))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("model.norm.weight has shape (5) but the optimizer state has (4)");
    }
  }

  @Test
  void step_parameterWithoutGradient_isRejected() {
    NDArray frozen = manager.zeros(new Shape(3));
    try (AdamW adamW = AdamW.builder(LearningRateSchedule.constant(0.1)).build()) {
      assertThatThrownBy(() -> adamW.step(Map.of("frozen", frozen)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("parameter frozen does not require gradients");
    }
  }

  @Test
  void step_nonFloat32Parameter_isRejected() {
    NDArray half = manager.zeros(new Shape(3), DataType.FLOAT16);
    half.setRequiresGradient(true);
    try (AdamW adamW = AdamW.builder(LearningRateSchedule.constant(0.1)).build()) {
      assertThatThrownBy(() -> adamW.step(Map.of("half", half)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("parameter half is float16");
    }
  }

  @Test
  void step_emptyParameters_orClosedOptimizer_areRejected() {
    AdamW adamW = AdamW.builder(LearningRateSchedule.constant(0.1)).build();
    assertThatThrownBy(() -> adamW.step(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one");
    adamW.close();
    adamW.close();
    assertThatThrownBy(() -> adamW.step(Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void step_scheduleGivingNegativeLearningRate_isRejected() {
    Map<String, NDArray> params = TestParameters.normal(manager, SHAPES, 18);
    try (AdamW adamW = AdamW.builder(step -> -1.0).build()) {
      assertThatThrownBy(() -> adamW.step(params))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("learning rate -1.0 at step 0");
    }
  }

  @Test
  void builder_rejectsBadValues_withTheValueAndRange() {
    LearningRateSchedule lr = LearningRateSchedule.constant(1e-3);
    assertThatThrownBy(() -> AdamW.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schedule must not be null");
    assertThatThrownBy(() -> AdamW.builder(lr).betas(1.0, 0.999))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("beta1 must be in [0, 1) but was 1.0");
    assertThatThrownBy(() -> AdamW.builder(lr).betas(0.9, -0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("beta2 must be in [0, 1) but was -0.1");
    assertThatThrownBy(() -> AdamW.builder(lr).epsilon(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("epsilon must be a finite number > 0 but was 0.0");
    assertThatThrownBy(() -> AdamW.builder(lr).weightDecay(-0.01))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weightDecay must be a finite number >= 0 but was -0.01");
    assertThatThrownBy(() -> AdamW.builder(lr).parameterGroups(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parameterGroups must not be null");
  }

  @Test
  void builder_defaults_andToBuilder_keepSettings() {
    LearningRateSchedule lr = LearningRateSchedule.constant(1e-3);
    try (AdamW defaults = AdamW.builder(lr).build();
        AdamW custom = AdamW.builder(lr).betas(0.8, 0.95).epsilon(1e-6).weightDecay(0.1).build();
        AdamW copy = custom.toBuilder().build()) {
      assertThat(defaults.beta1()).isEqualTo(0.9);
      assertThat(defaults.beta2()).isEqualTo(0.999);
      assertThat(defaults.epsilon()).isEqualTo(1e-8);
      assertThat(defaults.weightDecay()).isZero();
      assertThat(defaults.learningRate()).isEqualTo(1e-3);
      assertThat(copy.schedule()).isSameAs(lr);
      assertThat(copy.beta1()).isEqualTo(0.8);
      assertThat(copy.beta2()).isEqualTo(0.95);
      assertThat(copy.epsilon()).isEqualTo(1e-6);
      assertThat(copy.weightDecay()).isEqualTo(0.1);
      assertThat(copy.parameterGroups()).isSameAs(custom.parameterGroups());
    }
  }

  @Test
  void zeroGradients_rejectsParameterWithoutGradient() {
    NDArray frozen = manager.zeros(new Shape(2));
    frozen.setName("frozen");
    assertThatThrownBy(() -> AdamW.zeroGradients(List.of(frozen)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parameter frozen does not require gradients");
  }
}
