package dev.rlhf4j.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pins down how DJL 0.36 on PyTorch 2.7.1 handles gradients, because gradient accumulation and
 * {@link AdamW}'s zeroing rely on it (see the package documentation). If an upgrade of DJL changes
 * any of these facts, this test says which.
 */
class DjlGradientBehaviourTest {
  private NDManager manager;
  private NDArray w;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    w = manager.create(new float[] {1f, 2f, 3f});
    w.setRequiresGradient(true);
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  /** d/dw sum(w * w * c) = 2 c w. */
  private void backwardOnce(GradientCollector collector, float c) {
    try (NDManager step = manager.newSubManager()) {
      w.tempAttach(step);
      collector.backward(w.mul(w).mul(c).sum());
    }
  }

  private float[] gradient() {
    try (NDArray grad = w.getGradient()) {
      return grad.toFloatArray();
    }
  }

  @Test
  void backward_twiceInOneCollector_accumulates() {
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      backwardOnce(collector, 1f);
      backwardOnce(collector, 0.5f);
    }
    assertThat(gradient()).containsExactly(3f, 6f, 9f);
  }

  @Test
  void backward_inTwoCollectors_accumulates_newCollectorDoesNotZero() {
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      backwardOnce(collector, 1f);
    }
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      assertThat(gradient()).containsExactly(2f, 4f, 6f);
      backwardOnce(collector, 1f);
    }
    assertThat(gradient()).containsExactly(4f, 8f, 12f);
  }

  @Test
  @SuppressWarnings("try") // the collector is opened only to be open
  void gradientCollector_secondOpenCollector_isRejected() {
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      assertThatThrownBy(() -> Engine.getInstance().newGradientCollector())
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void getGradient_sharesStorageWithTheParameterGradient() {
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      backwardOnce(collector, 1f);
    }
    try (NDArray grad = w.getGradient()) {
      grad.muli(10f);
    }
    assertThat(gradient()).containsExactly(20f, 40f, 60f);
  }

  @Test
  void getGradient_eachCallAddsAnArrayToTheParameterManager() {
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      backwardOnce(collector, 1f);
    }
    int before = manager.getManagedArrays().size();
    NDArray grad = w.getGradient();
    assertThat(manager.getManagedArrays()).hasSize(before + 1);
    grad.close();
    assertThat(manager.getManagedArrays()).hasSize(before);
    assertThat(gradient()).containsExactly(2f, 4f, 6f);
  }

  @Test
  void zeroGradients_clearsEvenNonFiniteGradients() {
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      backwardOnce(collector, Float.POSITIVE_INFINITY);
    }
    for (float g : gradient()) {
      assertThat(Float.isFinite(g)).as("gradient %s", g).isFalse();
    }
    AdamW.zeroGradients(java.util.List.of(w));
    assertThat(gradient()).containsExactly(0f, 0f, 0f);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      backwardOnce(collector, 1f);
    }
    assertThat(gradient()).containsExactly(2f, 4f, 6f);
  }

  @Test
  @SuppressWarnings("try") // the collector is opened only for the grad mode it switches on
  void inPlaceUpdate_ofParameter_failsWhileGradModeIsOn_butNotThroughADetachedView() {
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      assertThatThrownBy(() -> w.muli(2f)).isInstanceOf(ai.djl.engine.EngineException.class);
      try (NDArray view = w.stopGradient()) {
        view.muli(2f);
      }
    }
    assertThat(w.toFloatArray()).containsExactly(2f, 4f, 6f);
    assertThat(w.hasGradient()).isTrue();
  }
}
