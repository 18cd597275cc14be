package dev.rlhf4j.spark.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.JsonlFormat;
import dev.rlhf4j.api.io.JsonlFormats;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The form in which records travel between the driver and executors: one JSON object per record
 * in rlhf4j's hand-off formats (lossless for every field those records hold), inside small
 * {@link Serializable} holders. Records of rlhf-api are not {@code Serializable}, and the JSON
 * form keeps the wire independent of Java serialisation's versioning.
 */
public final class Wire {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Wire() {}

  /** A block of items of one call, with its index in the call. */
  public record Block(int index, List<String> items) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Block {
      items = List.copyOf(items);
    }
  }

  /** The scores of one block. */
  public record Scores(int index, double[] values) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** {@link SamplingParams}, serialisable. */
  public record Params(
      double temperature, int topK, double topP, double minP, int maxNewTokens,
      List<String> stopStrings, long seed) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Params {
      stopStrings = List.copyOf(stopStrings);
    }

    /** The wire form of {@code p}. */
    public static Params of(SamplingParams p) {
      return new Params(p.temperature(), p.topK(), p.topP(), p.minP(), p.maxNewTokens(),
          p.stopStrings(), p.seed());
    }

    /** The parameters back. */
    public SamplingParams toParams() {
      return new SamplingParams(temperature, topK, topP, minP, maxNewTokens, stopStrings, seed);
    }
  }

  /** One record as a JSON line. */
  public static <T> String encode(JsonlFormat<T> format, T value) {
    return format.encode(value).toString();
  }

  /**
   * One JSON line as a record.
   *
   * @param where names the line in errors, e.g. {@code "hdfs://x/prompts.jsonl:12"}
   * @throws Rlhf4jException naming {@code where} if the line is not a JSON object or the format refuses it
   */
  public static <T> T decode(JsonlFormat<T> format, String line, String where) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new Rlhf4jException(
          where + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new Rlhf4jException(where + ": expected a JSON object, got " + node.getNodeType());
    }
    try {
      return format.decode(object);
    } catch (RuntimeException e) {
      throw new Rlhf4jException(where + ": " + e.getMessage(), e);
    }
  }

  /** Score requests as generated samples of one response each (prompt id = position). */
  public static List<String> encodeRequests(List<ScoreRequest> requests, int offset) {
    List<String> out = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      ScoreRequest r = requests.get(i);
      out.add(encode(JsonlFormats.generatedSamples(), new GeneratedSample(
          new Prompt(Integer.toString(offset + i), r.prompt()),
          List.of(new Completion(r.response(), 0, FinishReason.STOP)))));
    }
    return out;
  }

  /** The requests {@link #encodeRequests} wrote. */
  public static List<ScoreRequest> decodeRequests(List<String> items) {
    List<ScoreRequest> out = new ArrayList<>(items.size());
    for (String item : items) {
      GeneratedSample s = decode(JsonlFormats.generatedSamples(), item, "score request");
      out.add(new ScoreRequest(s.prompt().messages(), s.responses().get(0).text()));
    }
    return out;
  }

  /** Comparisons as generated samples of two responses each, first then second. */
  public static List<String> encodeComparisons(List<Comparison> comparisons, int offset) {
    List<String> out = new ArrayList<>(comparisons.size());
    for (int i = 0; i < comparisons.size(); i++) {
      Comparison c = comparisons.get(i);
      out.add(encode(JsonlFormats.generatedSamples(), new GeneratedSample(
          new Prompt(Integer.toString(offset + i), c.prompt()),
          List.of(new Completion(c.first(), 0, FinishReason.STOP),
              new Completion(c.second(), 0, FinishReason.STOP)))));
    }
    return out;
  }

  /** The comparisons {@link #encodeComparisons} wrote. */
  public static List<Comparison> decodeComparisons(List<String> items) {
    List<Comparison> out = new ArrayList<>(items.size());
    for (String item : items) {
      GeneratedSample s = decode(JsonlFormats.generatedSamples(), item, "comparison");
      out.add(new Comparison(s.prompt().messages(), s.responses().get(0).text(),
          s.responses().get(1).text()));
    }
    return out;
  }
}
