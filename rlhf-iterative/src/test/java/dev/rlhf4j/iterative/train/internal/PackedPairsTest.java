package dev.rlhf4j.iterative.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The shared-prompt path ({@link PackedPairs}, {@code CausalLm#logitsOfPacked}) against the
 * unshared one (one sequence per row, {@link LogProbs#completion(CausalLm, CompletionBatch)}): the
 * log-probabilities and the gradients agree within float tolerance (the shapes differ, so not
 * bitwise), for pairs that share their prompt, share more than the prompt, share nothing, or where
 * one sequence is a prefix of the other.
 */
class PackedPairsTest {
  private static final int VOCAB = 40;

  private static CausalLm llama(Architecture architecture, int slidingWindow) {
    ModelConfig.Builder builder =
        ModelConfig.builder(architecture)
            .bosTokenId(OptionalInt.of(1)).eosTokenIds(List.of(2))
            .vocabSize(VOCAB).hiddenSize(32).numLayers(2).numHeads(4)
            .intermediateSize(48).initializerRange(0.3);
    if (architecture != Architecture.GPT2_LM_HEAD) {
      builder.numKvHeads(2);
    }
    if (slidingWindow > 0) {
      builder.slidingWindow(slidingWindow);
    }
    return CausalLm.randomInit(builder.build(), 17, ModelOptions.cpu());
  }

  private static long[] random(Random random, int n) {
    long[] ids = new long[n];
    for (int t = 0; t < n; t++) {
      ids[t] = 3 + random.nextInt(VOCAB - 3);
    }
    return ids;
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Pairs of varied prompt and response lengths, including the corner cases. */
  private static List<TokenizedPair> pairs(long seed) {
    Random random = new Random(seed);
    List<TokenizedPair> pairs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      long[] prompt = random(random, 1 + random.nextInt(6));
      pairs.add(
          new TokenizedPair(
              new TokenizedSequence(concat(prompt, random(random, 1 + random.nextInt(7))), prompt.length),
              new TokenizedSequence(concat(prompt, random(random, 1 + random.nextInt(7))), prompt.length)));
    }
    // responses that start alike: the shared prefix reaches into the responses
    long[] prompt = random(random, 3);
    long[] common = random(random, 2);
    pairs.add(
        new TokenizedPair(
            new TokenizedSequence(concat(concat(prompt, common), random(random, 3)), 3),
            new TokenizedSequence(concat(concat(prompt, common), random(random, 1)), 3)));
    // prompts truncated differently: nothing shared
    long[] a = random(random, 6);
    long[] b = random(random, 5);
    a[0] = 3;
    b[0] = 4;
    pairs.add(new TokenizedPair(new TokenizedSequence(a, 2), new TokenizedSequence(b, 3)));
    // the rejected sequence is a prefix of the chosen one
    long[] full = random(random, 7);
    pairs.add(
        new TokenizedPair(
            new TokenizedSequence(full, 2),
            new TokenizedSequence(java.util.Arrays.copyOf(full, 4), 2)));
    return pairs;
  }

  @Test
  void sharedPrefix_countsLeadingEqualIds() {
    assertThat(PackedPairs.sharedPrefix(
            new TokenizedSequence(new long[] {5, 6, 7, 8}, 2),
            new TokenizedSequence(new long[] {5, 6, 9}, 2)))
        .isEqualTo(2);
    assertThat(PackedPairs.sharedPrefix(
            new TokenizedSequence(new long[] {5, 6}, 1),
            new TokenizedSequence(new long[] {5, 6, 9}, 1)))
        .isEqualTo(2);
    assertThat(PackedPairs.sharedPrefix(
            new TokenizedSequence(new long[] {4, 6}, 1),
            new TokenizedSequence(new long[] {5, 6, 9}, 1)))
        .isEqualTo(0);
  }

  @Test
  void packing_computesEachSharedPromptOnce() {
    try (NDManager manager = NDManager.newBaseManager()) {
      List<TokenizedPair> pairs = pairs(3);
      PackedPairs packed = PackedPairs.of(manager, pairs);
      long unshared = pairs.stream().mapToLong(TokenizedPair::tokens).sum();
      long shared = 0;
      for (TokenizedPair p : pairs) {
        shared += PackedPairs.sharedPrefix(p.chosen(), p.rejected());
      }
      assertThat(packed.tokens()).isEqualTo(unshared - shared);
      assertThat(packed.ids().getShape().get(0)).isEqualTo(pairs.size());
      long responses = pairs.stream()
          .mapToLong(p -> p.chosen().responseLength() + p.rejected().responseLength()).sum();
      assertThat(packed.slots().getShape().get(0)).isEqualTo(responses);
    }
  }

  @Test
  void logProbs_equalTheUnsharedPath_llama() {
    checkLogProbs(llama(Architecture.LLAMA_CAUSAL_LM, 0));
  }

  @Test
  void logProbs_equalTheUnsharedPath_slidingWindowAndGpt2() {
    checkLogProbs(llama(Architecture.MISTRAL_CAUSAL_LM, 3));
    checkLogProbs(llama(Architecture.GPT2_LM_HEAD, 0));
  }

  private static void checkLogProbs(CausalLm model) {
    try (model;
        NDManager manager = NDManager.newBaseManager()) {
      for (long seed = 1; seed <= 4; seed++) {
        try (NDManager scope = manager.newSubManager()) {
          List<TokenizedPair> pairs = pairs(seed);
          CompletionBatch batch = LogProbs.pairBatch(scope, pairs);
          SequenceLogProbs unshared = LogProbs.completion(model, batch);
          SequenceLogProbs shared =
              LogProbs.completion(model, batch, PackedPairs.of(scope, pairs));
          assertClose(shared.sum().toFloatArray(), unshared.sum().toFloatArray());
          assertClose(
              shared.tokenLogProbs().toFloatArray(), unshared.tokenLogProbs().toFloatArray());
          double[][] a = LogProbs.ofPairs(model, batch, 1);
          double[][] b = LogProbs.ofPairs(model, batch, PackedPairs.of(scope, pairs), 0.5);
          double[][] c = LogProbs.ofPairs(model, batch, null, 0.5);
          for (int i = 0; i < pairs.size(); i++) {
            assertThat(b[0][i]).isCloseTo(c[0][i], within(1e-5 * Math.max(1, Math.abs(c[0][i]))));
            assertThat(b[1][i]).isCloseTo(c[1][i], within(1e-5 * Math.max(1, Math.abs(c[1][i]))));
            assertThat(a[0][i]).isNotNaN();
          }
        }
      }
    }
  }

  /**
   * The reference scores through a frozen copy: its log-probabilities record no autograd graph,
   * while the trainable policy's do (so the check can tell the two apart).
   */
  @Test
  void frozenReference_recordsNoAutogradState() {
    try (CausalLm policy = llama(Architecture.LLAMA_CAUSAL_LM, 0);
        CausalLm reference = policy.copyFrozen();
        NDManager manager = NDManager.newBaseManager()) {
      List<TokenizedPair> pairs = pairs(2);
      CompletionBatch batch = LogProbs.pairBatch(manager, pairs);
      PackedPairs packed = PackedPairs.of(manager, pairs);
      assertThat(reference.parameters().values()).noneMatch(NDArray::hasGradient);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray scored = LogProbs.completion(reference, batch, packed).sum().sum();
        // no graph was recorded: there is nothing to differentiate
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> collector.backward(scored))
            .isInstanceOf(ai.djl.engine.EngineException.class);
        LogProbs.Projected trained = LogProbs.projected(policy, batch, packed);
        collector.backward(trained.lossForBackward(trained.logProbs().sum().sum()));
      }
      assertThat(policy.parameters().values()).allMatch(NDArray::hasGradient);
    }
  }

  @Test
  void gradients_equalTheUnsharedPath() {
    try (CausalLm model = llama(Architecture.QWEN2_CAUSAL_LM, 0);
        NDManager manager = NDManager.newBaseManager()) {
      List<TokenizedPair> pairs = pairs(9);
      Map<String, float[]> unshared =
          gradients(model, manager, pairs, batch -> LogProbs.projected(model, batch));
      Map<String, float[]> shared =
          gradients(
              model, manager, pairs,
              batch -> LogProbs.projected(
                  model, batch, PackedPairs.of(batch.ids().getManager(), pairs)));
      assertThat(shared.keySet()).isEqualTo(unshared.keySet());
      unshared.forEach((name, expected) -> assertClose(shared.get(name), expected));
    }
  }

  private static Map<String, float[]> gradients(
      CausalLm model, NDManager manager, List<TokenizedPair> pairs,
      Function<CompletionBatch, LogProbs.Projected> path) {
    Map<String, NDArray> parameters = model.parameters();
    for (NDArray p : parameters.values()) {
      try (NDArray g = p.getGradient()) {
        g.muli(0);
      }
    }
    try (NDManager scope = manager.newSubManager()) {
      CompletionBatch batch = LogProbs.pairBatch(scope, pairs);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        LogProbs.Projected projected = path.apply(batch);
        float[] w = new float[2 * pairs.size()];
        Random random = new Random(5);
        for (int i = 0; i < w.length; i++) {
          w[i] = random.nextFloat() * 2 - 1;
        }
        NDArray loss = projected.logProbs().sum().mul(scope.create(w)).sum();
        collector.backward(projected.lossForBackward(loss));
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
