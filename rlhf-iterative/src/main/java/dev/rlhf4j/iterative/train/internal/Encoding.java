package dev.rlhf4j.iterative.train.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.models.tokenizer.PromptResponseIds;
import java.util.Arrays;
import java.util.List;

/**
 * Turns training examples into token ids with {@link HfTokenizer#encodePromptResponse} (chat
 * template, prompt ids exactly as at generation time, EOS appended to each response) and cuts
 * them to the configured lengths.
 */
public final class Encoding {
  private Encoding() {}

  /**
   * Encodes a preference pair and truncates it as {@code PromptTruncation} documents: the prompt is
   * cut to {@code maxPromptLength} (keeping its end or start) when prompt plus the longer response
   * exceed {@code maxLength}, then each response is cut at its end to the room left.
   *
   * @param index the pair's position in the dataset, for error messages
   * @param vocabSize the policy's vocabulary size; every id must be below it
   * @throws IllegalArgumentException if a response encodes to no token or an id is outside the
   *     vocabulary
   * @throws Rlhf4jException if the two encodings disagree on the prompt ids
   */
  public static TokenizedPair encodePair(
      HfTokenizer tokenizer,
      PreferencePair pair,
      int index,
      int maxLength,
      int maxPromptLength,
      boolean keepPromptEnd,
      int vocabSize) {
    PromptResponseIds chosen = tokenizer.encodePromptResponse(pair.prompt(), pair.chosen(), true);
    PromptResponseIds rejected =
        tokenizer.encodePromptResponse(pair.prompt(), pair.rejected(), true);
    long[] prompt = chosen.promptIds();
    if (!Arrays.equals(prompt, rejected.promptIds())) {
      throw new Rlhf4jException(
          "pair " + index + ": the prompt encodes to different ids before the chosen and the"
              + " rejected response; the chat template must render the prompt the same way");
    }
    long[] chosenResponse = chosen.responseIds();
    long[] rejectedResponse = rejected.responseIds();
    checkArgument(chosenResponse.length > 0, "pair %s: the chosen response has no tokens", index);
    checkArgument(
        rejectedResponse.length > 0, "pair %s: the rejected response has no tokens", index);
    checkArgument(prompt.length > 0, "pair %s: the prompt has no tokens", index);
    TokenizedPair result =
        truncate(prompt, chosenResponse, rejectedResponse, maxLength, maxPromptLength,
            keepPromptEnd);
    checkVocabulary(result.chosen(), "pair", index, vocabSize);
    checkVocabulary(result.rejected(), "pair", index, vocabSize);
    return result;
  }

  /**
   * Encodes a prompt and its response for supervised fine-tuning and keeps the first {@code
   * maxLength} ids (as TRL's SFT trainer truncates).
   *
   * @param index the example's position in the dataset, for error messages
   * @throws IllegalArgumentException if no response token fits in {@code maxLength} or an id is
   *     outside the vocabulary
   */
  public static TokenizedSequence encodeSft(
      HfTokenizer tokenizer,
      List<Message> prompt,
      String response,
      int index,
      int maxLength,
      int vocabSize) {
    PromptResponseIds ids = tokenizer.encodePromptResponse(prompt, response, true);
    checkArgument(ids.responseStart() > 0, "example %s: the prompt has no tokens", index);
    checkArgument(ids.responseLength() > 0, "example %s: the response has no tokens", index);
    checkArgument(
        ids.responseStart() < maxLength,
        "example %s: its prompt has %s tokens, so no response token fits in maxLength %s;"
            + " raise maxLength or shorten the prompt",
        index,
        ids.responseStart(),
        maxLength);
    long[] all = ids.ids();
    TokenizedSequence sequence =
        new TokenizedSequence(
            all.length > maxLength ? Arrays.copyOf(all, maxLength) : all, ids.responseStart());
    checkVocabulary(sequence, "example", index, vocabSize);
    return sequence;
  }

  /**
   * The truncation rule of {@code PromptTruncation} on token ids: when the prompt plus the longer
   * response exceed {@code maxLength}, the prompt keeps its last (or first) {@code
   * maxPromptLength} ids; each response then keeps its first {@code maxLength − promptLength}.
   *
   * @param prompt the prompt ids, at least one
   * @param chosenResponse the chosen response ids, at least one
   * @param rejectedResponse the rejected response ids, at least one
   * @param maxPromptLength in [1, maxLength)
   */
  public static TokenizedPair truncate(
      long[] prompt,
      long[] chosenResponse,
      long[] rejectedResponse,
      int maxLength,
      int maxPromptLength,
      boolean keepPromptEnd) {
    checkArgument(
        maxPromptLength >= 1 && maxPromptLength < maxLength,
        "maxPromptLength must be in [1, %s) but was %s",
        maxLength,
        maxPromptLength);
    long[] kept = prompt;
    int longer = Math.max(chosenResponse.length, rejectedResponse.length);
    if (prompt.length + longer > maxLength && prompt.length > maxPromptLength) {
      kept =
          keepPromptEnd
              ? Arrays.copyOfRange(prompt, prompt.length - maxPromptLength, prompt.length)
              : Arrays.copyOf(prompt, maxPromptLength);
    }
    int room = maxLength - kept.length;
    return new TokenizedPair(join(kept, chosenResponse, room), join(kept, rejectedResponse, room));
  }

  private static TokenizedSequence join(long[] prompt, long[] response, int room) {
    int kept = Math.min(response.length, room);
    long[] ids = Arrays.copyOf(prompt, prompt.length + kept);
    System.arraycopy(response, 0, ids, prompt.length, kept);
    return new TokenizedSequence(ids, prompt.length);
  }

  private static void checkVocabulary(
      TokenizedSequence sequence, String what, int index, int vocabSize) {
    long max = sequence.maxId();
    checkArgument(
        max < vocabSize,
        "%s %s: token id %s is outside the policy's vocabulary of %s ids; the tokenizer does not"
            + " belong to the model",
        what,
        index,
        max,
        vocabSize);
  }
}
