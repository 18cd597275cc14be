package dev.rlhf4j.iterative.internal;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.IterationSummary;
import dev.rlhf4j.api.event.ProgressListener;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.exploration.Sampler;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.io.Jsonl;
import dev.rlhf4j.api.io.JsonlFormats;
import dev.rlhf4j.iterative.Evaluation;
import dev.rlhf4j.iterative.Evaluator;
import dev.rlhf4j.iterative.Evaluators;
import dev.rlhf4j.iterative.IterationResult;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PolicySampler;
import dev.rlhf4j.iterative.ReferencePolicy;
import dev.rlhf4j.iterative.TrainRequest;
import dev.rlhf4j.iterative.TrainedPolicy;
import dev.rlhf4j.iterative.run.RunLayout;
import dev.rlhf4j.iterative.run.RunLayout.IterationFiles;
import dev.rlhf4j.iterative.run.RunSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs Algorithm 1 (paper §3) over a run directory, resuming what it finds there. */
public final class LoopRunner {
  /** The iteration subdirectory where a backend keeps its mid-training checkpoints. */
  public static final String TRAINING_CHECKPOINTS = "train-checkpoints";

  private static final Logger LOG = LoggerFactory.getLogger("dev.rlhf4j.iterative");
  private static final String FORMAT = RunManifest.FORMAT;

  private final LoopSpec spec;
  private final RunLayout layout;
  private final ProgressListener listener;

  /** A runner of {@code spec}. */
  public LoopRunner(LoopSpec spec) {
    this.spec = spec;
    this.layout = new RunLayout(spec.runDirectory());
    this.listener = ProgressListener.isolating(spec.listeners());
  }

  /**
   * Runs or resumes the loop.
   *
   * @throws IllegalArgumentException if the prompt source is too small or repeats an id
   * @throws Rlhf4jException if the run directory was recorded with other settings, or a stage fails
   */
  public LoopResult run() {
    List<Prompt> prompts = usedPrompts();
    checkOrRecordSettings(settings(prompts));
    HandoffCheck.verify(
        layout,
        spec.iterations(),
        spec.evaluation().map(e -> OptionalInt.of(e.prompts().size())).orElse(OptionalInt.empty()));
    try (SamplerCache samplers = new SamplerCache(spec.backend())) {
      Map<String, Double> baseline = baseline(samplers);
      List<IterationResult> results = new ArrayList<>();
      int m = spec.promptsPerIteration();
      for (int t = 1; t <= spec.iterations(); t++) {
        List<Prompt> slice = prompts.subList((t - 1) * m, t * m);
        results.add(iteration(t, slice, samplers));
      }
      IterationResult last = results.get(results.size() - 1);
      return new LoopResult(results, baseline, last.checkpoint(), layout.root());
    }
  }

