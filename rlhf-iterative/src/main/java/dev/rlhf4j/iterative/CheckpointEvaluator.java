package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.LengthUnit;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.Comparison;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.tokenizer.HfTokenizer;
import dev.rlhf4j.reward.eval.LengthControlledWinRate;
import dev.rlhf4j.sampling.generate.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates any saved policy (a Hugging Face model directory: an SFT model, an offline-DPO model,
 * an iteration's checkpoint) against a baseline policy under any judge: a {@link RewardModel}
 * (e.g. a gold reward) or a {@link PreferenceModel}. Both policies sample {@code n} responses per
 * prompt with the same {@link SamplingParams} (so the same seeds), and every policy response is
 * compared with every baseline response to the same prompt; unlike the loop's built-in {@link
 * Evaluators}, which read only the first response of each sample.
 *
 * <pre>{@code
 * CheckpointEvaluator evaluator =
 *     CheckpointEvaluator.builder(heldOutPrompts, SamplingParams.builder().seed(7).build())
 *         .samplesPerPrompt(4)
 *         .build();
 * CheckpointEvaluation e = evaluator.evaluate(offlineDpoDir, sftDir, goldReward);
 * System.out.printf("win %.3f  LC win %.3f  length %.1f%n",
 *     e.winRate(), e.lengthControlledWinRate(), e.meanLength());
 * }</pre>
 *
 * <p>Judges are called, never closed. Immutable; each call loads and closes its own models, so
 * calls from several threads are safe when the judge is.
 */
public final class CheckpointEvaluator {
  private final List<Prompt> prompts;
  private final SamplingParams sampling;
  private final int samplesPerPrompt;
  private final LengthUnit unit;
  private final int maxBatchRows;
  private final LengthControlledWinRate lc;

  private CheckpointEvaluator(Builder b) {
    this.prompts = b.prompts;
    this.sampling = b.sampling;
    this.samplesPerPrompt = b.samplesPerPrompt;
    this.unit = b.unit;
    this.maxBatchRows = b.maxBatchRows;
    this.lc = LengthControlledWinRate.defaults();
  }

  /**
   * A builder evaluating on {@code prompts}, sampled with {@code sampling}.
   *
   * @throws IllegalArgumentException if prompts is null or empty, holds null or a repeated id, or
   *     sampling is null
   */
  public static Builder builder(List<Prompt> prompts, SamplingParams sampling) {
    checkArgument(prompts != null && !prompts.isEmpty(), "prompts must not be null or empty");
    checkArgument(sampling != null, "sampling must not be null");
    List<Prompt> copy = List.copyOf(prompts);
    checkArgument(
        copy.stream().map(Prompt::id).distinct().count() == copy.size(),
        "prompts must have distinct ids");
    return new Builder(copy, sampling);
  }

  /** How many responses each policy samples per prompt. */
  public int samplesPerPrompt() {
    return samplesPerPrompt;
  }

  /**
   * Samples {@code samplesPerPrompt} responses per prompt from the policy saved in {@code
   * directory} (model and tokenizer), loaded frozen and closed before returning.
   *
   * @throws IllegalArgumentException if directory is null or not a directory
   */
  public List<GeneratedSample> sample(Path directory) {
    checkArgument(
        directory != null && Files.isDirectory(directory),
        "directory must be an existing model directory but was %s",
        directory);
    try (CausalLm model = CausalLm.loadFrozen(directory);
        HfTokenizer tokenizer = HfTokenizer.load(directory)) {
      return Generator.builder(model, tokenizer)
          .maxBatchRows(maxBatchRows)
          .build()
          .sample(prompts, samplesPerPrompt, sampling);
    }
  }

  /**
   * Samples both policies and compares them under {@code judge}: the higher reward wins, equal
   * rewards tie.
   *
   * @throws IllegalArgumentException if a directory is not one or judge is null
   */
  public CheckpointEvaluation evaluate(Path policy, Path baseline, RewardModel judge) {
    checkArgument(judge != null, "judge must not be null");
    return compare(sample(policy), sample(baseline), judge);
  }

  /**
   * Samples both policies and compares them under {@code judge}: a comparison is won when the
   * judge gives P(policy's response ≻ baseline's) above ½, tied at exactly ½.
   *
   * @throws IllegalArgumentException if a directory is not one or judge is null
   */
  public CheckpointEvaluation evaluate(Path policy, Path baseline, PreferenceModel judge) {
    checkArgument(judge != null, "judge must not be null");
    return compare(sample(policy), sample(baseline), judge);
  }

  /**
   * Compares samples already drawn, every policy response against every baseline response to the
   * same prompt (by id), under a reward model.
   *
   * @throws IllegalArgumentException if an argument is null, a list is empty, or the lists do not
   *     answer the same prompt ids
   */
  public CheckpointEvaluation compare(
      List<GeneratedSample> policy, List<GeneratedSample> baseline, RewardModel judge) {
    checkArgument(judge != null, "judge must not be null");
    List<LengthControlledWinRate.Comparison> comparisons =
        LengthControlledWinRate.compare(judge, policy, baseline, unit);
    return result(policy, baseline, comparisons);
  }

