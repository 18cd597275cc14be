package dev.rlhf4j.reward.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files of an export, and scoring text through a tokenizer. */
class OnnxExportTest {
  private static final List<String> WORDS =
      List.of("user", "assistant", "hi", "hello", "there", "how", "are", "you", "good", "bad",
          "fine", "thanks", "?", "!", ".");

  @TempDir Path dir;

  @Test
  void export_writesWeightsAsAlignedExternalData_andTheConfig() throws IOException {
    ModelConfig config = TinyClassifiers.llama();
    try (SequenceClassifier model = TinyClassifiers.random(config, 3)) {
      Path modelFile = OnnxExport.export(model, dir.resolve("out"));
      Path data = dir.resolve("out").resolve(OnnxExport.DATA_FILE);
      assertThat(modelFile).isEqualTo(dir.resolve("out").resolve(OnnxExport.MODEL_FILE));
      long weightBytes = model.numParameters() * 4;
      // the graph holds names and small constants only; every weight is in the data file,
      // each starting on a 4096-byte boundary (so at most one page of padding per tensor)
      assertThat(Files.size(modelFile)).isLessThan(weightBytes / 4);
      assertThat(Files.size(data))
          .isGreaterThanOrEqualTo(weightBytes)
          .isLessThan(weightBytes + 4096L * (model.parameters().size() + 1));
      assertThat(ModelConfig.read(dir.resolve("out").resolve(OnnxExport.CONFIG_FILE)))
          .isEqualTo(config);
    }
  }

  @Test
  void export_rejectsAFileAsDirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    try (SequenceClassifier model = TinyClassifiers.random(TinyClassifiers.gpt2(), 3)) {
      assertThatThrownBy(() -> OnnxExport.export(model, file))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not a directory");
    }
  }

  @Test
  void score_rendersEachRequestWithTheChatTemplate_andScoresItsIds() throws IOException {
    ModelConfig config = TinyClassifiers.qwen2();
    writeTokenizer(dir);
    try (SequenceClassifier djl = TinyClassifiers.random(config, 9)) {
      OnnxExport.export(djl, dir);
    }
    List<ScoreRequest> requests =
        List.of(
            new ScoreRequest(List.of(Message.user("hi there")), "hello ! how are you ?"),
            new ScoreRequest(List.of(Message.user("how are you ?")), "fine thanks"),
            new ScoreRequest(List.of(Message.user("hi")), "bad"));
    try (HfTokenizer tokenizer = HfTokenizer.load(dir);
        OnnxRewardModel model =
            OnnxRewardModel.builder(dir).tokenizer(tokenizer).paddingSide(PaddingSide.LEFT)
                .build()) {
      assertThat(model.padTokenId()).isEqualTo(tokenizer.padTokenId().getAsLong());
      List<long[]> ids = new ArrayList<>();
      for (ScoreRequest r : requests) {
        ids.add(tokenizer.encodePromptResponse(r.prompt(), r.response(), false).ids());
      }
      double[] rewards = model.score(requests);
      assertThat(rewards).containsExactly(model.scoreIds(ids));
      assertThat(rewards[0]).isNotEqualTo(rewards[1]);
      // alone, the request is not padded: the same reward up to float32 rounding
      assertThat(model.score(requests.get(2).prompt(), requests.get(2).response()))
          .isCloseTo(rewards[2], within(1e-5 * Math.abs(rewards[2])));
    }
  }

  /** A word-level tokenizer with ChatML markers and a ChatML template. */
  private static void writeTokenizer(Path dir) {
    List<String> special = List.of("<pad>", "<unk>", "<|im_start|>", "<|im_end|>");
    List<String> vocabulary = new ArrayList<>(special);
    vocabulary.addAll(WORDS);
    HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.WORDS)
        .vocabulary(vocabulary)
        .specialTokens(special)
        .padToken("<pad>")
        .eosToken("<|im_end|>")
        .unkToken("<unk>")
        .chatTemplate(
            "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
                + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
        .build()
        .write(dir);
  }
}
