package dev.rlhf4j.sampling.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation on a tiny random Llama with a character-level tokenizer. */
class GeneratorTest {
  @TempDir static Path dir;
  static CausalLm model;
  static HfTokenizer tokenizer;

  static final Prompt HELLO = new Prompt("hello", List.of(Message.user("Hello there")));
  static final Prompt LONGER =
      new Prompt(
          "longer",
          List.of(Message.system("Be brief."), Message.user("What is the capital of France?")));
  static final Prompt SHORT = new Prompt("short", List.of(Message.user("Hi")));

  @BeforeAll
  static void setUp() {
    model = CausalLm.randomInit(TinyFixtures.llama(256), 11, ModelOptions.cpu());
    tokenizer = HfTokenizer.load(TinyFixtures.writeTokenizer(dir.resolve("tok")));
  }

  @AfterAll
  static void tearDown() {
    model.close();
    tokenizer.close();
  }

  static Generator generator() {
    return Generator.builder(model, tokenizer).build();
  }

  static SamplingParams.Builder params() {
    return SamplingParams.builder().maxNewTokens(12).seed(5);
  }

  /** log_softmax of the full, uncached forward over {@code ids}, at the last position. */
  static double[] lastLogProbs(long[] ids) {
    try (NDManager m = NDManager.newBaseManager()) {
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1);
      NDArray logits =
          model.forward(m.create(new long[][] {ids}), m.create(new long[][] {mask})).logits();
      float[] row = logits.get(new NDIndex("0, -1, :")).logSoftmax(-1).toFloatArray();
      double[] out = new double[row.length];
      for (int i = 0; i < row.length; i++) {
        out[i] = row[i];
      }
      return out;
    }
  }

  static int argMax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  static long[] concat(long[] a, long[] b, int bLength) {
    long[] out = Arrays.copyOf(a, a.length + bLength);
    System.arraycopy(b, 0, out, a.length, bLength);
    return out;
  }

  @Test
  void greedyWithCache_equalsArgmaxOfFullForwardsStepByStep() {
    GenerationResult result =
        generator().generate(List.of(HELLO, LONGER, SHORT), 1, params().temperature(0).build());
    for (PromptGenerations p : result.prompts()) {
      long[] prompt = tokenizer.encodeChat(p.prompt().messages(), true);
      long[] generated = p.generations().get(0).tokenIdArray();
      for (int t = 0; t < generated.length; t++) {
        // the cached step and the full forward are different shapes and kernels, so their logits
        // may differ in the last bits: the chosen token must be an argmax up to 1e-5 (a near-tie
        // may resolve either way), and decoding continues on the generated tokens
        double[] full = lastLogProbs(concat(prompt, generated, t));
        assertThat(full[(int) generated[t]])
            .as("prompt %s step %s: log-prob of %s vs argmax %s", p.prompt().id(), t,
                generated[t], argMax(full))
            .isGreaterThanOrEqualTo(full[argMax(full)] - 1e-5);
      }
    }
  }

  @Test
  void filtersThatKeepOnlyTheTopToken_decodeGreedily() {
    List<Prompt> prompts = List.of(HELLO, LONGER);
    List<List<Long>> greedy = ids(generator().generate(prompts, 2, params().temperature(0).build()));
    // every row of a prompt is the same greedy response
    assertThat(greedy.get(0)).isEqualTo(greedy.get(1));
    assertThat(ids(generator().generate(prompts, 2, params().topK(1).build())))
        .isEqualTo(greedy);
    // the top token has probability >= 1/103 > 0.001: the nucleus holds it alone
    assertThat(ids(generator().generate(prompts, 2, params().temperature(2).topP(0.001).build())))
        .isEqualTo(greedy);
    // and the samples at temperature 1 without filters are not greedy
    assertThat(ids(generator().generate(prompts, 2, params().build()))).isNotEqualTo(greedy);
  }

  @Test
  void logProb_isSumOfTemperatureOneLogSoftmaxOfGeneratedTokens() {
    GenerationResult result =
        generator()
            .generate(List.of(LONGER), 3, params().temperature(0.7).topK(20).topP(0.9).build());
    long[] prompt = tokenizer.encodeChat(LONGER.messages(), true);
    for (Generation g : result.prompts().get(0).generations()) {
      long[] ids = g.tokenIdArray();
      double sum = 0;
      for (int t = 0; t < ids.length; t++) {
        sum += lastLogProbs(concat(prompt, ids, t))[(int) ids[t]];
      }
      assertThat(g.logProb()).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-3));
      assertThat(g.logProb()).isNegative();
    }
  }

  @Test
  void firstTokenFrequencies_matchModelSoftmax_chiSquare() {
    int samples = 4000;
    GenerationResult result =
        Generator.builder(model, tokenizer)
            .maxBatchRows(1000)
            .build()
            .generate(List.of(HELLO), samples, params().maxNewTokens(1).seed(2024).build());
    double[] logProbs = lastLogProbs(tokenizer.encodeChat(HELLO.messages(), true));
    int[] counts = new int[logProbs.length];
    for (Generation g : result.prompts().get(0).generations()) {
      counts[g.tokenIds().get(0).intValue()]++;
    }
    // bins with expected count >= 5, the rest pooled into one bin
    double chi = 0;
    int bins = 0;
    double pooledExpected = 0;
    int pooledCount = 0;
    for (int i = 0; i < counts.length; i++) {
      double expected = samples * Math.exp(logProbs[i]);
      if (expected >= 5) {
        chi += (counts[i] - expected) * (counts[i] - expected) / expected;
        bins++;
      } else {
        pooledExpected += expected;
        pooledCount += counts[i];
      }
    }
    if (pooledExpected > 0) {
      chi += (pooledCount - pooledExpected) * (pooledCount - pooledExpected) / pooledExpected;
      bins++;
    }
    assertThat(bins).as("enough bins for a meaningful test").isGreaterThan(20);
    assertThat(ChiSquare.pValue(chi, bins - 1)).as("chi2=%s df=%s", chi, bins - 1)
        .isGreaterThan(0.001);
  }

  @Test
  void chiSquare_rejectsAWrongDistribution() {
    // the test above can fail: the same counts against a flattened distribution are rejected
    int samples = 4000;
    GenerationResult result =
        Generator.builder(model, tokenizer)
            .maxBatchRows(1000)
            .build()
            .generate(List.of(HELLO), samples, params().maxNewTokens(1).seed(2024)
                .temperature(1.5).build());
    double[] logProbs = lastLogProbs(tokenizer.encodeChat(HELLO.messages(), true));
    int[] counts = new int[logProbs.length];
    for (Generation g : result.prompts().get(0).generations()) {
      counts[g.tokenIds().get(0).intValue()]++;
    }
    double chi = 0;
    int bins = 0;
    for (int i = 0; i < counts.length; i++) {
      double expected = samples * Math.exp(logProbs[i]);
      if (expected >= 5) {
        chi += (counts[i] - expected) * (counts[i] - expected) / expected;
        bins++;
      }
    }
    assertThat(ChiSquare.pValue(chi, bins - 1)).isLessThan(1e-6);
  }

  @Test
  void sameSeed_sameResponses_otherSeed_otherResponses() {
    SamplingParams p = params().build();
    GenerationResult a = generator().generate(List.of(HELLO, SHORT), 4, p);
    GenerationResult b = generator().generate(List.of(HELLO, SHORT), 4, p);
    GenerationResult c = generator().generate(List.of(HELLO, SHORT), 4, p.withSeed(6));
    assertThat(texts(a)).isEqualTo(texts(b));
    assertThat(ids(a)).isEqualTo(ids(b));
    assertThat(texts(a)).isNotEqualTo(texts(c));
    // the samples of one prompt differ from each other
    assertThat(texts(a).subList(0, 4)).doesNotHaveDuplicates();
  }

  @Test
  void response_dependsOnlyOnSeedPromptAndIndex_notOnBatch() {
    SamplingParams p = params().maxNewTokens(16).topK(30).build();
    GenerationResult alone = generator().generate(List.of(HELLO), 3, p);
    GenerationResult crowded =
        generator().generate(List.of(LONGER, SHORT, HELLO, new Prompt("x", SHORT.messages())), 5, p);
    GenerationResult split =
        Generator.builder(model, tokenizer).maxBatchRows(2).build()
            .generate(List.of(SHORT, HELLO), 3, p);
    List<Generation> base = alone.prompts().get(0).generations();
    for (int s = 0; s < 3; s++) {
      for (Generation other :
          List.of(
              crowded.prompts().get(2).generations().get(s),
              split.prompts().get(1).generations().get(s))) {
        assertThat(other.tokenIds()).isEqualTo(base.get(s).tokenIds());
        assertThat(other.text()).isEqualTo(base.get(s).text());
        assertThat(other.finishReason()).isEqualTo(base.get(s).finishReason());
        // the logits of a row may differ in the last bits between batch compositions
        assertThat(other.logProb())
            .isCloseTo(base.get(s).logProb(), org.assertj.core.data.Offset.offset(1e-4));
      }
    }
    // same messages under another id: other responses
    assertThat(crowded.prompts().get(3).generations().get(0).tokenIds())
        .isNotEqualTo(crowded.prompts().get(1).generations().get(0).tokenIds());
  }

  @Test
  void nSamples_shareOnePrefill() {
    SamplingParams p = params().maxNewTokens(2).build();
    int length = tokenizer.encodeChat(HELLO.messages(), true).length;
    GenerationResult shared = generator().generate(List.of(HELLO), 8, p);
    List<Prompt> copies = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      copies.add(new Prompt("copy" + i, HELLO.messages()));
    }
    GenerationResult separate = generator().generate(copies, 1, p);
    assertThat(shared.stats().prefillTokens()).isEqualTo(length);
    assertThat(separate.stats().prefillTokens()).isEqualTo(8L * length);
    assertThat(shared.prompts().get(0).generations()).hasSize(8);
  }

  @Test
  void lengthFinish_hasExactlyMaxNewTokens() {
    GenerationResult result =
        generator().generate(List.of(HELLO, SHORT), 6, params().maxNewTokens(5).build());
    long total = 0;
    for (PromptGenerations p : result.prompts()) {
      for (Generation g : p.generations()) {
        total += g.tokenCount();
        if (g.finishReason() == FinishReason.LENGTH) {
          assertThat(g.tokenCount()).isEqualTo(5);
          assertThat(g.tokenIds()).doesNotContain(TinyFixtures.idOf("</s>"));
          assertThat(g.text()).isEqualTo(tokenizer.decode(g.tokenIdArray()));
        } else {
          assertThat(g.tokenIds().get(g.tokenCount() - 1)).isEqualTo(TinyFixtures.idOf("</s>"));
        }
      }
    }
    assertThat(result.stats().generatedTokens()).isEqualTo(total);
  }

  @Test
  void extraEosId_stopsAtItsFirstOccurrence() {
    SamplingParams p = params().temperature(0).maxNewTokens(24).build();
    Generation free = generator().generate(List.of(LONGER), 1, p).prompts().get(0)
        .generations().get(0);
    assertThat(free.finishReason()).isEqualTo(FinishReason.LENGTH);
    long[] ids = free.tokenIdArray();
    long stopId = ids[4];
    int first = (int) LongStream.range(0, ids.length).filter(i -> ids[(int) i] == stopId)
        .findFirst().getAsLong();
    Generator stopping =
        Generator.builder(model, tokenizer).extraEosTokenIds(List.of(stopId)).build();
    assertThat(stopping.eosTokenIds()).contains(TinyFixtures.idOf("</s>"), stopId);
    Generation stopped = stopping.generate(List.of(LONGER), 1, p).prompts().get(0)
        .generations().get(0);
    assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(stopped.tokenIdArray()).containsExactly(Arrays.copyOf(ids, first + 1));
    assertThat(stopped.text()).isEqualTo(tokenizer.decode(Arrays.copyOf(ids, first)));
  }

  @Test
  void stopString_cutsTheTextAndStops() {
    SamplingParams p = params().temperature(0).maxNewTokens(24).build();
    Generation free = generator().generate(List.of(HELLO), 1, p).prompts().get(0)
        .generations().get(0);
    String text = free.text();
    assertThat(text.length()).isGreaterThan(8);
    String stop = text.substring(5, 7);
    int cut = text.indexOf(stop);
    Generation stopped =
        generator()
            .generate(List.of(HELLO), 1, p.toBuilder().stopStrings(List.of("never", stop)).build())
            .prompts().get(0).generations().get(0);
    assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(stopped.text()).isEqualTo(text.substring(0, cut));
    // the ids run up to the token that completed the stop string, which they keep
    long[] ids = stopped.tokenIdArray();
    assertThat(tokenizer.decode(ids)).endsWith(stop);
    assertThat(tokenizer.decode(Arrays.copyOf(ids, ids.length - 1))).doesNotContain(stop);
    assertThat(ids).containsExactly(Arrays.copyOf(free.tokenIdArray(), ids.length));
  }

  @Test
  void leftTruncate_keepsTheEndOfTheRenderedPromptAndCountsIt() {
    int rendered = tokenizer.encodeChat(LONGER.messages(), true).length;
    Generator generator =
        Generator.builder(model, tokenizer).contextLength(40).build();
    GenerationResult result = generator.generate(List.of(LONGER, SHORT), 2, params().build());
    assertThat(result.truncatedPrompts()).isEqualTo(1);
    assertThat(result.skippedPrompts()).isZero();
    PromptGenerations longer = result.prompts().get(0);
    assertThat(longer.truncated()).isTrue();
    assertThat(longer.promptTokens()).isEqualTo(40 - 12);
    assertThat(longer.truncatedTokens()).isEqualTo(rendered - 28);
    assertThat(longer.generations()).hasSize(2);
    assertThat(result.prompts().get(1).truncated()).isFalse();
  }

  @Test
  void skip_leavesThePromptOutAndCountsIt() {
    Generator generator =
        Generator.builder(model, tokenizer)
            .contextLength(40)
            .overflowPolicy(ContextOverflowPolicy.SKIP)
            .build();
    SamplingParams p = params().build();
    GenerationResult result = generator.generate(List.of(LONGER, SHORT), 2, p);
    assertThat(result.skippedPrompts()).isEqualTo(1);
    assertThat(result.prompts().get(0).skipped()).isTrue();
    assertThat(result.prompts().get(0).generations()).isEmpty();
    assertThat(result.prompts().get(1).generations()).hasSize(2);

    List<GeneratedSample> samples = generator.sample(List.of(LONGER, SHORT), 2, p);
    assertThat(samples).hasSize(2);
    assertThat(samples.get(0).responses())
        .containsExactly(
            new Completion("", 0, FinishReason.LENGTH), new Completion("", 0, FinishReason.LENGTH));
    assertThat(samples.get(1).responses())
        .containsExactlyElementsOf(
            result.prompts().get(1).generations().stream().map(Generation::toCompletion).toList());
  }

  @Test
  void samplerView_returnsOneSamplePerPromptInOrder() {
    List<GeneratedSample> samples =
        generator().sample(List.of(SHORT, HELLO), 3, params().build());
    assertThat(samples).extracting(s -> s.prompt().id()).containsExactly("short", "hello");
    assertThat(samples).allSatisfy(s -> assertThat(s.responses()).hasSize(3));
  }

  @Test
  void invalidArguments_areRejectedWithTheirValues() {
    assertThatThrownBy(() -> generator().generate(List.of(HELLO), 0, params().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n must be >= 1 but was 0");
    assertThatThrownBy(
            () -> generator().generate(List.of(HELLO), 1, params().maxNewTokens(256).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxNewTokens must be < the context length 256");
    assertThatThrownBy(() -> Generator.builder(model, tokenizer).contextLength(257).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max_position_embeddings 256 but was 257");
    assertThatThrownBy(
            () -> Generator.builder(model, tokenizer).extraEosTokenIds(List.of(5000L)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5000");
    assertThatThrownBy(() -> Generator.builder(model, tokenizer).maxBatchRows(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatchRows must be >= 1 but was 0");
  }

  @Test
  void tokenizerLargerThanModel_isRejected() {
    try (CausalLm small =
        CausalLm.randomInit(
            TinyFixtures.llama(64).toBuilder().vocabSize(50).build(), 1, ModelOptions.cpu())) {
      assertThatThrownBy(() -> Generator.builder(small, tokenizer).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has 103 ids but the model's vocabulary only 50");
    }
  }

  static List<String> texts(GenerationResult r) {
    return r.prompts().stream()
        .flatMap(p -> p.generations().stream())
        .map(Generation::text)
        .toList();
  }

  static List<List<Long>> ids(GenerationResult r) {
    return r.prompts().stream()
        .flatMap(p -> p.generations().stream())
        .map(Generation::tokenIds)
        .toList();
  }
}
