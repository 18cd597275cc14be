package dev.rlhf4j.api.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.api.DataFormatException;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.data.ConversationPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlBadInputTest {
  private static final String MESSAGES =
      "[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]";
  private static final String OTHER =
      "[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"b\"}]";
  private static final String GOOD_PAIR =
      "{\"chosen\":" + MESSAGES + ",\"rejected\":" + OTHER + "}";
  private static final String GENERATED =
      "\"prompt\":[{\"role\":\"user\",\"content\":\"q\"}],\"responses\":[\"a\",\"b\",\"c\"]";

  @TempDir Path dir;

  private Path file(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n", UTF_8);
    return file;
  }

  private <T> DataFormatException error(JsonlFormat<T> format, String line) throws IOException {
    Path file = file("pairs.jsonl", "", line);
    try (Stream<T> records = Jsonl.stream(file, format)) {
      assertThatThrownBy(records::count).isInstanceOf(DataFormatException.class);
    }
    try {
      Jsonl.readAll(file, format);
    } catch (DataFormatException e) {
      return e;
    }
    throw new AssertionError("no DataFormatException for " + line);
  }

  private String pairError(String line) throws IOException {
    return error(JsonlFormats.conversationPairs(), line).getMessage();
  }

  @Test
  void wrongType_namesFileLineFieldAndTypes() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 411; i++) {
      lines.add(GOOD_PAIR);
    }
    lines.add("{\"chosen\":\"hello\",\"rejected\":" + OTHER + "}");
    Path file = file("pairs.jsonl", lines.toArray(String[]::new));

    assertThatThrownBy(() -> Jsonl.readAll(file, JsonlFormats.conversationPairs()))
        .isInstanceOfSatisfying(
            DataFormatException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo("pairs.jsonl:412: 'chosen' must be a list of messages, got a string");
              assertThat(e.file()).contains(file);
              assertThat(e.line()).isEqualTo(412);
              assertThat(e.field()).contains("chosen");
            });
  }

  @Test
  void missingField() throws IOException {
    assertThat(pairError("{\"chosen\":" + MESSAGES + "}"))
        .isEqualTo("pairs.jsonl:2: 'rejected' is missing; expected a list of messages");
    assertThat(pairError("{\"chosen\":" + MESSAGES + ",\"rejected\":[{\"role\":\"user\"}]}"))
        .isEqualTo("pairs.jsonl:2: 'rejected[0].content' is missing; expected a string");
  }

  @Test
  void nullField() throws IOException {
    assertThat(pairError("{\"chosen\":null,\"rejected\":" + OTHER + "}"))
        .isEqualTo("pairs.jsonl:2: 'chosen' must be a list of messages, got null");
  }

  @Test
  void messageNotAnObject() throws IOException {
    assertThat(pairError("{\"chosen\":[\"q\",\"a\"],\"rejected\":" + OTHER + "}"))
        .isEqualTo(
            "pairs.jsonl:2: 'chosen[0]' must be a message {\"role\": ..., \"content\": ...},"
                + " got a string");
  }

  @Test
  void badRole_listsAllowedRoles() throws IOException {
    assertThat(
            pairError(
                "{\"chosen\":[{\"role\":\"user\",\"content\":\"q\"},"
                    + "{\"role\":\"human\",\"content\":\"a\"}],\"rejected\":" + OTHER + "}"))
        .isEqualTo(
            "pairs.jsonl:2: 'chosen[1].role' must be one of system, user, assistant,"
                + " got \"human\"");
    assertThat(pairError("{\"chosen\":[{\"role\":1,\"content\":\"q\"}],\"rejected\":" + OTHER + "}"))
        .isEqualTo(
            "pairs.jsonl:2: 'chosen[0].role' must be one of system, user, assistant, got a number");
  }

  @Test
  void emptyConversation() throws IOException {
    assertThat(pairError("{\"chosen\":[],\"rejected\":" + OTHER + "}"))
        .isEqualTo("pairs.jsonl:2: 'chosen' must hold at least one message, got an empty list");
  }

  @Test
  void invalidJson_saysSoWithColumn() throws IOException {
    DataFormatException e = error(JsonlFormats.conversationPairs(), "{\"chosen\": [}");

    assertThat(e.getMessage())
        .startsWith("pairs.jsonl:2: invalid JSON at column 13: Unexpected close marker '}'");
    assertThat(e.field()).isEmpty();
    assertThat(e.getCause()).isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
  }

  @Test
  void trailingTokens_areInvalidJson() throws IOException {
    assertThat(pairError(GOOD_PAIR + " {}"))
        .startsWith("pairs.jsonl:2: invalid JSON at column ")
        .contains("Trailing token");
  }

  @Test
  void lineNotAnObject() throws IOException {
    assertThat(pairError("[" + GOOD_PAIR + "]"))
        .isEqualTo("pairs.jsonl:2: line must be a JSON object (a preference pair), got a list");
  }

  @Test
  void mismatchedSharedTurns_failAsPreferencePairs() throws IOException {
    String line =
        "{\"chosen\":" + MESSAGES + ",\"rejected\":"
            + OTHER.replace("\"q\"", "\"Q\"") + "}";

    assertThat(error(JsonlFormats.preferencePairs(""), line).getMessage())
        .isEqualTo(
            "pairs.jsonl:2: 'rejected[0].content' must equal 'chosen[0].content' (both"
                + " conversations share every turn but the last), but they first differ at"
                + " character 0");
    assertThat(error(JsonlFormats.preferencePairs(""), "{\"chosen\":" + MESSAGES
            + ",\"rejected\":[{\"role\":\"user\",\"content\":\"q\"}]}").getMessage())
        .isEqualTo(
            "pairs.jsonl:2: 'rejected[0].role' must be assistant (the last turn is the response),"
                + " got user");
  }

  @Test
  void nonFiniteNumbers() throws IOException {
    assertThat(pairError(GOOD_PAIR.replace("}", ",\"chosen_score\":NaN}")))
        .isEqualTo("pairs.jsonl:2: 'chosen_score' must be a finite number, got NaN");
    assertThat(pairError(GOOD_PAIR.replace("}", ",\"rejected_score\":1e400}")))
        .isEqualTo("pairs.jsonl:2: 'rejected_score' must be a finite number, got Infinity");
    assertThat(pairError(GOOD_PAIR.replace("}", ",\"rejected_score\":\"1.5\"}")))
        .isEqualTo("pairs.jsonl:2: 'rejected_score' must be a finite number, got a string");
    assertThat(
            error(JsonlFormats.annotatedSamples(), "{" + GENERATED + ",\"rewards\":[1,-Infinity,2]}")
                .getMessage())
        .isEqualTo("pairs.jsonl:2: 'rewards[1]' must be a finite number, got -Infinity");
  }

  @Test
  void rewardsAndResponsesSizeMismatch() throws IOException {
    assertThat(
            error(JsonlFormats.annotatedSamples(), "{" + GENERATED + ",\"rewards\":[1,2]}")
                .getMessage())
        .isEqualTo("pairs.jsonl:2: 'rewards' must have one entry per response (3), got 2");
    assertThat(
            error(JsonlFormats.generatedSamples(), "{" + GENERATED + ",\"token_counts\":[1]}")
                .getMessage())
        .isEqualTo("pairs.jsonl:2: 'token_counts' must have one entry per response (3), got 1");
    assertThat(error(JsonlFormats.annotatedSamples(), "{" + GENERATED + "}").getMessage())
        .isEqualTo("pairs.jsonl:2: 'rewards' is missing; expected a list of numbers");
  }

  @Test
  void generatedFieldValues() throws IOException {
    assertThat(
            error(
                    JsonlFormats.generatedSamples(),
                    "{" + GENERATED + ",\"finish_reasons\":[\"stop\",\"eos\",\"length\"]}")
                .getMessage())
        .isEqualTo("pairs.jsonl:2: 'finish_reasons[1]' must be one of stop, length, got \"eos\"");
    assertThat(
            error(JsonlFormats.generatedSamples(), "{" + GENERATED + ",\"token_counts\":[1,-2,3]}")
                .getMessage())
        .isEqualTo("pairs.jsonl:2: 'token_counts[1]' must be an integer in [0, 2147483647], got -2");
    assertThat(
            error(
                    JsonlFormats.generatedSamples(),
                    "{\"prompt\":[{\"role\":\"user\",\"content\":\"q\"}],\"responses\":[]}")
                .getMessage())
        .isEqualTo("pairs.jsonl:2: 'responses' must hold at least one response, got an empty list");
    assertThat(
            error(JsonlFormats.generatedSamples(), "{\"prompt\":" + MESSAGES + ",\"responses\":[\"a\"]}")
                .getMessage())
        .isEqualTo(
            "pairs.jsonl:2: 'prompt[1].role' must be user (a prompt ends with the turn a response"
                + " answers), got assistant");
    assertThat(error(JsonlFormats.generatedSamples(), "{" + GENERATED + ",\"id\":\" \"}").getMessage())
        .isEqualTo("pairs.jsonl:2: 'id' must not be blank, got \" \"");
  }

  @Test
  void promptAndRewardBenchFields() throws IOException {
    assertThat(error(JsonlFormats.prompts(), "{\"id\":\"x\"}").getMessage())
        .isEqualTo("pairs.jsonl:2: 'context_messages' is missing; expected a list of messages");
    assertThat(
            error(JsonlFormats.prompts(), "{\"id\":[1],\"context_messages\":" + MESSAGES + "}")
                .getMessage())
        .isEqualTo(
            "pairs.jsonl:2: 'context_messages[1].role' must be user (a prompt ends with the turn a"
                + " response answers), got assistant");
    assertThat(
            error(
                    JsonlFormats.rewardBenchItems(),
                    "{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":2,\"subset\":\"s\"}")
                .getMessage())
        .isEqualTo("pairs.jsonl:2: 'rejected' must be a string, got a number");
    assertThat(
            error(
                    JsonlFormats.rewardBenchItems(),
                    "{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\",\"subset\":\"\"}")
                .getMessage())
        .isEqualTo("pairs.jsonl:2: 'subset' must not be blank, got \"\"");
  }

  @Test
  void unpairedSurrogate_isRejectedOnRead() throws IOException {
    assertThat(pairError(GOOD_PAIR.replace("\"a\"", "\"a\\ud800b\"")))
        .isEqualTo(
            "pairs.jsonl:2: 'chosen[1].content' must be valid Unicode text, got an unpaired"
                + " surrogate U+D800 at character 1");
  }

  @Test
  void invalidUtf8_namesItsLine() throws IOException {
    Path file = dir.resolve("bytes.jsonl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write((GOOD_PAIR + "\n").getBytes(UTF_8));
    bytes.write(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
    bytes.write((GOOD_PAIR + "\n").getBytes(UTF_8));
    Files.write(file, bytes.toByteArray());

    assertThatThrownBy(() -> Jsonl.readAll(file, JsonlFormats.conversationPairs()))
        .isInstanceOf(DataFormatException.class)
        .hasMessage("bytes.jsonl:2: line is not valid UTF-8; save the file as UTF-8")
        .hasCauseInstanceOf(java.nio.charset.CharacterCodingException.class);
  }

  @Test
  void skipBadLines_countsAndKeepsFirstErrors() throws IOException {
    Path file =
        file(
            "pairs.jsonl",
            GOOD_PAIR,
            "{\"chosen\":\"x\",\"rejected\":" + OTHER + "}",
            "",
            "not json",
            GOOD_PAIR,
            "{\"chosen\":" + MESSAGES + "}",
            GOOD_PAIR);

    List<ConversationPair> read = new ArrayList<>();
    try (JsonlReader<ConversationPair> reader =
        Jsonl.reader(file, JsonlFormats.conversationPairs(), new ReadOptions(true, 2))) {
      reader.forEachRemaining(read::add);

      assertThat(read).hasSize(3);
      assertThat(reader.skippedLines()).isEqualTo(3);
      assertThat(reader.linesRead()).isEqualTo(7);
      assertThat(reader.recordsRead()).isEqualTo(3);
      assertThat(reader.skippedErrors())
          .extracting(Throwable::getMessage)
          .satisfiesExactly(
              first ->
                  assertThat(first)
                      .isEqualTo("pairs.jsonl:2: 'chosen' must be a list of messages, got a string"),
              second ->
                  assertThat(second)
                      .startsWith("pairs.jsonl:4: invalid JSON at column 4: Unrecognized token 'not'"));
    }
  }

  @Test
  void skipBadLines_alsoSkipsInvalidUtf8() throws IOException {
    Path file = dir.resolve("bytes.jsonl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(new byte[] {(byte) 0xFF, '\n'});
    bytes.write((GOOD_PAIR + "\n").getBytes(UTF_8));
    Files.write(file, bytes.toByteArray());

    try (JsonlReader<ConversationPair> reader =
        Jsonl.reader(file, JsonlFormats.conversationPairs(), ReadOptions.skippingBadLines())) {
      assertThat(reader.stream().count()).isEqualTo(1);
      assertThat(reader.skippedLines()).isEqualTo(1);
    }
  }

  @Test
  void strictReader_closesOnBadLineAndStaysEmpty() throws IOException {
    Path file = file("pairs.jsonl", "oops", GOOD_PAIR);
    JsonlReader<ConversationPair> reader = Jsonl.reader(file, JsonlFormats.conversationPairs());

    assertThatThrownBy(reader::hasNext).isInstanceOf(DataFormatException.class);
    assertThat(reader.hasNext()).isFalse();
    reader.close();
  }

  @Test
  void missingFile() {
    Path file = dir.resolve("absent.jsonl");

    assertThatThrownBy(() -> Jsonl.readAll(file, JsonlFormats.prompts()))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessage("cannot read " + file + ": no such file");
  }

  @Test
  void readOptions_validate() {
    assertThatThrownBy(() -> new ReadOptions(true, -1))
        .hasMessage("keptErrors must be in [0, 1000] but was -1");
  }

  /** A valid pair line of exactly {@code bytes} UTF-8 bytes. */
  private static String pairOfLength(int bytes) {
    String head = "{\"chosen\":" + MESSAGES + ",\"rejected\":[{\"role\":\"user\",\"content\":"
        + "\"q\"},{\"role\":\"assistant\",\"content\":\"";
    String tail = "\"}]}";
    return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
  }

  @Test
  void lineLongerThanTheLimit_isABadLineNamedByFileAndLine() throws IOException {
    Path file = file("pairs.jsonl", GOOD_PAIR, pairOfLength(5000), GOOD_PAIR);
    ReadOptions options = ReadOptions.strict().withMaxLineBytes(1000);
    try (JsonlReader<ConversationPair> reader =
        Jsonl.reader(file, JsonlFormats.conversationPairs(), options)) {
      assertThat(reader.next()).isNotNull();
      assertThatThrownBy(reader::next)
          .isInstanceOf(DataFormatException.class)
          .hasMessage("pairs.jsonl:2: line is longer than the limit of 1000 bytes"
              + " (ReadOptions.maxLineBytes); raise the limit if such lines are intended");
    }
    // skipped like any bad line: the line after it is read
    try (JsonlReader<ConversationPair> reader =
        Jsonl.reader(file, JsonlFormats.conversationPairs(),
            new ReadOptions(true, 2, 1000))) {
      assertThat(reader.stream().count()).isEqualTo(2);
      assertThat(reader.skippedLines()).isEqualTo(1);
    }
    // a line of exactly the limit is fine
    Path exact = file("exact.jsonl", pairOfLength(1000));
    try (JsonlReader<ConversationPair> reader =
        Jsonl.reader(exact, JsonlFormats.conversationPairs(),
            ReadOptions.strict().withMaxLineBytes(1000))) {
      assertThat(reader.stream().count()).isEqualTo(1);
    }
    assertThat(ReadOptions.strict().maxLineBytes()).isEqualTo(64 << 20);
  }

  @Test
  void crOnlyLineBreaks_areNamedAsSuch() throws IOException {
    Path file = dir.resolve("mac.jsonl");
    Files.writeString(file, GOOD_PAIR + "\r" + GOOD_PAIR + "\r", UTF_8);
    assertThatThrownBy(() -> Jsonl.readAll(file, JsonlFormats.conversationPairs()))
        .isInstanceOf(DataFormatException.class)
        .hasMessageStartingWith("mac.jsonl:1: carriage return without a line feed at byte "
            + (GOOD_PAIR.length() + 1) + ": the file has old Mac OS (CR-only) line breaks")
        .hasMessageContaining("tr '\\r' '\\n'");
    // also when the CR is the last byte of a read chunk (64 KiB)
    Files.writeString(file, pairOfLength(65535) + "\r" + GOOD_PAIR + "\r", UTF_8);
    assertThatThrownBy(() -> Jsonl.readAll(file, JsonlFormats.conversationPairs()))
        .hasMessageStartingWith("mac.jsonl:1: carriage return without a line feed at byte 65536");
  }

  @Test
  void crlfLineBreaks_areRead_alsoAcrossAChunkBoundary() throws IOException {
    Path file = dir.resolve("dos.jsonl");
    Files.writeString(file, pairOfLength(65535) + "\r\n" + GOOD_PAIR + "\r\n", UTF_8);
    assertThat(Jsonl.readAll(file, JsonlFormats.conversationPairs())).hasSize(2);
  }

  @Test
  void readOptions_checkTheLineLimit() {
    assertThatThrownBy(() -> ReadOptions.strict().withMaxLineBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLineBytes must be in [1, 2147483639] but was 0");
  }
}
