package dev.rlhf4j.iterative.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.OptionalInt;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.losses.SequenceLogProbs;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link LogProbs#completion} (the vocabulary projection of response-predicting slots only)
 * against {@link SequenceLogProbs#forCausalLm} on the full logits, on right-padded pair batches.
 */
class LogProbsTest {
  private static final int VOCAB = 40;

  private static CausalLm policy() {
    ModelConfig config =
        ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
            .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
            .vocabSize(VOCAB).hiddenSize(32).numLayers(2).numHeads(4).numKvHeads(2)
            .intermediateSize(48).initializerRange(0.3).build();
    return CausalLm.randomInit(config, 17, ModelOptions.cpu());
  }

  /** Pairs of different prompt and response lengths, so that the batch is padded. */
  private static List<TokenizedPair> pairs(long seed) {
    Random random = new Random(seed);
    List<TokenizedPair> pairs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pairs.add(new TokenizedPair(sequence(random), sequence(random)));
    }
    return pairs;
  }

  private static TokenizedSequence sequence(Random random) {
    int prompt = 1 + random.nextInt(5);
    int length = prompt + 1 + random.nextInt(7);
    long[] ids = new long[length];
    for (int t = 0; t < length; t++) {
      ids[t] = 1 + random.nextInt(VOCAB - 1);
    }
    return new TokenizedSequence(ids, prompt);
  }

  @Test
  void completion_equalsForCausalLmOnTheFullLogits() {
    try (CausalLm model = policy();
        NDManager manager = NDManager.newBaseManager()) {
      for (long seed = 1; seed <= 5; seed++) {
        try (NDManager scope = manager.newSubManager()) {
          CompletionBatch batch = LogProbs.pairBatch(scope, pairs(seed));
          SequenceLogProbs full =
              SequenceLogProbs.forCausalLm(
                  model.forward(batch.ids(), batch.attentionMask()).logits(),
                  batch.ids(),
                  batch.completionMask());
          SequenceLogProbs fast = LogProbs.completion(model, batch);
          assertClose(fast.sum().toFloatArray(), full.sum().toFloatArray());
          assertClose(fast.tokenLogProbs().toFloatArray(), full.tokenLogProbs().toFloatArray());
          assertThat(fast.count().toFloatArray()).containsExactly(full.count().toFloatArray());
          double[][] host = LogProbs.ofPairs(model, batch);
          float[] sums = full.sum().toFloatArray();
          for (int i = 0; i < 3; i++) {
            assertThat(host[0][i]).isCloseTo(sums[i], within(1e-5 * Math.abs(sums[i])));
            assertThat(host[1][i]).isCloseTo(sums[3 + i], within(1e-5 * Math.abs(sums[3 + i])));
          }
        }
      }
    }
  }

  @Test
  void completion_gradientEqualsForCausalLmsGradient() {
    try (CausalLm model = policy();
        NDManager manager = NDManager.newBaseManager()) {
      List<TokenizedPair> pairs = pairs(9);
      Map<String, float[]> viaFull = gradients(model, manager, pairs, false);
      Map<String, float[]> viaCompletion = gradients(model, manager, pairs, true);
      assertThat(viaCompletion.keySet()).isEqualTo(viaFull.keySet());
      viaFull.forEach((name, expected) -> assertClose(viaCompletion.get(name), expected));
    }
  }

  private static Map<String, float[]> gradients(
      CausalLm model, NDManager manager, List<TokenizedPair> pairs, boolean completionPath) {
    Map<String, NDArray> parameters = model.parameters();
    for (NDArray p : parameters.values()) {
      try (NDArray g = p.getGradient()) {
        g.muli(0);
      }
    }
    try (NDManager scope = manager.newSubManager()) {
      CompletionBatch batch = LogProbs.pairBatch(scope, pairs);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        LogProbs.Projected projected = completionPath ? LogProbs.projected(model, batch) : null;
        SequenceLogProbs logProbs =
            completionPath
                ? projected.logProbs()
                : SequenceLogProbs.forCausalLm(
                    model.forward(batch.ids(), batch.attentionMask()).logits(),
                    batch.ids(),
                    batch.completionMask());
        NDArray weights = scope.create(new float[] {1f, -0.5f, 2f, 0.25f, -1f, 0.75f});
        NDArray loss = logProbs.sum().mul(weights).sum();
        collector.backward(completionPath ? projected.lossForBackward(loss) : loss);
      }
    }
    Map<String, float[]> out = new TreeMap<>();
    parameters.forEach(
        (name, p) -> {
          try (NDArray g = p.getGradient()) {
            out.put(name, g.toFloatArray());
          }
        });
    return out;
  }

  /** Element-wise within 1e-5 relative to the largest magnitude of {@code expected}. */
  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    double scale = 1e-3;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).isCloseTo(expected[i], within(1e-5 * scale));
    }
  }
}
