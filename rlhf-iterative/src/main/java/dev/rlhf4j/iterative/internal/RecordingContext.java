package dev.rlhf4j.iterative.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.exploration.ExplorationContext;
import dev.rlhf4j.api.exploration.Sampler;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.iterative.run.RunLayout.IterationFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The loop's {@link ExplorationContext}: it samples through the policy samplers and scores with
 * the run's reward model, journals every sample and score to {@code generated.jsonl} and {@code
 * annotated.jsonl} after each call, and on a rerun replays the journaled calls before going live.
 * It also turns the calls into GENERATE and ANNOTATE stage events. Confined to one thread.
 */
public final class RecordingContext implements ExplorationContext {
  private final int iteration;
  private final IterationFiles files;
  private final Sampler policy;
  private final Optional<Sampler> previousPolicy;
  private final SamplingParams sampling;
  private final Optional<RewardModel> rewardModel;
  private final Optional<PreferenceModel> preferenceModel;
  private final SplittableRandom random;
  private final StageEvents events;
  private final int batchPrompts;
  private final int promptsInSlice;

  private final List<GeneratedSample> generated;
  private final List<AnnotatedSample> annotated;
  private int generatedCursor;
  private int annotatedCursor;
  private long promptsSampled;
  private long responsesSampled;
  private long samplesScored;
  private int replayedCalls;
  private final Map<String, Double> reported = new LinkedHashMap<>();
  private boolean selecting;

  /**
   * A context for iteration {@code iteration} whose journals are {@code files}; the GENERATE stage
   * starts now with {@code slicePrompts} units. Live sampling and scoring calls are split into
   * batches of at most {@code batchPrompts} prompts, each followed by a progress event.
   */
  public RecordingContext(
      int iteration,
      IterationFiles files,
      Supplier<? extends Sampler> policy,
      Optional<Supplier<? extends Sampler>> previousPolicy,
      SamplingParams sampling,
      Optional<RewardModel> rewardModel,
      Optional<PreferenceModel> preferenceModel,
      long randomSeed,
      StageEvents events,
      int slicePrompts,
      int batchPrompts) {
    this.batchPrompts = batchPrompts;
    this.promptsInSlice = slicePrompts;
    this.iteration = iteration;
    this.files = files;
    this.sampling = sampling;
    this.rewardModel = rewardModel;
    this.preferenceModel = preferenceModel;
    this.random = new SplittableRandom(randomSeed);
    this.events = events;
    this.generated = new ArrayList<>(readGenerated(files.generated()));
    this.annotated = new ArrayList<>(readAnnotated(files.annotated()));
    this.policy = (prompts, n, params) -> sampled("policy", policy, prompts, n, params);
    this.previousPolicy =
        previousPolicy.map(
            p -> (prompts, n, params) -> sampled("previous policy", p, prompts, n, params));
    events.start(Stage.GENERATE, slicePrompts);
  }

  @Override
  public int iteration() {
    return iteration;
  }

  @Override
  public Sampler policy() {
    return policy;
  }

  @Override
  public Optional<Sampler> previousPolicy() {
    return previousPolicy;
  }

  @Override
  public SamplingParams sampling() {
    return sampling;
  }

  @Override
  public Optional<PreferenceModel> preferenceModel() {
    return preferenceModel;
  }

