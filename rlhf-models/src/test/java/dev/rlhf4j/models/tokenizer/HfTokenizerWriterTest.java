package dev.rlhf4j.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter.Segmentation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerWriterTest {
  private static final List<String> SPECIAL = List.of("<pad>", "<unk>", "<|user|>", "<|end|>");
  private static final List<String> WORDS = List.of("yes", "no", "maybe", "red", "blue", "cat");
  private static final String TEMPLATE =
      "{% for message in messages %}<|{{ message['role'] }}|> {{ message['content'] }} <|end|>"
          + "{% endfor %}";

  @TempDir Path tmp;

  private static List<String> wordVocabulary() {
    List<String> vocabulary = new ArrayList<>(SPECIAL);
    vocabulary.addAll(WORDS);
    return vocabulary;
  }

  private static HfTokenizerWriter.Builder words() {
    return HfTokenizerWriter.builder(Segmentation.WORDS)
        .vocabulary(wordVocabulary())
        .specialTokens(SPECIAL)
        .padToken("<pad>")
        .unkToken("<unk>")
        .eosToken("<|end|>")
        .chatTemplate(TEMPLATE);
  }

  /** Special tokens, then space and the letters a to e, then the merge result "ab". */
  private static HfTokenizerWriter.Builder characters(Segmentation segmentation) {
    List<String> vocabulary = new ArrayList<>(List.of("<unk>", "<s>", "</s>", " ", "\u2581"));
    for (char c = 'a'; c <= 'e'; c++) {
      vocabulary.add(String.valueOf(c));
    }
    vocabulary.add("ab");
    return HfTokenizerWriter.builder(segmentation)
        .vocabulary(vocabulary)
        .specialTokens(List.of("<unk>", "<s>", "</s>"))
        .merges(List.of("a b"))
        .unkToken("<unk>")
        .bosToken("<s>")
        .eosToken("</s>");
  }

  private long id(HfTokenizerWriter writer, String token) {
    return writer.vocabulary().indexOf(token);
  }

  @Test
  void words_encodeToVocabularyIndices_andDecodeJoinedBySpaces() {
    HfTokenizerWriter writer = words().build();
    try (HfTokenizer tokenizer = HfTokenizer.load(writer.write(tmp.resolve("words")))) {
      assertThat(tokenizer.vocabSize()).isEqualTo(SPECIAL.size() + WORDS.size());
      for (int id = 0; id < writer.vocabulary().size(); id++) {
        String token = writer.vocabulary().get(id);
        assertThat(tokenizer.encode(token, false)).as(token).containsExactly(id);
        assertThat(tokenizer.idToToken(id)).hasValue(token);
      }
      long[] ids = tokenizer.encode("<|user|> yes  no\tbanana <|end|>", true);
      assertThat(ids)
          .containsExactly(
              id(writer, "<|user|>"), id(writer, "yes"), id(writer, "no"), id(writer, "<unk>"),
              id(writer, "<|end|>"));
      assertThat(tokenizer.decode(ids)).isEqualTo("yes no");
      assertThat(tokenizer.decodeWithSpecialTokens(ids)).isEqualTo("<|user|> yes no <unk> <|end|>");
      assertThat(tokenizer.specialTokenIds()).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
    }
  }

  @Test
  void words_randomSentences_roundTrip() {
    Random random = new Random(7);
    try (HfTokenizer tokenizer = HfTokenizer.load(words().build().write(tmp.resolve("w")))) {
      for (int trial = 0; trial < 200; trial++) {
        List<String> sentence = new ArrayList<>();
        long[] expected = new long[1 + random.nextInt(8)];
        for (int i = 0; i < expected.length; i++) {
          int word = random.nextInt(WORDS.size());
          sentence.add(WORDS.get(word));
          expected[i] = SPECIAL.size() + word;
        }
        String text = String.join(" ", sentence);
        assertThat(tokenizer.encode(text, true)).as(text).containsExactly(expected);
        assertThat(tokenizer.decode(expected)).isEqualTo(text);
      }
    }
  }

  @Test
  void words_configNamesTheSpecialTokensAndTheChatTemplate() throws IOException {
    Path dir = words().modelMaxLength(32).build().write(tmp.resolve("cfg"));
    try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
      assertThat(tokenizer.eosTokenId()).hasValue(3);
      assertThat(tokenizer.eosTokenIds()).containsExactly(3L);
      assertThat(tokenizer.padTokenId()).hasValue(0);
      assertThat(tokenizer.bosToken()).isEmpty();
      assertThat(tokenizer.specialTokens()).containsEntry("unk_token", "<unk>");
      assertThat(tokenizer.encodeChat(List.of(Message.user("yes")), false))
          .containsExactly(2, 4, 3);
    }
    JsonNode config = new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile());
    assertThat(config.path("model_max_length").asInt()).isEqualTo(32);
    assertThat(config.path("tokenizer_class").asText()).isEqualTo("PreTrainedTokenizerFast");
    assertThat(config.path("clean_up_tokenization_spaces").asBoolean(true)).isFalse();
    assertThat(config.path("chat_template").asText()).isEqualTo(TEMPLATE);
  }

  @Test
  void characters_applyMerges_andDecodeTheExactText() {
    HfTokenizerWriter writer = characters(Segmentation.CHARACTERS).build();
    try (HfTokenizer tokenizer = HfTokenizer.load(writer.write(tmp.resolve("chars")))) {
      long[] ids = tokenizer.encode("abc  d", false);
      assertThat(ids)
          .containsExactly(
              id(writer, "ab"), id(writer, "c"), id(writer, " "), id(writer, " "), id(writer, "d"));
      assertThat(tokenizer.decode(ids)).isEqualTo("abc  d");
      assertThat(tokenizer.encode("</s>ba", false))
          .containsExactly(id(writer, "</s>"), id(writer, "b"), id(writer, "a"));
      // no post-processor: nothing is added even when asked
      assertThat(tokenizer.encode("e", true)).containsExactly(id(writer, "e"));
    }
  }

  @Test
  void addBosToken_putsTheBosFirstOnlyWhenSpecialTokensAreAsked() {
    HfTokenizerWriter writer = characters(Segmentation.CHARACTERS).addBosToken(true).build();
    try (HfTokenizer tokenizer = HfTokenizer.load(writer.write(tmp.resolve("bos")))) {
      assertThat(tokenizer.encode("ce", true))
          .containsExactly(id(writer, "<s>"), id(writer, "c"), id(writer, "e"));
      assertThat(tokenizer.encode("ce", false)).containsExactly(id(writer, "c"), id(writer, "e"));
      assertThat(tokenizer.bosTokenId()).hasValue(id(writer, "<s>"));
    }
  }

  @Test
  void metaspaceCharacters_markWordStarts_andDecodeBackToSpaces() {
    HfTokenizerWriter writer = characters(Segmentation.METASPACE_CHARACTERS).build();
    try (HfTokenizer tokenizer = HfTokenizer.load(writer.write(tmp.resolve("meta")))) {
      String marker = "\u2581";
      long[] ids = tokenizer.encode("ab c", false);
      assertThat(ids)
          .containsExactly(
              id(writer, marker), id(writer, "ab"), id(writer, marker), id(writer, "c"));
      assertThat(tokenizer.decode(ids)).isEqualTo("ab c");
    }
  }

  @Test
  void write_createsTheDirectory_andReplacesEarlierFiles() throws IOException {
    Path dir = tmp.resolve("a/b");
    words().build().write(dir);
    HfTokenizerWriter second = words().chatTemplate("{{ 'x' }}").build();
    assertThat(second.write(dir)).isEqualTo(dir);
    assertThat(Files.readString(dir.resolve("tokenizer.json"))).isEqualTo(second.tokenizerJson());
    assertThat(Files.readString(dir.resolve("tokenizer_config.json")))
        .isEqualTo(second.tokenizerConfigJson());
  }

  @Test
  void toBuilder_keepsEverySetting() {
    HfTokenizerWriter writer = characters(Segmentation.CHARACTERS).addBosToken(true)
        .chatTemplate(TEMPLATE).modelMaxLength(9).build();
    HfTokenizerWriter copy = writer.toBuilder().build();
    assertThat(copy.tokenizerJson()).isEqualTo(writer.tokenizerJson());
    assertThat(copy.tokenizerConfigJson()).isEqualTo(writer.tokenizerConfigJson());
    assertThat(writer.toBuilder().modelMaxLength(10).build().tokenizerConfigJson())
        .contains("10")
        .isNotEqualTo(writer.tokenizerConfigJson());
  }

  @Test
  void vocabulary_duplicateEmptyOrMissing_isRejected() {
    HfTokenizerWriter.Builder builder = HfTokenizerWriter.builder(Segmentation.WORDS);
    assertThatThrownBy(() -> builder.vocabulary(List.of("a", "b", "a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a' twice, at ids 0 and 2");
    assertThatThrownBy(() -> builder.vocabulary(List.of("a", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocabulary[1]");
    assertThatThrownBy(() -> builder.vocabulary(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("vocabulary(...) is required");
    assertThatThrownBy(() -> HfTokenizerWriter.builder(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void specialTokens_outsideTheVocabularyOrTwice_areRejected() {
    assertThatThrownBy(() -> words().specialTokens(List.of("<pad>", "<pad>")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'<pad>' twice");
    assertThatThrownBy(() -> words().specialTokens(List.of("<pad>", "<unk>", "<|end|>", "<s>"))
            .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("special token '<s>' is not in the vocabulary");
  }

  @Test
  void namedTokens_thatAreNotSpecial_areRejected() {
    assertThatThrownBy(() -> words().eosToken("yes").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eos_token 'yes' must be one of the special tokens");
    assertThatThrownBy(() -> words().padToken("<none>").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pad_token '<none>'");
    assertThatThrownBy(() -> words().bosToken(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bos_token must not be null or empty");
    assertThatThrownBy(() -> words().addBosToken(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a bosToken");
  }

  @Test
  void words_withoutUnknownToken_withMergesOrSpacedWords_areRejected() {
    assertThatThrownBy(
            () -> HfTokenizerWriter.builder(Segmentation.WORDS).vocabulary(WORDS).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs an unkToken");
    assertThatThrownBy(() -> words().merges(List.of("y es")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not WORDS");
    List<String> spaced = new ArrayList<>(wordVocabulary());
    spaced.add("thank you");
    assertThatThrownBy(() -> words().vocabulary(spaced).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("word 'thank you' holds white space");
  }

  @Test
  void merges_malformedOrOverMissingTokens_areRejected() {
    assertThatThrownBy(() -> characters(Segmentation.CHARACTERS).merges(List.of("ab")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("merges[0]")
        .hasMessageContaining("'ab'");
    assertThatThrownBy(() -> characters(Segmentation.CHARACTERS).merges(List.of("a  b")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> characters(Segmentation.CHARACTERS).merges(List.of("a c", "x y"))
            .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[ac, x, y, xy]");
  }

  @Test
  void settings_outOfRange_areRejected() {
    assertThatThrownBy(() -> words().modelMaxLength(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("modelMaxLength must be > 0 but was 0");
    assertThatThrownBy(() -> words().chatTemplate(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chatTemplate");
    assertThatThrownBy(() -> words().build().write(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dir");
  }
}
