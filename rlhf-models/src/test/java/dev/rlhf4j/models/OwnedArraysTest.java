package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnedArraysTest {

  @Test
  void owned_viewsKeepTheirValuesAfterTheSourceIsClosedAndCollected() {
    int count = 300;
    try (NDManager root = NDManager.newBaseManager()) {
      List<NDArray> views = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        float[] data = new float[256];
        Arrays.fill(data, i);
        try (NDManager step = root.newSubManager()) {
          NDArray owned = OwnedArrays.owned(step.create(data, new Shape(16, 16)));
          NDArray view = owned.reshape(256);
          view.attach(root);
          views.add(view);
        }
      }
      churnNativeMemory();
      for (int i = 0; i < count; i++) {
        float[] values = views.get(i).toFloatArray();
        for (float v : values) {
          assertThat(v).as("view %s", i).isEqualTo(i);
        }
      }
    }
  }

  @Test
  void scalar_operandSurvivesCollectionBeforeTheBackwardPass() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int i = 0; i < 30; i++) {
        NDArray x = OwnedArrays.owned(manager.create(new float[] {1, 2, 3, 4}));
        x.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray y = x.mul(OwnedArrays.scalar(x, 3)).sum();
          churnNativeMemory();
          collector.backward(y);
        }
        assertThat(x.getGradient().toFloatArray()).as("round %s", i).containsOnly(3f);
      }
    }
  }

  @Test
  void scalar_hasTheDataTypeAndDeviceOfItsModel() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray like = manager.zeros(new Shape(2), DataType.FLOAT64);
      NDArray s = OwnedArrays.scalar(like, 0.25);
      assertThat(s.getDataType()).isEqualTo(DataType.FLOAT64);
      assertThat(s.getShape().dimension()).isZero();
      assertThat(s.getDevice()).isEqualTo(like.getDevice());
      assertThat(s.getDouble()).isEqualTo(0.25);
    }
  }

  @Test
  void owned_closesTheSourceAndKeepsShapeTypeAndManager() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray source = manager.create(new int[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
      NDArray owned = OwnedArrays.owned(source);
      assertThat(source.isReleased()).isTrue();
      assertThat(owned.getShape()).isEqualTo(new Shape(2, 3));
      assertThat(owned.toIntArray()).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(owned.getManager()).isSameAs(manager);
    }
    assertThatThrownBy(() -> OwnedArrays.owned(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fresh");
  }

  /** Lets the collector free unreachable direct buffers, then reuses their memory. */
  private static void churnNativeMemory() {
    for (int round = 0; round < 10; round++) {
      System.gc();
      List<ByteBuffer> junk = new ArrayList<>();
      for (int j = 0; j < 500; j++) {
        ByteBuffer b = ByteBuffer.allocateDirect(1024);
        while (b.hasRemaining()) {
          b.put((byte) 0x7f);
        }
        junk.add(b);
      }
      assertThat(junk).hasSize(500);
    }
  }
}