  @Override
  public RandomGenerator random() {
    return random;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if the run ranks with a preference model only
   */
  @Override
  public List<AnnotatedSample> annotate(List<GeneratedSample> samples) {
    checkArgument(samples != null, "samples must not be null");
    checkState(
        rewardModel.isPresent(),
        "this run has no reward model, only a preference model: use a strategy that ranks with"
            + " ExplorationContext.preferenceModel(), e.g."
            + " ExplorationStrategies.preferenceKnockout(n)");
    if (events.current() == Stage.GENERATE) {
      events.finish(generateMetrics());
      events.start(Stage.ANNOTATE, generated.size());
    }
    List<AnnotatedSample> out;
    int remaining = annotated.size() - annotatedCursor;
    if (remaining > 0) {
      out = replayAnnotated(samples, remaining);
      events.progress(samplesScored + out.size());
    } else {
      out = new ArrayList<>(samples.size());
      for (int from = 0; from < samples.size(); from += batchPrompts) {
        List<GeneratedSample> batch =
            samples.subList(from, Math.min(samples.size(), from + batchPrompts));
        List<AnnotatedSample> scored = rewardModel.get().annotate(batch);
        if (scored.size() != batch.size()) {
          throw new Rlhf4jException(
              "the reward model annotated " + scored.size() + " samples for " + batch.size());
        }
        out.addAll(scored);
        events.progress(samplesScored + out.size());
      }
      annotated.addAll(out);
      annotatedCursor = annotated.size();
      Jsonl.write(files.annotated(), JsonlFormats.annotatedSamples(), annotated);
    }
    samplesScored += out.size();
    return List.copyOf(out);
  }

  @Override
  public void reportMetric(String name, double value) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a metric's name must not be null or blank");
    }
    reported.put(name, value);
  }

  @Override
  public void beginSelection() {
    if (!selecting) {
      finish();
      selecting = true;
      events.start(Stage.SELECT, promptsInSlice);
    }
  }

  /** Whether the strategy began its selection (so SELECT is already being timed). */
  public boolean selecting() {
    return selecting;
  }

  /** The metrics the strategy reported, in the order first reported. */
  public Map<String, Double> reportedMetrics() {
    return Collections.unmodifiableMap(reported);
  }

  /** Finishes the exploration stage under way (GENERATE or ANNOTATE). */
  public void finish() {
    if (events.current() == Stage.GENERATE) {
      events.finish(generateMetrics());
    } else {
      events.finish(Map.of("samples", (double) samplesScored));
    }
  }

  /** Makes sure both journals exist, even when the strategy did not sample or score. */
  public void writeEmptyJournals() {
    if (!Files.exists(files.generated())) {
      Jsonl.write(files.generated(), JsonlFormats.generatedSamples(), generated);
    }
    if (!Files.exists(files.annotated())) {
      Jsonl.write(files.annotated(), JsonlFormats.annotatedSamples(), annotated);
    }
  }

  /** How many sampling or scoring calls were replayed from the journals. */
  public int replayedCalls() {
    return replayedCalls;
  }

  private Map<String, Double> generateMetrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("prompts", (double) promptsSampled);
    m.put("responses", (double) responsesSampled);
    m.put("replayed_calls", (double) replayedCalls);
    return m;
  }

  private List<GeneratedSample> sampled(
      String who,
      Supplier<? extends Sampler> live,
      List<Prompt> prompts,
      int n,
      SamplingParams params) {
    checkArgument(prompts != null && params != null, "prompts and params must not be null");
    checkArgument(n >= 1, "n must be >= 1 but was %s", n);
    if (prompts.isEmpty()) {
      return List.of();
    }
    List<GeneratedSample> out;
    int remaining = generated.size() - generatedCursor;
    if (remaining > 0) {
      out = replayGenerated(prompts, n, remaining);
      if (events.current() == Stage.GENERATE) {
        events.progress(promptsSampled + out.size());
      }
    } else {
      out = new ArrayList<>(prompts.size());
      for (int from = 0; from < prompts.size(); from += batchPrompts) {
        List<Prompt> batch = prompts.subList(from, Math.min(prompts.size(), from + batchPrompts));
        Sampler sampler = live.get();
        List<GeneratedSample> sampledBatch = sampler.sample(batch, n, params);
        checkSampled(who + " sampler " + sampler.getClass().getName(), batch, n, sampledBatch);
        out.addAll(sampledBatch);
        if (events.current() == Stage.GENERATE) {
          events.progress(promptsSampled + out.size());
        }
      }
      generated.addAll(out);
      generatedCursor = generated.size();
      Jsonl.write(files.generated(), JsonlFormats.generatedSamples(), generated);
    }
    promptsSampled += prompts.size();
    responsesSampled += (long) prompts.size() * n;
    return List.copyOf(out);
  }

  private List<GeneratedSample> replayGenerated(List<Prompt> prompts, int n, int remaining) {
    if (remaining < prompts.size()) {
      throw journalMismatch(
          files.generated(),
          "it holds " + remaining + " more samples but the strategy asked for " + prompts.size());
    }
    List<GeneratedSample> out =
        List.copyOf(generated.subList(generatedCursor, generatedCursor + prompts.size()));
    for (int i = 0; i < out.size(); i++) {
      GeneratedSample s = out.get(i);
      if (!s.prompt().equals(prompts.get(i)) || s.responses().size() != n) {
        throw journalMismatch(
            files.generated(),
            "record " + (generatedCursor + i + 1) + " is prompt " + s.prompt().id() + " with "
                + s.responses().size() + " responses but the strategy asked for prompt "
                + prompts.get(i).id() + " with " + n);
      }
    }
    generatedCursor += out.size();
    replayedCalls++;
    return out;
  }

  private List<AnnotatedSample> replayAnnotated(List<GeneratedSample> samples, int remaining) {
    if (remaining < samples.size()) {
      throw journalMismatch(
          files.annotated(),
          "it holds " + remaining + " more samples but the strategy asked to score "
              + samples.size());
    }
    List<AnnotatedSample> out =
        List.copyOf(annotated.subList(annotatedCursor, annotatedCursor + samples.size()));
    for (int i = 0; i < out.size(); i++) {
      if (!out.get(i).generated().equals(samples.get(i))) {
        throw journalMismatch(
            files.annotated(),
            "record " + (annotatedCursor + i + 1) + " (prompt " + out.get(i).prompt().id()
                + ") differs from the sample the strategy asked to score (prompt "
                + samples.get(i).prompt().id() + ")");
      }
    }
    annotatedCursor += out.size();
    replayedCalls++;
    return out;
  }

  private Rlhf4jException journalMismatch(Path file, String detail) {
    Path root = files.directory().toAbsolutePath().getParent();
    return new Rlhf4jException(
        RunManifest.slashes(root.relativize(file.toAbsolutePath())) + " does not match this"
            + " run's exploration: " + detail + ". The strategy must take every random choice"
            + " from ExplorationContext.random(); or the file was edited. Delete "
            + RunManifest.slashes(root.relativize(files.directory().toAbsolutePath()))
            + "/ to explore iteration " + iteration + " again.");
  }

  /**
   * The one check of the {@link Sampler} contract (one sample per prompt, in prompt order, {@code
   * n} responses each) for every strategy, built-in or not: the strategies rely on it.
   */
  private static void checkSampled(
      String sampler, List<Prompt> prompts, int n, List<GeneratedSample> out) {
    if (out == null || out.size() != prompts.size()) {
      throw new Rlhf4jException(
          "the " + sampler + " returned " + (out == null ? "null" : out.size() + " samples")
              + " for " + prompts.size() + " prompts; it must return one per prompt, in order");
    }
    for (int i = 0; i < out.size(); i++) {
      GeneratedSample s = out.get(i);
      if (s == null || !s.prompt().id().equals(prompts.get(i).id())) {
        throw new Rlhf4jException(
            "the " + sampler + " returned " + (s == null ? "null" : "prompt " + s.prompt().id())
                + " at position " + i + " but was asked for prompt " + prompts.get(i).id()
                + " there; samples must come in prompt order");
      }
      if (s.responses().size() != n) {
        throw new Rlhf4jException(
            "the " + sampler + " returned " + s.responses().size() + " responses for prompt "
                + s.prompt().id() + " but " + n + " were asked");
      }
    }
  }

  private static List<GeneratedSample> readGenerated(Path file) {
    return Files.exists(file) ? Jsonl.readAll(file, JsonlFormats.generatedSamples()) : List.of();
  }

  private static List<AnnotatedSample> readAnnotated(Path file) {
    return Files.exists(file) ? Jsonl.readAll(file, JsonlFormats.annotatedSamples()) : List.of();
  }
}