  /**
   * Compares samples already drawn under a preference model, as {@link #evaluate(Path, Path,
   * PreferenceModel)} does.
   *
   * @throws IllegalArgumentException as {@link #compare(List, List, RewardModel)}
   * @throws Rlhf4jException if the judge returns the wrong number of probabilities
   */
  public CheckpointEvaluation compare(
      List<GeneratedSample> policy, List<GeneratedSample> baseline, PreferenceModel judge) {
    checkArgument(judge != null, "judge must not be null");
    Map<String, GeneratedSample> theirs = matched(policy, baseline);
    List<Comparison> batch = new ArrayList<>();
    List<double[]> lengths = new ArrayList<>();
    for (GeneratedSample mine : policy) {
      GeneratedSample other = theirs.get(mine.prompt().id());
      for (Completion a : mine.responses()) {
        for (Completion b : other.responses()) {
          batch.add(new Comparison(mine.prompt().messages(), a.text(), b.text()));
          lengths.add(new double[] {unit.measure(a), unit.measure(b)});
        }
      }
    }
    double[] p = judge.probabilityFirstPreferred(batch);
    if (p == null || p.length != batch.size()) {
      throw new Rlhf4jException(
          "the preference model returned " + (p == null ? "null" : p.length)
              + " probabilities for " + batch.size() + " comparisons; it must return one each");
    }
    List<LengthControlledWinRate.Comparison> comparisons = new ArrayList<>(p.length);
    for (int i = 0; i < p.length; i++) {
      double outcome = p[i] > 0.5 ? 1 : p[i] == 0.5 ? 0.5 : 0;
      comparisons.add(
          new LengthControlledWinRate.Comparison(outcome, lengths.get(i)[0], lengths.get(i)[1]));
    }
    return result(policy, baseline, comparisons);
  }

  private CheckpointEvaluation result(
      List<GeneratedSample> policy,
      List<GeneratedSample> baseline,
      List<LengthControlledWinRate.Comparison> comparisons) {
    LengthControlledWinRate.Result r = lc.fit(comparisons);
    return new CheckpointEvaluation(
        policy.size(),
        r.comparisons(),
        r.winRate(),
        r.lengthControlledWinRate(),
        meanLength(policy),
        meanLength(baseline),
        unit);
  }

  private double meanLength(List<GeneratedSample> samples) {
    long sum = 0;
    int n = 0;
    for (GeneratedSample s : samples) {
      for (Completion c : s.responses()) {
        sum += unit.measure(c);
        n++;
      }
    }
    return n == 0 ? 0 : sum / (double) n;
  }

  private static Map<String, GeneratedSample> matched(
      List<GeneratedSample> policy, List<GeneratedSample> baseline) {
    checkArgument(policy != null && !policy.isEmpty(), "policy must not be null or empty");
    checkArgument(baseline != null && !baseline.isEmpty(), "baseline must not be null or empty");
    Map<String, GeneratedSample> mine = new HashMap<>();
    Map<String, GeneratedSample> theirs = new HashMap<>();
    for (GeneratedSample s : policy) {
      checkArgument(mine.put(s.prompt().id(), s) == null, "policy repeats prompt id %s",
          s.prompt().id());
    }
    for (GeneratedSample s : baseline) {
      checkArgument(theirs.put(s.prompt().id(), s) == null, "baseline repeats prompt id %s",
          s.prompt().id());
    }
    checkArgument(
        mine.keySet().equals(theirs.keySet()),
        "policy (%s prompts) and baseline (%s prompts) must answer the same prompt ids",
        policy.size(),
        baseline.size());
    return theirs;
  }

  /** Settings of a {@link CheckpointEvaluator}. Not thread-safe. */
  public static final class Builder {
    private final List<Prompt> prompts;
    private final SamplingParams sampling;
    private int samplesPerPrompt = 4;
    private LengthUnit unit = LengthUnit.CHARACTERS;
    private int maxBatchRows = 256;

    private Builder(List<Prompt> prompts, SamplingParams sampling) {
      this.prompts = prompts;
      this.sampling = sampling;
    }

    /**
     * Responses sampled per prompt and policy (default 4); n policy and n baseline responses give
     * n² comparisons per prompt.
     *
     * @throws IllegalArgumentException if n is below 1
     */
    public Builder samplesPerPrompt(int n) {
      checkArgument(n >= 1, "samplesPerPrompt must be >= 1 but was %s", n);
      this.samplesPerPrompt = n;
      return this;
    }

    /**
     * The unit of the lengths reported and length-controlled for (default characters).
     *
     * @throws IllegalArgumentException if unit is null
     */
    public Builder lengthUnit(LengthUnit unit) {
      checkArgument(unit != null, "lengthUnit must not be null");
      this.unit = unit;
      return this;
    }

    /**
     * The most sequences decoded together (default 256), as {@link
     * Generator.Builder#maxBatchRows}.
     *
     * @throws IllegalArgumentException if rows is below 1
     */
    public Builder maxBatchRows(int rows) {
      checkArgument(rows >= 1, "maxBatchRows must be >= 1 but was %s", rows);
      this.maxBatchRows = rows;
      return this;
    }

    /** The evaluator. */
    public CheckpointEvaluator build() {
      return new CheckpointEvaluator(this);
    }
  }
}
