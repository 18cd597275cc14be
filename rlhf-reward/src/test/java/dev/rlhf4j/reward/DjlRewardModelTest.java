package dev.rlhf4j.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ClassifierOutput;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.internal.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlRewardModelTest {
  @TempDir Path dir;

  private static final List<Message> PROMPT = List.of(Message.user("How are you?"));

  private HfTokenizer tokenizer(TinyModels.Variant variant) {
    return HfTokenizer.load(TinyModels.writeTokenizer(dir.resolve(variant.name()), variant));
  }

  private static SequenceClassifier classifier(long seed) {
    return SequenceClassifier.randomInit(TinyModels.rewardModel(32, 2), seed, ModelOptions.cpu());
  }

  /** Requests of very different lengths, in no particular order. */
  private static List<ScoreRequest> mixedRequests() {
    Random random = new Random(3);
    List<ScoreRequest> out = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      StringBuilder text = new StringBuilder();
      int length = 1 + random.nextInt(40);
      for (int k = 0; k < length; k++) {
        text.append((char) ('a' + random.nextInt(26)));
      }
      out.add(new ScoreRequest(PROMPT, text.toString()));
    }
    return out;
  }

  private static double directScore(SequenceClassifier model, long[] ids) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(ids, new Shape(1, ids.length));
      NDArray mask = m.ones(new Shape(1, ids.length), ai.djl.ndarray.types.DataType.INT64);
      try (ClassifierOutput out = model.forward(x, mask)) {
        return out.scores().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble(0, 0);
      }
    }
  }

  private static int liveArrays() {
    try (NDManager any = NDManager.newBaseManager()) {
      NDManager root = any;
      while (root.getParentManager() != null && root.getParentManager() != root) {
        root = root.getParentManager();
      }
      return ((BaseNDManager) root).getManagedArrays().size();
    }
  }

  @Test
  void maxLength_pastTheModelsContext_isRefused_andTheDefaultIsCapped() {
    // the tiny classifier has Llama's default 2048 positions
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(1)) {
      int positions = model.config().maxPositionEmbeddings();
      assertThatThrownBy(() -> DjlRewardModel.of(model, tok).maxLength(positions + 1).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxLength (" + (positions + 1) + ") must be <= max_position_embeddings ("
              + positions + ") of the LlamaForSequenceClassification model: it was never trained"
              + " on positions past that; lower maxLength");
      try (DjlRewardModel rm = DjlRewardModel.of(model, tok).maxLength(positions).build()) {
        assertThat(rm.maxLength()).isEqualTo(positions);
      }
    }
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier small = SequenceClassifier.randomInit(
            TinyModels.rewardModel(16, 1).toBuilder().maxPositionEmbeddings(64).build(), 1,
            ModelOptions.cpu());
        DjlRewardModel rm = DjlRewardModel.of(small, tok).build()) {
      assertThat(rm.maxLength()).isEqualTo(64);
    }
  }

  @Test
  void score_equalsTheClassifiersOutputOnTheChatTemplateIds() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(1);
        DjlRewardModel rm = DjlRewardModel.of(model, tok).build()) {
      ScoreRequest request = new ScoreRequest(PROMPT, "Fine, thanks.");
      long[] ids = rm.tokenize(request);
      String rendered =
          "<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\nFine, thanks."
              + "<|im_end|>\n";
      assertThat(ids).containsExactly(tok.encode(rendered, false));
      // exact on purpose: both are one unpadded row of the same ids, the same shape and kernels
      assertThat(rm.score(List.of(request))[0]).isEqualTo(directScore(model, ids));
    }
  }

  @Test
  void score_isTheSameAloneOrBatchedAndInAnyPaddingSide() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(2);
        DjlRewardModel rm = DjlRewardModel.of(model, tok).maxBatchSize(4).build();
        NDManager m = NDManager.newBaseManager()) {
      List<ScoreRequest> requests = mixedRequests();
      double[] batched = rm.score(requests);
      long[][] ids = requests.stream().map(rm::tokenize).toArray(long[][]::new);
      int width = Arrays.stream(ids).mapToInt(a -> a.length).max().getAsInt();
      long[] left = new long[ids.length * width];
      long[] right = new long[ids.length * width];
      long[] leftMask = new long[ids.length * width];
      long[] rightMask = new long[ids.length * width];
      Arrays.fill(left, 3);
      Arrays.fill(right, 3);
      for (int r = 0; r < ids.length; r++) {
        int pad = width - ids[r].length;
        for (int k = 0; k < ids[r].length; k++) {
          right[r * width + k] = ids[r][k];
          rightMask[r * width + k] = 1;
          left[r * width + pad + k] = ids[r][k];
          leftMask[r * width + pad + k] = 1;
        }
      }
      Shape shape = new Shape(ids.length, width);
      float[] leftScores =
          model.forward(m.create(left, shape), m.create(leftMask, shape)).scores().toFloatArray();
      float[] rightScores =
          model.forward(m.create(right, shape), m.create(rightMask, shape)).scores()
              .toFloatArray();
      for (int r = 0; r < ids.length; r++) {
        double alone = directScore(model, ids[r]);
        assertThat(batched[r]).as("request %s batched", r).isCloseTo(alone, within(1e-5));
        assertThat((double) leftScores[r]).as("request %s left", r).isCloseTo(alone, within(1e-5));
        assertThat((double) rightScores[r]).as("request %s right", r)
            .isCloseTo(alone, within(1e-5));
      }
    }
  }

  @Test
  void padTokenId_isNeverAnEosId() {
    try (HfTokenizer padIsEos = tokenizer(TinyModels.Variant.PAD_IS_EOS);
        HfTokenizer noPad = tokenizer(TinyModels.Variant.NO_PAD);
        HfTokenizer distinct = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(4);
        DjlRewardModel a = DjlRewardModel.of(model, padIsEos).maxBatchSize(3).build();
        DjlRewardModel b = DjlRewardModel.of(model, noPad).build();
        DjlRewardModel c = DjlRewardModel.of(model, distinct).build()) {
      long eos = TinyModels.idOf("<|im_end|>");
      assertThat(padIsEos.padTokenId()).hasValue(eos);
      assertThat(a.padTokenId()).isEqualTo(TinyModels.idOf("<unk>"));
      assertThat(b.padTokenId()).isEqualTo(TinyModels.idOf("<unk>"));
      assertThat(c.padTokenId()).isEqualTo(TinyModels.idOf("<pad>"));

      // every rendered response ends "<|im_end|>\n": padding must not move the read-out
      List<ScoreRequest> requests = mixedRequests();
      double[] padded = a.score(requests);
      for (int i = 0; i < requests.size(); i++) {
        assertThat(padded[i])
            .isCloseTo(a.score(List.of(requests.get(i)))[0], within(1e-5))
            .isCloseTo(c.score(List.of(requests.get(i)))[0], within(1e-5));
      }

      a.save(dir.resolve("saved"));
      assertThat(ModelConfig.read(dir.resolve("saved/config.json")).padTokenId())
          .hasValue((int) TinyModels.idOf("<unk>"));
    }
  }

  @Test
  void score_restoresRequestOrderAfterBucketing() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(5);
        DjlRewardModel bucketed = DjlRewardModel.of(model, tok).maxBatchSize(2).build()) {
      List<ScoreRequest> requests = mixedRequests();
      double[] scores = bucketed.score(requests);
      List<ScoreRequest> reversed = new ArrayList<>(requests);
      java.util.Collections.reverse(reversed);
      double[] reversedScores = bucketed.score(reversed);
      for (int i = 0; i < requests.size(); i++) {
        double alone = bucketed.score(List.of(requests.get(i)))[0];
        assertThat(scores[i]).as("request %s", i).isCloseTo(alone, within(1e-5));
        assertThat(reversedScores[requests.size() - 1 - i]).isCloseTo(alone, within(1e-5));
      }
      assertThat(Arrays.stream(scores).distinct().count()).isEqualTo(requests.size());
    }
  }

  @Test
  void normalization_isAppliedSavedAndLoadedBack() {
    Path saved = dir.resolve("rm");
    List<ScoreRequest> requests = mixedRequests();
    double[] before;
    RewardNormalization calibrated;
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(6);
        DjlRewardModel rm = DjlRewardModel.of(model, tok).build()) {
      double[] raw = rm.score(requests);
      calibrated = rm.calibrate(requests);
      before = rm.score(requests);
      assertThat(Arrays.stream(before).average().getAsDouble()).isCloseTo(0, within(1e-9));
      assertThat(Math.sqrt(Arrays.stream(before).map(x -> x * x).average().getAsDouble()))
          .isCloseTo(1, within(1e-9));
      assertThat(before[0]).isCloseTo((raw[0] - calibrated.mean()) / calibrated.std(),
          within(1e-12));
      rm.save(saved);
    }
    assertThat(saved.resolve(ModelFiles.SIDECAR)).exists();
    assertThat(saved.resolve("tokenizer.json")).exists();
    try (DjlRewardModel loaded =
        RewardModels.djl(saved).modelOptions(ModelOptions.cpu()).build()) {
      assertThat(loaded.normalization()).contains(calibrated);
      // exact on purpose: the same float32 weights scoring the same batches (same shapes)
      assertThat(loaded.score(requests)).containsExactly(before);
      assertThat(ModelConfig.read(saved.resolve("config.json")).architecture().hfName())
          .isEqualTo("LlamaForSequenceClassification");
    }
    try (DjlRewardModel raw =
        RewardModels.djl(saved).normalization(null).modelOptions(ModelOptions.cpu())
            .build()) {
      assertThat(raw.normalization()).isEmpty();
    }
  }

  @Test
  void calibrate_refusesScoresWithoutSpread() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(7);
        DjlRewardModel rm = DjlRewardModel.of(model, tok).build()) {
      ScoreRequest same = new ScoreRequest(PROMPT, "same");
      // Identical requests in different batch rows need not score bit-identically (AVX-512 CPUs
      // differ in the last bits, std ~1e-8): calibrate must refuse such a spread either way.
      assertThatThrownBy(() -> rm.calibrate(List.of(same, same, same)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("3 reference scores are all equal up to rounding")
          .hasMessageContaining("no spread to normalise by");
      assertThat(rm.normalization()).isEmpty();
    }
  }

  @Test
  void fromCausalLm_copiesTheBackboneAndAddsAScalarHead() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(32, 1), 8, ModelOptions.cpu());
        DjlRewardModel rm = RewardModels.djlFromCausalLm(lm, tok, 9).build();
        NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> lmWeights = lm.stateDict(m);
      Map<String, NDArray> rmWeights = rm.classifier().stateDict(m);
      assertThat(rmWeights).containsKey("score.weight").doesNotContainKey("lm_head.weight");
      assertThat(rmWeights.get("score.weight").getShape()).isEqualTo(new Shape(1, 32));
      assertThat(rmWeights.get("model.embed_tokens.weight").toFloatArray())
          .containsExactly(lmWeights.get("model.embed_tokens.weight").toFloatArray());
      assertThat(rm.score(PROMPT, "hello")).isFinite();
    }
    // the tokenizer was borrowed: still usable after the reward model closed
  }

  @Test
  void truncation_keepsTheEndOrFails() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(10);
        DjlRewardModel keep = DjlRewardModel.of(model, tok).maxLength(12).build();
        DjlRewardModel fail =
            DjlRewardModel.of(model, tok).maxLength(12).truncation(Truncation.FAIL)
                .build();
        DjlRewardModel full = DjlRewardModel.of(model, tok).build()) {
      ScoreRequest request = new ScoreRequest(PROMPT, "a long enough answer");
      long[] all = full.tokenize(request);
      assertThat(keep.tokenize(request))
          .containsExactly(Arrays.copyOfRange(all, all.length - 12, all.length));
      assertThatThrownBy(() -> fail.score(List.of(request, request)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("request 0 renders to " + all.length + " tokens")
          .hasMessageContaining("maxLength 12");
    }
  }

  @Test
  void build_refusesAClassifierWithSeveralLabels() {
    ModelConfig twoLabels = TinyModels.rewardModel(16, 1).toBuilder().numLabels(2).build();
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model =
            SequenceClassifier.randomInit(twoLabels, 1, ModelOptions.cpu())) {
      assertThatThrownBy(() -> DjlRewardModel.of(model, tok).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "a reward model needs num_labels = 1 but LlamaForSequenceClassification has 2");
    }
  }

  @Test
  void close_ofAnOwningModelClosesBothAndIsIdempotent() throws Exception {
    Path saved = dir.resolve("owned");
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model = classifier(11);
        DjlRewardModel rm = DjlRewardModel.of(model, tok).build()) {
      rm.save(saved);
    }
    DjlRewardModel owned = RewardModels.djl(saved).modelOptions(ModelOptions.cpu()).build();
    owned.close();
    owned.close();
    assertThatThrownBy(() -> owned.tokenizer().encode("x", false))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> owned.classifier().parameters())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> owned.score(PROMPT, "x")).isInstanceOf(IllegalStateException.class);
    assertThat(Files.exists(saved.resolve("model.safetensors"))).isTrue();
  }

  @Test
  void score_manyCallsLeaveTheLiveArrayCountUnchanged() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 12, ModelOptions.cpu());
        DjlRewardModel rm = DjlRewardModel.of(model, tok).maxBatchSize(3).build()) {
      List<ScoreRequest> requests = mixedRequests().subList(0, 6); // two batches a call
      rm.score(requests);
      int before = liveArrays();
      for (int i = 0; i < 40; i++) {
        rm.score(requests);
      }
      assertThat(liveArrays()).isEqualTo(before);
    }
  }

  @Test
  void score_givesTheSameScoresFromSeveralThreadsAtOnce() throws Exception {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        SequenceClassifier model =
            SequenceClassifier.randomInit(TinyModels.rewardModel(16, 1), 13, ModelOptions.cpu());
        DjlRewardModel rm = DjlRewardModel.of(model, tok).maxBatchSize(4).build()) {
      List<ScoreRequest> requests = mixedRequests();
      double[] expected = rm.score(requests);
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(3);
      try {
        List<java.util.concurrent.Future<double[]>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          futures.add(pool.submit(() -> rm.score(requests)));
        }
        // exact on purpose: every call scores the same batches (same shapes) on this machine
        for (java.util.concurrent.Future<double[]> f : futures) {
          assertThat(f.get()).containsExactly(expected);
        }
      } finally {
        pool.shutdown();
      }
    }
  }
}
