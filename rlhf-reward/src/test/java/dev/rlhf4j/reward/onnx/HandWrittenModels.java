package dev.rlhf4j.reward.onnx;

import dev.rlhf4j.reward.onnx.internal.Attribute;
import dev.rlhf4j.reward.onnx.internal.ElementType;
import dev.rlhf4j.reward.onnx.internal.OnnxGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small ONNX models written with the exporter's graph writer, whose outputs are known. */
final class HandWrittenModels {
  private HandWrittenModels() {}

  /**
   * {@code logits[b] = [Σ_t ids[b,t] · mask[b,t], 1 + that]}, of element type {@code logitType}:
   * a reward model whose rewards a test can compute by hand (the sum of the real ids).
   */
  static Path sumOfIds(Path dir, ElementType logitType) {
    OnnxGraph g = new OnnxGraph("sum-of-ids");
    String ids = g.input("input_ids", ElementType.INT64, "batch_size", "sequence_length");
    String mask = g.input("attention_mask", ElementType.INT64, "batch_size", "sequence_length");
    String sum = g.op("ReduceSum", List.of(g.op("Mul", List.of(ids, mask)), g.int64s(1)),
        Attribute.of("keepdims", 1L));
    String both = g.op("Concat", List.of(sum, g.op("Add", List.of(sum, g.int64s(1)))),
        Attribute.of("axis", 1L));
    g.named("logits", "Cast", List.of(both), Attribute.of("to", (long) logitType.code()));
    g.output("logits", logitType, "batch_size", 2L);
    return write(g, dir);
  }

  /** A model with inputs {@code ids} and {@code attention_mask} and an output {@code scores}. */
  static Path wrongNames(Path dir) {
    OnnxGraph g = new OnnxGraph("wrong-names");
    String ids = g.input("ids", ElementType.INT64, "batch", "seq");
    g.input("attention_mask", ElementType.INT64, "batch", "seq");
    g.named("scores", "Cast", List.of(ids), Attribute.of("to", (long) ElementType.FLOAT.code()));
    g.output("scores", ElementType.FLOAT, "batch", "seq");
    return write(g, dir);
  }

  /** The convention's names, but int32 ids and rank-1 logits. */
  static Path wrongTypes(Path dir) {
    OnnxGraph g = new OnnxGraph("wrong-types");
    String ids = g.input("input_ids", ElementType.INT32, "batch_size", "sequence_length");
    g.input("attention_mask", ElementType.INT64, "batch_size", "sequence_length");
    String sum = g.op("ReduceSum", List.of(ids, g.int64s(1)), Attribute.of("keepdims", 0L));
    g.named("logits", "Cast", List.of(sum), Attribute.of("to", (long) ElementType.FLOAT.code()));
    g.output("logits", ElementType.FLOAT, "batch_size");
    return write(g, dir);
  }

  /**
   * {@code logits[b] = [Σ_t ids[b,t] · mask[b,t], the same] + bias}, with the float bias {@code
   * [0.5, 1.5]} stored as external data at {@code location} (resolved against {@code dir}, so
   * {@code ../x} or an absolute path writes the data outside it).
   */
  static Path sumPlusExternalBias(Path dir, String location) {
    OnnxGraph g = new OnnxGraph("external-bias");
    String ids = g.input("input_ids", ElementType.INT64, "batch_size", "sequence_length");
    String mask = g.input("attention_mask", ElementType.INT64, "batch_size", "sequence_length");
    String sum = g.op("ReduceSum", List.of(g.op("Mul", List.of(ids, mask)), g.int64s(1)),
        Attribute.of("keepdims", 1L));
    String floatSum =
        g.op("Cast", List.of(sum), Attribute.of("to", (long) ElementType.FLOAT.code()));
    String both = g.op("Concat", List.of(floatSum, floatSum), Attribute.of("axis", 1L));
    String bias =
        g.external("bias", ElementType.FLOAT, new long[] {2}, channel -> {
          java.nio.ByteBuffer b =
              java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
          b.putFloat(0.5f).putFloat(1.5f).flip();
          return channel.write(b);
        });
    g.named("logits", "Add", List.of(both, bias));
    g.output("logits", ElementType.FLOAT, "batch_size", 2L);
    try {
      Files.createDirectories(dir);
      Files.createDirectories(dir.resolve(location).normalize().getParent());
      g.write(dir.resolve("model.onnx"), location, "test");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(OnnxGraph g, Path dir) {
    try {
      Files.createDirectories(dir);
      g.write(dir.resolve("model.onnx"), "model.onnx.data", "test");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
