package dev.rlhf4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.models.config.ModelConfig;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Chunked vocabulary projection ({@link CausalLm#logProbsAt}, {@link CausalLm#logProbsOfPacked}):
 * values and gradients equal the unchunked log-softmax of the full selected logits.
 */
class ProjectedLogProbsTest {
  private static final double TOLERANCE = 1e-5;

  private static final long[][] MASK = {
    Batches.mask(9, 0, 3), Batches.mask(9, 2, 0), Batches.mask(9, 0, 0)
  };

  /** 8 selected slots. */
  private static final boolean[][] SELECT = {
    {false, false, true, true, true, false, false, false, false},
    {false, false, false, false, true, false, true, true, false},
    {true, false, false, false, false, false, false, false, true}
  };

  private static final long[] LABELS = {5, 7, 11, 2, 3, 13, 17, 19};

  /** A loss that weighs every token differently and is not linear in them (DPO-like). */
  private static NDArray loss(NDArray tokenLogProbs) {
    NDManager m = tokenLogProbs.getManager();
    NDArray weights = m.arange((float) tokenLogProbs.getShape().size()).mul(0.7).sin();
    NDArray margin = tokenLogProbs.mul(weights).sum().mul(0.5);
    return margin.neg().exp().add(1).log().add(tokenLogProbs.pow(2).sum().mul(0.01));
  }

  private static ModelConfig config(String name) {
    return name.equals("llama") ? TinyConfigs.llama() : TinyConfigs.qwen2Tied();
  }

  @ParameterizedTest(name = "{0}, chunk {1}")
  @CsvSource({"llama,1", "llama,3", "llama,8", "llama,100", "qwen2-tied,1", "qwen2-tied,5"})
  void logProbsAt_valuesAndGradientsEqualTheUnchunkedLogSoftmax(String name, int chunk) {
    ModelConfig config = config(name);
    long[][] ids = Batches.ids(4, config.vocabSize(), MASK);
    try (CausalLm lm = CausalLm.randomInit(config, 6, ModelOptions.cpu());
        CausalLm chunked =
            CausalLm.randomInit(config, 6, ModelOptions.cpu().withVocabularyChunk(chunk));
        NDManager manager = NDManager.newBaseManager()) {
      Result expected = run(lm, manager, s -> unchunked(lm, s, ids));
      Result actual =
          run(chunked, manager, s -> chunked.logProbsAt(
              s.create(ids), s.create(MASK), s.create(SELECT), s.create(LABELS)));
      Batches.assertClose(actual.values, expected.values, TOLERANCE, "log-probabilities");
      assertThat(actual.loss).isCloseTo(expected.loss, org.assertj.core.data.Offset.offset(1e-5));
      assertThat(actual.gradients.keySet()).isEqualTo(expected.gradients.keySet());
      expected.gradients.forEach(
          (p, g) -> Batches.assertClose(actual.gradients.get(p), g, TOLERANCE, p));
    }
  }

  @ParameterizedTest(name = "chunk {0}")
  @CsvSource({"1", "3", "64"})
  void logProbsOfPacked_valuesAndGradientsEqualTheUnchunkedLogSoftmax(int chunk) {
    ModelConfig config = TinyConfigs.llama();
    // one pair per row: prefix of 3, chosen 2, rejected 2; slot 2 predicts both branches
    long[][] ids = {{1, 9, 4, 6, 8, 10, 12}, {1, 5, 7, 3, 14, 15, 0}};
    long[][] positions = {{0, 1, 2, 3, 4, 3, 4}, {0, 1, 2, 3, 4, 5, 0}};
    long[][] segments = {{0, 0, 0, 1, 1, 2, 2}, {0, 0, 1, 1, 2, 2, -1}};
    long[] slots = {2, 3, 2, 5, 8, 9, 8, 11};
    long[] labels = {6, 8, 10, 12, 3, 14, 15, 4};
    try (CausalLm lm = CausalLm.randomInit(config, 2, ModelOptions.cpu());
        CausalLm chunked =
            CausalLm.randomInit(config, 2, ModelOptions.cpu().withVocabularyChunk(chunk));
        NDManager manager = NDManager.newBaseManager()) {
      Result expected =
          run(lm, manager, s -> {
            NDArray logits = lm.logitsOfPacked(
                s.create(ids), s.create(positions), s.create(segments), s.create(slots));
            return new Plain(
                logits.logSoftmax(-1).gather(s.create(labels).expandDims(-1), -1).squeeze(-1));
          });
      Result actual =
          run(chunked, manager, s -> chunked.logProbsOfPacked(
              s.create(ids), s.create(positions), s.create(segments), s.create(slots),
              s.create(labels)));
      Batches.assertClose(actual.values, expected.values, TOLERANCE, "log-probabilities");
      expected.gradients.forEach(
          (p, g) -> Batches.assertClose(actual.gradients.get(p), g, TOLERANCE, p));
    }
  }

  @Test
  void logProbsAt_withALoraAdapterTrainsTheAdapterAsUnchunked() {
    ModelConfig config = TinyConfigs.llama();
    long[][] ids = Batches.ids(4, config.vocabSize(), MASK);
    try (CausalLm lm = CausalLm.randomInit(config, 6, ModelOptions.cpu());
        CausalLm chunked =
            CausalLm.randomInit(config, 6, ModelOptions.cpu().withVocabularyChunk(3));
        NDManager manager = NDManager.newBaseManager()) {
      LoraConfig lora = LoraConfig.of(4, 8, "q_proj", "v_proj");
      lm.addLora(lora, 9);
      chunked.addLora(lora, 9);
      // a non-zero B, so the adapter's A gets a gradient too
      lm.loraParameters().forEach((n, p) -> p.addi(0.05));
      chunked.loraParameters().forEach((n, p) -> p.addi(0.05));
      Result expected = run(lm, manager, s -> unchunked(lm, s, ids));
      Result actual =
          run(chunked, manager, s -> chunked.logProbsAt(
              s.create(ids), s.create(MASK), s.create(SELECT), s.create(LABELS)));
      assertThat(expected.gradients).isNotEmpty();
      expected.gradients.forEach(
          (p, g) -> Batches.assertClose(actual.gradients.get(p), g, TOLERANCE, p));
    }
  }

  @Test
  void frozenModel_valuesWithoutGraphAndTheLossBackPropagatesAsItIs() {
    ModelConfig config = TinyConfigs.llama();
    long[][] ids = Batches.ids(4, config.vocabSize(), MASK);
    try (CausalLm lm =
            CausalLm.randomInit(config, 6, ModelOptions.cpu().withVocabularyChunk(2));
        CausalLm frozen = lm.copyFrozen();
        NDManager manager = NDManager.newBaseManager()) {
      NDArray full =
          lm.logitsAt(manager.create(ids), manager.create(MASK), manager.create(SELECT))
              .logSoftmax(-1).gather(manager.create(LABELS).expandDims(-1), -1).squeeze(-1);
      try (ProjectedLogProbs p = frozen.logProbsAt(
              manager.create(ids), manager.create(MASK), manager.create(SELECT),
              manager.create(LABELS))) {
        assertThat(p.isDifferentiable()).isFalse();
        Batches.assertClose(
            doubles(p.values()), doubles(full), TOLERANCE, "frozen log-probabilities");
        NDArray l = loss(p.values());
        assertThat(p.lossForBackward(l)).isSameAs(l);
      }
    }
  }

  @Test
  void labelsOutsideTheVocabularyOrOfAnotherLengthAreRefused() {
    ModelConfig config = TinyConfigs.llama();
    long[][] ids = Batches.ids(4, config.vocabSize(), MASK);
    try (CausalLm lm = CausalLm.randomInit(config, 6, ModelOptions.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      long[] bad = LABELS.clone();
      bad[3] = 61;
      assertThatThrownBy(() -> lm.logProbsAt(
              manager.create(ids), manager.create(MASK), manager.create(SELECT),
              manager.create(bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("labels[3] must be a token id in [0, 61) but was 61");
      assertThatThrownBy(() -> lm.logProbsAt(
              manager.create(ids), manager.create(MASK), manager.create(SELECT),
              manager.create(new long[] {1, 2})))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("labels must be [8] (one per selected slot) but was (2)");
      assertThatThrownBy(() -> ModelOptions.cpu().withVocabularyChunk(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("vocabularyChunk must be >= 1 but was 0");
    }
  }

  private static Plain unchunked(CausalLm lm, NDManager s, long[][] ids) {
    NDArray logits = lm.logitsAt(s.create(ids), s.create(MASK), s.create(SELECT));
    return new Plain(
        logits.logSoftmax(-1).gather(s.create(LABELS).expandDims(-1), -1).squeeze(-1));
  }

  /** Unchunked log-probabilities: back-propagated as they are. */
  private record Plain(NDArray values) implements AutoCloseable {
    @Override
    public void close() {}
  }

  private record Result(double[] values, double loss, Map<String, double[]> gradients) {}

  /** Runs the forward and backward pass of {@link #loss} over what {@code compute} returns. */
  private static Result run(
      CausalLm lm, NDManager manager, Function<NDManager, AutoCloseable> compute) {
    Map<String, NDArray> trainable = lm.trainableParameters();
    for (NDArray p : trainable.values()) {
      try (NDArray g = p.getGradient()) {
        g.muli(0);
      }
    }
    double[] values;
    double lossValue;
    try (NDManager scope = manager.newSubManager()) {
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        AutoCloseable out = compute.apply(scope);
        NDArray tokens =
            out instanceof ProjectedLogProbs p ? p.values() : ((Plain) out).values();
        values = doubles(tokens);
        NDArray l = loss(tokens);
        lossValue = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        NDArray backprop = out instanceof ProjectedLogProbs p ? p.lossForBackward(l) : l;
        assertThat(backprop.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble())
            .isCloseTo(lossValue, org.assertj.core.data.Offset.offset(1e-12));
        collector.backward(backprop);
        out.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    Map<String, double[]> gradients = new TreeMap<>();
    trainable.forEach(
        (name, p) -> {
          try (NDArray g = p.getGradient()) {
            gradients.put(name, doubles(g));
          }
        });
    return new Result(values, lossValue, gradients);
  }

  private static double[] doubles(NDArray array) {
    float[] f = array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
