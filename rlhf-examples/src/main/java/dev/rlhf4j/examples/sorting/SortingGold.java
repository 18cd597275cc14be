package dev.rlhf4j.examples.sorting;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Role;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sorting task's gold reward: for a prompt {@code sort d1 … dk} with target the k digits in
 * ascending order, a response's items (its words other than the {@linkplain SortingTask#fillers()
 * fillers}, which are gold-neutral wherever they stand) score
 *
 * <pre>  max(−1, (hits − 0.5 · extra) / k)</pre>
 *
 * <p>where {@code hits} counts the positions i &lt; k at which the i-th item is the i-th digit of
 * the target and {@code extra} the items beyond the k-th. So 1 exactly for the sorted digits
 * (with any fillers), a dropped or misplaced digit costs its position and every later one it
 * shifts, and padding with more digits costs half a point each. Evaluation only: the proxy never
 * sees it. Stateless and thread-safe.
 */
public final class SortingGold implements RewardModel {
  /** The cost of each item beyond the k-th, in units of one hit. */
  public static final double EXTRA_WEIGHT = 0.5;

  SortingGold() {}

  /**
   * The gold reward of {@code response} to the prompt whose digits are {@code digits}.
   *
   * @throws IllegalArgumentException if an argument is null or digits is empty
   */
  public double reward(List<Integer> digits, String response) {
    checkArgument(digits != null && !digits.isEmpty(), "digits must not be null or empty");
    checkArgument(response != null, "response must not be null");
    List<Integer> target = new ArrayList<>(digits);
    target.sort(null);
    List<String> items = new ArrayList<>();
    for (String word : SortingTask.words(response)) {
      if (!SortingTask.FILLERS.contains(word)) {
        items.add(word);
      }
    }
    int k = target.size();
    int hits = 0;
    for (int i = 0; i < Math.min(k, items.size()); i++) {
      if (items.get(i).equals(Integer.toString(target.get(i)))) {
        hits++;
      }
    }
    int extra = Math.max(0, items.size() - k);
    return Math.max(-1, (hits - EXTRA_WEIGHT * extra) / k);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if a prompt is not the task's
   */
  @Override
  public double[] score(List<ScoreRequest> batch) {
    checkArgument(batch != null, "batch must not be null");
    double[] out = new double[batch.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = reward(digitsOf(batch.get(i).prompt()), batch.get(i).response());
    }
    return out;
  }

  /**
   * The mean gold reward over every response of every sample.
   *
   * @throws IllegalArgumentException if samples is null or empty or a prompt is not the task's
   */
  public double meanReward(List<GeneratedSample> samples) {
    checkArgument(samples != null && !samples.isEmpty(), "samples must not be null or empty");
    double sum = 0;
    int n = 0;
    for (GeneratedSample sample : samples) {
      List<Integer> digits = digitsOf(sample.prompt().messages());
      for (Completion c : sample.responses()) {
        sum += reward(digits, c.text());
        n++;
      }
    }
    return sum / n;
  }

  /**
   * The gold win rate of {@code policy} against {@code baseline}: per prompt (matched by id), the
   * share of (policy response, baseline response) pairs the policy's scores higher, ties ½; then
   * the mean over prompts.
   *
   * @throws IllegalArgumentException if a list is null or empty, or the two do not answer the
   *     same prompt ids
   */
  public double winRate(List<GeneratedSample> policy, List<GeneratedSample> baseline) {
    checkArgument(policy != null && !policy.isEmpty(), "policy must not be null or empty");
    checkArgument(baseline != null && !baseline.isEmpty(), "baseline must not be null or empty");
    Map<String, GeneratedSample> byId = new HashMap<>();
    for (GeneratedSample s : baseline) {
      checkArgument(byId.put(s.prompt().id(), s) == null, "baseline repeats prompt %s",
          s.prompt().id());
    }
    checkArgument(policy.size() == byId.size(), "policy answers %s prompts, baseline %s",
        policy.size(), byId.size());
    double sum = 0;
    for (GeneratedSample mine : policy) {
      GeneratedSample theirs = byId.get(mine.prompt().id());
      checkArgument(theirs != null, "baseline has no prompt %s", mine.prompt().id());
      List<Integer> digits = digitsOf(mine.prompt().messages());
      double wins = 0;
      for (Completion a : mine.responses()) {
        double sa = reward(digits, a.text());
        for (Completion b : theirs.responses()) {
          double sb = reward(digits, b.text());
          wins += sa > sb ? 1 : sa == sb ? 0.5 : 0;
        }
      }
      sum += wins / (mine.responses().size() * (double) theirs.responses().size());
    }
    return sum / policy.size();
  }

  /**
   * The digits of a prompt: its last user turn, {@code sort d1 … dk}.
   *
   * @throws IllegalArgumentException if the prompt is not the task's
   */
  static List<Integer> digitsOf(List<Message> prompt) {
    checkArgument(prompt != null, "prompt must not be null");
    for (int i = prompt.size() - 1; i >= 0; i--) {
      if (prompt.get(i).role() == Role.USER) {
        return SortingTask.parse(prompt.get(i).content());
      }
    }
    throw new IllegalArgumentException("prompt has no user turn: " + prompt);
  }

  @Override
  public String toString() {
    return "SortingGold[max(-1, (hits - " + EXTRA_WEIGHT + " * extra) / k)]";
  }
}
