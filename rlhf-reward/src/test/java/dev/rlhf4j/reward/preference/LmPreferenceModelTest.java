package dev.rlhf4j.reward.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.TinyModels;
import dev.rlhf4j.reward.Truncation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmPreferenceModelTest {
  @TempDir Path dir;

  private static final List<Message> PROMPT = List.of(Message.user("Which is kinder?"));

  private HfTokenizer tokenizer(TinyModels.Variant variant) {
    return HfTokenizer.load(TinyModels.writeTokenizer(dir.resolve(variant.name()), variant));
  }

  private static CausalLm lm(long seed) {
    return CausalLm.randomInit(TinyModels.causalLm(32, 2), seed, ModelOptions.cpu());
  }

  @Test
  void build_findsTheSingleAnswerTokens() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        CausalLm lm = lm(1);
        LmPreferenceModel pm = LmPreferenceModel.of(lm, tok).build()) {
      assertThat(pm.tokenA()).isEqualTo(TinyModels.idOf("A"));
      assertThat(pm.tokenB()).isEqualTo(TinyModels.idOf("B"));
    }
  }

  @Test
  void build_rejectsAnAnswerThatIsNotOneToken() {
    // SentencePiece-style: the reply "A" is "▁A", which this vocabulary splits into "▁" + "A"
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.METASPACE);
        CausalLm lm = lm(1)) {
      long marker = TinyModels.idOf("\u2581");
      long a = TinyModels.idOf("A");
      assertThatThrownBy(() -> LmPreferenceModel.of(lm, tok).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the preference answer \"A\" must encode to exactly one token")
          .hasMessageContaining("2 token(s) [" + marker + ", " + a + "]")
          .hasMessageContaining("'\u2581', 'A'");
    }
  }

  @Test
  void tokenize_rendersTheInstructionThroughTheChatTemplate() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        CausalLm lm = lm(2);
        LmPreferenceModel pm = LmPreferenceModel.of(lm, tok).build()) {
      String expected =
          "<|im_start|>user\n[CONTEXT] Which is kinder? [RESPONSE A] yes [RESPONSE B] no"
              + "<|im_end|>\n<|im_start|>assistant\n";
      assertThat(pm.tokenize(new Comparison(PROMPT, "yes", "no")))
          .containsExactly(tok.encode(expected, false));
    }
  }

  @Test
  void probabilityFirstPreferred_averagesBothOrders() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        CausalLm lm = lm(3);
        LmPreferenceModel pm = LmPreferenceModel.of(lm, tok).maxBatchSize(3).build()) {
      List<Comparison> batch =
          List.of(
              new Comparison(PROMPT, "sure, happy to help", "no"),
              new Comparison(PROMPT, "x", "a much longer answer than the other"),
              new Comparison(PROMPT, "same", "same"));
      double[] averaged = pm.probabilityFirstPreferred(batch);
      double[] forward = pm.probabilityAInOrder(batch);
      double[] backward = pm.probabilityAInOrder(batch.stream().map(Comparison::swapped).toList());
      for (int i = 0; i < batch.size(); i++) {
        assertThat(averaged[i]).isCloseTo(0.5 * (forward[i] + 1 - backward[i]), within(1e-6));
        assertThat(forward[i]).isCloseTo(
            pm.probabilityAInOrder(List.of(batch.get(i)))[0], within(1e-5));
      }
      assertThat(averaged[2]).isCloseTo(0.5, within(1e-6));
      assertThat(forward[0]).isNotCloseTo(0.5, within(1e-4)); // a random LM has an opinion
    }
  }

  @Test
  void truncation_keepsTheEndOrFails() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        CausalLm lm = lm(4);
        LmPreferenceModel full = LmPreferenceModel.of(lm, tok).build();
        LmPreferenceModel keep = LmPreferenceModel.of(lm, tok).maxLength(20).build();
        LmPreferenceModel fail =
            LmPreferenceModel.of(lm, tok).maxLength(20).truncation(Truncation.FAIL)
                .build()) {
      Comparison c = new Comparison(PROMPT, "yes", "no");
      long[] all = full.tokenize(c);
      assertThat(keep.tokenize(c)).hasSize(20).endsWith(all[all.length - 1]);
      assertThatThrownBy(() -> fail.probabilityFirstPreferred(List.of(c)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("comparison 0 renders to " + all.length + " tokens");
      assertThat(keep.probabilityFirstPreferred(List.of(c))[0]).isBetween(0.0, 1.0);
    }
  }

  @Test
  void fromDirectory_ownsAndClosesTheLmAndTokenizer() {
    Path saved = dir.resolve("lm");
    try (CausalLm lm = lm(5)) {
      lm.save(saved);
    }
    TinyModels.writeTokenizer(saved, TinyModels.Variant.DISTINCT_PAD);
    LmPreferenceModel pm =
        LmPreferenceModel.fromDirectory(saved).modelOptions(ModelOptions.cpu()).build();
    double p = pm.probabilityFirstPreferred(PROMPT, "yes", "no");
    assertThat(p).isBetween(0.0, 1.0);
    pm.close();
    pm.close();
    assertThatThrownBy(() -> pm.lm().parameters()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> pm.probabilityFirstPreferred(PROMPT, "yes", "no"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(Files.exists(saved.resolve("model.safetensors"))).isTrue();
  }

  @Test
  void preferenceFormat_writesMultiTurnContextAsRoleLines() {
    List<Message> context =
        List.of(Message.system("Be brief."), Message.user("Hi"), Message.assistant("Hello"),
            Message.user("Bye?"));
    assertThat(PreferenceFormat.instruction(context, "a1", "a2"))
        .isEqualTo(
            "[CONTEXT] system: Be brief.\nuser: Hi\nassistant: Hello\nuser: Bye? [RESPONSE A] a1"
                + " [RESPONSE B] a2");
    assertThat(PreferenceFormat.instruction(PROMPT, "a1", "a2"))
        .isEqualTo("[CONTEXT] Which is kinder? [RESPONSE A] a1 [RESPONSE B] a2");
  }

  @Test
  void probabilityFirstPreferred_manyCallsLeaveTheLiveArrayCountUnchanged() {
    try (HfTokenizer tok = tokenizer(TinyModels.Variant.DISTINCT_PAD);
        CausalLm lm = CausalLm.randomInit(TinyModels.causalLm(16, 1), 6, ModelOptions.cpu());
        LmPreferenceModel pm = LmPreferenceModel.of(lm, tok).maxBatchSize(2).build()) {
      List<Comparison> batch =
          List.of(new Comparison(PROMPT, "yes", "no"), new Comparison(PROMPT, "a", "bb"));
      pm.probabilityFirstPreferred(batch);
      int before = liveArrays();
      for (int i = 0; i < 30; i++) {
        pm.probabilityFirstPreferred(batch);
      }
      assertThat(liveArrays()).isEqualTo(before);
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
}