  private List<Prompt> usedPrompts() {
    List<Prompt> all = spec.prompts().load();
    if (all == null) {
      throw new Rlhf4jException("the prompt source returned null");
    }
    long needed = (long) spec.iterations() * spec.promptsPerIteration();
    if (all.size() < needed) {
      throw new IllegalArgumentException(
          "the prompt source holds " + all.size() + " prompts but " + spec.iterations()
              + " iterations × " + spec.promptsPerIteration() + " prompts per iteration need "
              + needed + "; add prompts, or lower iterations or promptsPerIteration");
    }
    List<Prompt> used = List.copyOf(all.subList(0, (int) needed));
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < used.size(); i++) {
      Integer before = seen.put(used.get(i).id(), i);
      if (before != null) {
        throw new IllegalArgumentException(
            "prompts " + before + " and " + i + " share the id " + used.get(i).id()
                + "; per-iteration slices must be disjoint, so every prompt needs its own id");
      }
    }
    return used;
  }

  private RunSettings settings(List<Prompt> prompts) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("format", FORMAT);
    s.put("seed", Long.toString(spec.seed()));
    s.put("iterations", Integer.toString(spec.iterations()));
    s.put("prompts_per_iteration", Integer.toString(spec.promptsPerIteration()));
    s.put("prompts", Describe.prompts(prompts));
    s.putAll(RunManifest.models(spec, layout.root()));
    s.put("exploration", Describe.component(spec.exploration()));
    s.put("sampling", spec.sampling().withSeed(0).toString());
    s.put("batch_prompts", Integer.toString(spec.batchPrompts()));
    s.put("reference", spec.reference().name());
    s.put("warm_start", Boolean.toString(spec.warmStart()));
    s.put("offline_pairs", Describe.pairs(spec.offlinePairs()));
    s.put(
        "evaluation",
        spec.evaluation()
            .map(
                e ->
                    Describe.prompts(e.prompts()) + "; " + e.sampling().withSeed(0) + "; "
                        + e.evaluator().map(Describe::component).orElse("standard"))
            .orElse("none"));
    new TreeMap<>(spec.backend().settings()).forEach((k, v) -> s.put("backend." + k, v));
    s.put("dpo", spec.dpo().toString());
    return new RunSettings(s);
  }

  private void checkOrRecordSettings(RunSettings settings) {
    Path file = layout.runJson();
    if (Files.exists(file)) {
      RunSettings recorded = new RunSettings(RunFiles.readSettings(file));
      List<String> diff = RunManifest.differences(layout, settings, recorded);
      if (!diff.isEmpty()) {
        throw new Rlhf4jException(
            "the run directory " + layout.root() + " was created with other settings, so it"
                + " cannot be resumed with these:\n  " + String.join("\n  ", diff)
                + "\nUse another run directory, or run with the recorded settings."
                + RunManifest.hint(diff));
      }
      LOG.info("resuming the run in {}", layout.root());
    } else {
      if (Files.exists(layout.baseline()) || Files.exists(layout.iteration(1).directory())) {
        throw new Rlhf4jException(
            layout.root() + " holds run folders but no " + RunLayout.RUN_JSON + ", so its"
                + " settings are unknown; use another run directory");
      }
      RunFiles.writeSettings(file, settings.values());
    }
  }

  private Map<String, Double> baseline(SamplerCache samplers) {
    if (spec.evaluation().isEmpty()) {
      return Map.of();
    }
    if (Files.exists(layout.baselineMetrics())) {
      return RunFiles.readMetrics(layout.baselineMetrics());
    }
    RunFiles.deleteTemporaries(layout.baseline());
    Map<String, Double> metrics =
        evaluate(0, layout.baselineEval(), () -> samplers.get(spec.initialPolicy()));
    RunFiles.writeMetrics(layout.baselineMetrics(), metrics);
    return metrics;
  }

  private IterationResult iteration(int t, List<Prompt> slice, SamplerCache samplers) {
    IterationFiles files = layout.iteration(t);
    if (Files.exists(files.metrics())) {
      return new IterationResult(
          t, RunFiles.readMetrics(files.metrics()), files.checkpoint(), files.directory());
    }
    createDirectories(files.directory());
    RunFiles.deleteTemporaries(files.directory());

    Map<String, Double> explore;
    if (Files.exists(files.pairs())) {
      explore = RunFiles.readMetrics(files.selection());
      LOG.info("iteration {}: exploration already complete, reusing {}", t, files.pairs());
    } else {
      explore = explore(t, files, slice, samplers);
    }

    Map<String, Double> train;
    if (Files.exists(files.checkpoint())) {
      train = RunFiles.readMetrics(files.train());
      LOG.info("iteration {}: training already complete, reusing {}", t, files.checkpoint());
    } else {
      samplers.close();
      train = train(t, files);
    }

    Map<String, Double> metrics = new TreeMap<>();
    explore.forEach((k, v) -> metrics.put("explore/" + k, v));
    train.forEach((k, v) -> metrics.put("train/" + k, v));
    explorationDiagnostics(t, files).forEach(metrics::put);
    Diagnostics.movement(
            train, spec.dpo(), train.getOrDefault("pairs", 0.0).intValue(),
            explore.getOrDefault("pairs", 0.0).intValue())
        .forEach((k, v) -> metrics.put("policy/" + k, v));
    drift(t, slice, samplers).forEach((k, v) -> metrics.put("policy/" + k, v));
    if (spec.evaluation().isPresent()) {
      samplers.retainOnly(List.of(files.checkpoint()));
      evaluate(t, files.eval(), () -> samplers.get(files.checkpoint()))
          .forEach((k, v) -> metrics.put("eval/" + k, v));
    }
    RunFiles.writeMetrics(files.metrics(), metrics);
    listener.onIterationFinished(new IterationSummary(t, metrics, files.checkpoint()));
    return new IterationResult(t, metrics, files.checkpoint(), files.directory());
  }

  /** The {@code pairs/*} and {@code proxy/*} diagnostics of iteration {@code t}'s hand-off files. */
  private Map<String, Double> explorationDiagnostics(int t, IterationFiles files) {
    List<PreferencePair> pairs =
        Jsonl.readAll(files.pairs(), JsonlFormats.preferencePairs(source(t)));
    List<GeneratedSample> generated =
        Files.exists(files.generated())
            ? Jsonl.readAll(files.generated(), JsonlFormats.generatedSamples())
            : List.of();
    List<AnnotatedSample> annotated =
        Files.exists(files.annotated())
            ? Jsonl.readAll(files.annotated(), JsonlFormats.annotatedSamples())
            : List.of();
    Map<String, Double> out = new LinkedHashMap<>();
    Diagnostics.pairs(pairs, generated, spec.diagnostics().nearTieMargin())
        .forEach((k, v) -> out.put("pairs/" + k, v));
    Diagnostics.proxy(annotated).forEach((k, v) -> out.put("proxy/" + k, v));
    return out;
  }

  /**
   * The KL estimates of {@link dev.rlhf4j.iterative.LoopDiagnostics}: responses sampled from
   * π_t on the first prompts of the iteration, scored under π_t, π0 and π_{t−1}. Empty when they
   * are off or the backend's samplers cannot score.
   */
  private Map<String, Double> drift(int t, List<Prompt> slice, SamplerCache samplers) {
    int k = Math.min(spec.diagnostics().klPrompts(), slice.size());
    if (k == 0) {
      return Map.of();
    }
    Path current = checkpoint(t);
    samplers.retainOnly(List.of(current));
    PolicySampler policy = samplers.get(current);
    Optional<double[]> probe = policy.logProbs(List.of());
    if (probe == null || probe.isEmpty()) {
      LOG.debug("the samplers of {} cannot score log-probabilities: no KL estimates",
          spec.backend().getClass().getName());
      return Map.of();
    }
    StageEvents events = new StageEvents(t, listener);
    events.start(Stage.DRIFT, k);
    SamplingParams sampling =
        spec.sampling().withSeed(Seeds.derive(spec.seed(), t, Seeds.DRIFT));
    List<Prompt> prompts = slice.subList(0, k);
    List<GeneratedSample> samples = new ArrayList<>(k);
    for (int from = 0; from < k; from += spec.batchPrompts()) {
      List<Prompt> batch = prompts.subList(from, Math.min(k, from + spec.batchPrompts()));
      List<GeneratedSample> sampled = policy.sample(batch, 1, sampling);
      if (sampled == null || sampled.size() != batch.size()) {
        throw new Rlhf4jException(
            "the sampler of " + current + " returned "
                + (sampled == null ? "null" : sampled.size()) + " samples for " + batch.size()
                + " prompts");
      }
      samples.addAll(sampled);
      events.progress(samples.size());
    }
    Optional<double[]> own = scores(policy, current, samples);
    Optional<double[]> initial = scores(samplers.get(spec.initialPolicy()), spec.initialPolicy(),
        samples);
    samplers.retainOnly(List.of(current));
    Optional<double[]> previous = initial;
    if (t > 1) {
      previous = scores(samplers.get(checkpoint(t - 1)), checkpoint(t - 1), samples);
      samplers.retainOnly(List.of(current));
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (own.isPresent() && initial.isPresent() && previous.isPresent()) {
      out.put("kl_from_pi0", Diagnostics.klEstimate(own.get(), initial.get()));
      out.put("kl_from_pi0_se", Diagnostics.klStandardError(own.get(), initial.get()));
      out.put("kl_from_previous", Diagnostics.klEstimate(own.get(), previous.get()));
      out.put("kl_from_previous_se", Diagnostics.klStandardError(own.get(), previous.get()));
      out.put("kl_samples", (double) own.get().length);
    }
    events.finish(out);
    return out;
  }

  /**
   * The log-probabilities of {@code samples} under {@code sampler}; empty (with a warning) when it
   * cannot score them or a value is not finite.
   *
   * @throws Rlhf4jException if it returns another number of values than there are responses
   */
  private Optional<double[]> scores(
      PolicySampler sampler, Path checkpoint, List<GeneratedSample> samples) {
    int responses = samples.stream().mapToInt(s -> s.responses().size()).sum();
    Optional<double[]> out = sampler.logProbs(samples);
    if (out == null || out.isEmpty()) {
      LOG.warn("the sampler of {} did not score log-probabilities: no KL estimates", checkpoint);
      return Optional.empty();
    }
    double[] values = out.get();
    if (values.length != responses) {
      throw new Rlhf4jException(
          sampler.getClass().getName() + ".logProbs returned " + values.length + " values for "
              + responses + " responses; it must return one per response, in order");
    }
    for (double v : values) {
      if (!Double.isFinite(v)) {
        LOG.warn("the policy {} gives a response log-probability {}: no KL estimates",
            checkpoint, v);
        return Optional.empty();
      }
    }
    return Optional.of(values.clone());
  }

  /** The policy after iteration {@code t}: π0 for t = 0. */
  private Path checkpoint(int t) {
    return t == 0 ? spec.initialPolicy() : layout.iteration(t).checkpoint();
  }

  private Map<String, Double> explore(
      int t, IterationFiles files, List<Prompt> slice, SamplerCache samplers) {
    Path current = checkpoint(t - 1);
    List<Path> keep = t == 1 ? List.of(current) : List.of(current, checkpoint(t - 2));
    samplers.retainOnly(keep);
    Optional<Supplier<? extends Sampler>> previous =
        t == 1 ? Optional.empty() : Optional.of(() -> samplers.get(checkpoint(t - 2)));
    StageEvents events = new StageEvents(t, listener);
    SamplingParams sampling =
        spec.sampling().withSeed(Seeds.derive(spec.seed(), t, Seeds.EXPLORE_SAMPLING));
    RecordingContext context =
        new RecordingContext(
            t,
            files,
            () -> samplers.get(current),
            previous,
            sampling,
            spec.rewardModel(),
            spec.preferenceModel(),
            Seeds.derive(spec.seed(), t, Seeds.EXPLORE_RANDOM),
            events,
            slice.size(),
            spec.batchPrompts());
    List<PreferencePair> pairs = spec.exploration().explore(slice, context);
    if (pairs == null) {
      throw new Rlhf4jException(
          Describe.component(spec.exploration()) + " returned null pairs; return a list");
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("prompts", (double) slice.size());
    metrics.put("pairs", (double) pairs.size());
    metrics.putAll(context.reportedMetrics());
    metrics.put("pairs", (double) pairs.size());
    if (!context.selecting()) {
      context.finish();
      events.start(Stage.SELECT, slice.size());
    }
    context.writeEmptyJournals();
    RunFiles.writeMetrics(files.selection(), metrics);
    Jsonl.write(files.pairs(), JsonlFormats.preferencePairs(source(t)), pairs);
    events.finish(metrics);
    return metrics;
  }

  private Map<String, Double> train(int t, IterationFiles files) {
    List<PreferencePair> trainingSet = new ArrayList<>(spec.offlinePairs());
    for (int j = 1; j <= t; j++) {
      trainingSet.addAll(
          Jsonl.readAll(layout.iteration(j).pairs(), JsonlFormats.preferencePairs(source(j))));
    }
    if (trainingSet.isEmpty()) {
      throw new Rlhf4jException(
          "iteration " + t + " has no pairs to train on: the exploration kept none (see "
              + files.selection() + ") and there are no offline pairs; use more prompts per"
              + " iteration, more samples per prompt, or a hybrid run");
    }
    Path previous = checkpoint(t - 1);
    Path init = spec.warmStart() ? previous : spec.initialPolicy();
    Path reference =
        spec.reference() == ReferencePolicy.INITIAL ? spec.initialPolicy() : previous;
    Path temp = RunFiles.tempSibling(files.checkpoint());
    StageEvents events = new StageEvents(t, listener);
    TrainRequest request =
        new TrainRequest(
            t,
            trainingSet,
            init,
            reference,
            spec.dpo().toBuilder().seed(Seeds.derive(spec.seed(), t, Seeds.TRAIN)).build(),
            files.directory().resolve(TRAINING_CHECKPOINTS),
            listener);
    events.start(Stage.TRAIN, 0);
    try (TrainedPolicy trained = spec.backend().train(request)) {
      if (trained == null) {
        throw new Rlhf4jException(spec.backend().getClass().getName() + ".train returned null");
      }
      Map<String, Double> metrics = trainMetrics(trained);
      metrics.put("pairs", (double) trainingSet.size());
      events.finish(metrics);
      events.start(Stage.CHECKPOINT, 0);
      createDirectories(temp);
      trained.save(temp);
      RunFiles.writeMetrics(files.train(), metrics);
      RunFiles.move(temp, files.checkpoint());
      RunFiles.deleteRecursively(files.directory().resolve(TRAINING_CHECKPOINTS));
      events.finish(Map.of());
      return metrics;
    } catch (IOException e) {
      throw new Rlhf4jException("cannot write " + files.checkpoint() + ": " + e, e);
    } finally {
      try {
        RunFiles.deleteRecursively(temp);
      } catch (IOException e) {
        LOG.warn("cannot delete {}; the next run deletes it", temp, e);
      }
    }
  }

  private Map<String, Double> trainMetrics(TrainedPolicy trained) {
    Map<String, Double> reported = trained.metrics();
    if (reported == null) {
      throw new Rlhf4jException(
          spec.backend().getClass().getName() + ": the trained policy's metrics() returned null");
    }
    Map<String, Double> metrics = new TreeMap<>();
    reported.forEach(
        (k, v) -> {
          if (k == null || v == null || !Double.isFinite(v)) {
            throw new Rlhf4jException(
                spec.backend().getClass().getName() + ": training metric " + k
                    + " must be finite but was " + v + "; report only deterministic, finite"
                    + " figures");
          }
          metrics.put(k, v);
        });
    return metrics;
  }

  private List<GeneratedSample> evalResponses(Path file, Supplier<? extends Sampler> policy) {
    Evaluation evaluation = spec.evaluation().orElseThrow();
    List<Prompt> prompts = evaluation.prompts();
    if (Files.exists(file)) {
      List<GeneratedSample> recorded = Jsonl.readAll(file, JsonlFormats.generatedSamples());
      boolean matches = recorded.size() == prompts.size();
      for (int i = 0; matches && i < prompts.size(); i++) {
        matches = recorded.get(i).prompt().equals(prompts.get(i));
      }
      if (matches) {
        return recorded;
      }
      LOG.warn("{} does not match the evaluation prompts; sampling them again", file);
    }
    SamplingParams sampling =
        evaluation.sampling().withSeed(Seeds.derive(spec.seed(), 0, Seeds.EVALUATE));
    List<GeneratedSample> responses = new ArrayList<>(prompts.size());
    for (int from = 0; from < prompts.size(); from += spec.batchPrompts()) {
      int to = Math.min(prompts.size(), from + spec.batchPrompts());
      List<Prompt> batch = prompts.subList(from, to);
      List<GeneratedSample> sampled = policy.get().sample(batch, 1, sampling);
      if (sampled == null || sampled.size() != batch.size()) {
        throw new Rlhf4jException(
            "the sampler returned " + (sampled == null ? "null" : sampled.size())
                + " samples for " + batch.size() + " evaluation prompts");
      }
      responses.addAll(sampled);
    }
    Jsonl.write(file, JsonlFormats.generatedSamples(), responses);
    return responses;
  }

  /** {@code proxy_greedy} for greedy evaluation decoding, {@code proxy_sampled} otherwise. */
  private static String proxyJudgeName(Evaluation evaluation) {
    return evaluation.sampling().temperature() == 0 ? "proxy_greedy" : "proxy_sampled";
  }

  /**
   * Samples the evaluation prompts from {@code policy} (or reads them back from {@code file}) and
   * scores them against π0's: iteration 0 is π0 itself.
   */
  private Map<String, Double> evaluate(
      int t, Path file, Supplier<? extends Sampler> policy) {
    StageEvents events = new StageEvents(t, listener);
    Evaluation evaluation = spec.evaluation().orElseThrow();
    events.start(Stage.EVALUATE, evaluation.prompts().size());
    List<GeneratedSample> responses = evalResponses(file, policy);
    List<GeneratedSample> baseline =
        t == 0 ? responses : Jsonl.readAll(layout.baselineEval(), JsonlFormats.generatedSamples());
    Evaluator evaluator =
        evaluation
            .evaluator()
            .orElseGet(
                () ->
                    spec.rewardModel().isPresent()
                        ? Evaluators.standard(proxyJudgeName(evaluation), spec.rewardModel().get())
                        : Evaluators.standardPairwise(
                            proxyJudgeName(evaluation), spec.preferenceModel().orElseThrow()));
    Map<String, Double> metrics = new TreeMap<>(evaluator.evaluate(responses, baseline));
    metrics.forEach(
        (k, v) -> {
          if (v == null || !Double.isFinite(v)) {
            throw new Rlhf4jException("evaluation metric " + k + " must be finite but was " + v);
          }
        });
    events.finish(metrics);
    return metrics;
  }

  static String source(int iteration) {
    return "iteration-" + iteration;
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new Rlhf4jException("cannot create " + dir + ": " + e, e);
    }
  }
}
