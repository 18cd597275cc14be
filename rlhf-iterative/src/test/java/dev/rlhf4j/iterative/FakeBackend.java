package dev.rlhf4j.iterative;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.event.Stage;
import dev.rlhf4j.api.event.StepMetrics;
import dev.rlhf4j.api.exploration.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic stand-in for a model engine. A "policy" is a table of logits over {@link #K}
 * candidate responses per prompt ({@code r<i> } followed by i·3 x's, so longer = higher index),
 * stored as {@code policy.json} in its checkpoint directory; missing prompts have all-zero logits
 * (uniform), and a shared row {@code "*"} adds to every prompt's, so training generalises to
 * held-out prompts. Sampling draws from softmax(logits / T) with a generator seeded by (seed,
 * prompt, sample index), or takes the argmax when greedy. "Training" runs over the pairs for two
 * epochs in a seeded order, raising the chosen response's logit and lowering the rejected one's by
 * a step that decays with the step count, and pulls the logits toward the reference's.
 */
final class FakeBackend implements PolicyBackend {
  static final int K = 5;
  private static final String GLOBAL = "*";
  private static final ObjectMapper JSON = new ObjectMapper();

  final List<TrainRequest> requests = new ArrayList<>();
  final Map<Path, Integer> liveSampleCalls = new HashMap<>();
  int failAtIteration;
  int failAtStep;
  boolean closed;
  /** Whether samplers score log-probabilities (for the loop's KL estimates). */
  boolean scoresLogProbs = true;
  /** Whether training leaves the policy as it started (a step of size 0). */
  boolean frozen;

  /** Throw once from {@code train} of {@code iteration}, after {@code step} steps were reported. */
  FakeBackend failOnceInTraining(int iteration, int step) {
    failAtIteration = iteration;
    failAtStep = step;
    return this;
  }

  /** Writes π0, uniform over the candidates, into {@code dir}. */
  static Path writeInitialPolicy(Path dir) {
    write(dir, new TreeMap<>());
    return dir;
  }

  static String candidate(int i) {
    return "r" + i + " " + "x".repeat(3 * i);
  }

  static int candidateIndex(String text) {
    return Integer.parseInt(text.substring(1, text.indexOf(' ')));
  }

  @Override
  public PolicySampler sampler(Path checkpoint) {
    Map<String, double[]> logits = read(checkpoint);
    Path key = checkpoint.toAbsolutePath().normalize();
    return new PolicySampler() {
      @Override
      public List<GeneratedSample> sample(List<Prompt> prompts, int n, SamplingParams params) {
        liveSampleCalls.merge(key, 1, Integer::sum);
        List<GeneratedSample> out = new ArrayList<>();
        for (Prompt p : prompts) {
          double[] l = combined(logits, key(p));
          List<Completion> responses = new ArrayList<>();
          for (int j = 0; j < n; j++) {
            int i = params.greedy() ? argMax(l) : draw(l, params.temperature(), rng(params.seed(),
                p.id(), j));
            responses.add(new Completion(candidate(i), i + 1, FinishReason.STOP));
          }
          out.add(new GeneratedSample(p, responses));
        }
        return out;
      }

      /** log softmax(logits)[i] of candidate i: the policy at temperature 1. */
      @Override
      public Optional<double[]> logProbs(List<GeneratedSample> samples) {
        if (!scoresLogProbs) {
          return Optional.empty();
        }
        List<Double> out = new ArrayList<>();
        for (GeneratedSample s : samples) {
          double[] l = combined(logits, key(s.prompt()));
          for (Completion c : s.responses()) {
            out.add(logSoftmax(l)[candidateIndex(c.text())]);
          }
        }
        return Optional.of(out.stream().mapToDouble(Double::doubleValue).toArray());
      }
    };
  }

  /** log softmax of {@code l}. */
  static double[] logSoftmax(double[] l) {
    double max = l[argMax(l)];
    double sum = 0;
    for (double v : l) {
      sum += Math.exp(v - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[l.length];
    for (int i = 0; i < l.length; i++) {
      out[i] = l[i] - log;
    }
    return out;
  }

  /** The logits of {@code prompt} under the policy stored at {@code checkpoint}. */
  static double[] logits(Path checkpoint, Prompt prompt) {
    return combined(read(checkpoint), key(prompt));
  }

  @Override
  public TrainedPolicy train(TrainRequest request) {
    requests.add(request);
    Map<String, double[]> policy = read(request.initialCheckpoint());
    Map<String, double[]> reference = read(request.referenceCheckpoint());
    List<PreferencePair> order = new ArrayList<>(request.pairs());
    int total = 2 * order.size();
    double lossSum = 0;
    int step = 0;
    for (int epoch = 0; epoch < 2; epoch++) {
      Collections.shuffle(order, new java.util.Random(request.dpo().optimization().seed() + epoch));
      for (PreferencePair pair : order) {
        step++;
        String key = Prompt.contentId(pair.prompt());
        double[] l = combined(policy, key);
        double[] ref = combined(reference, key);
        int c = candidateIndex(pair.chosen());
        int r = candidateIndex(pair.rejected());
        double margin = (l[c] - ref[c]) - (l[r] - ref[r]);
        double loss = Math.log1p(Math.exp(-0.1 * margin));
        lossSum += loss;
        double lr = 0.5 / (1 + 0.05 * step);
        for (double[] table :
            List.of(
                policy.computeIfAbsent(key, k -> new double[K]),
                policy.computeIfAbsent(GLOBAL, k -> new double[K]))) {
          if (frozen) {
            continue;
          }
          table[c] += lr / 2;
          table[r] -= lr / 2;
          for (int i = 0; i < K; i++) {
            table[i] -= 0.01 * (l[i] - ref[i]) / 2;
          }
        }
        request.listener()
            .onStep(
                new StepMetrics(
                    request.iteration(), Stage.TRAIN, step, total, Map.of("loss", loss)));
        if (request.iteration() == failAtIteration && step == failAtStep) {
          failAtIteration = 0;
          throw new Rlhf4jException("injected failure in training step " + step);
        }
      }
    }
    Map<String, Double> metrics = Map.of("loss", lossSum / step, "steps", (double) step);
    return new TrainedPolicy() {
      @Override
      public Map<String, Double> metrics() {
        return metrics;
      }

      @Override
      public void save(Path directory) {
        write(directory, policy);
      }
    };
  }

  @Override
  public Map<String, String> settings() {
    return Map.of("kind", "fake", "epochs", "2");
  }

  @Override
  public void close() {
    closed = true;
  }

  int liveSampleCalls(Path checkpoint) {
    return liveSampleCalls.getOrDefault(checkpoint.toAbsolutePath().normalize(), 0);
  }

  /** The logits of a prompt: the shared row plus the prompt's own. */
  private static double[] combined(Map<String, double[]> table, String key) {
    double[] out = new double[K];
    for (String row : List.of(GLOBAL, key)) {
      double[] l = table.get(row);
      if (l != null) {
        for (int i = 0; i < K; i++) {
          out[i] += l[i];
        }
      }
    }
    return out;
  }

  private static String key(Prompt p) {
    return Prompt.contentId(p.messages());
  }

  private static int argMax(double[] l) {
    int best = 0;
    for (int i = 1; i < l.length; i++) {
      if (l[i] > l[best]) {
        best = i;
      }
    }
    return best;
  }

  private static int draw(double[] l, double temperature, SplittableRandom rng) {
    double max = l[argMax(l)];
    double[] w = new double[l.length];
    double sum = 0;
    for (int i = 0; i < l.length; i++) {
      w[i] = Math.exp((l[i] - max) / temperature);
      sum += w[i];
    }
    double u = rng.nextDouble() * sum;
    for (int i = 0; i < l.length; i++) {
      u -= w[i];
      if (u < 0) {
        return i;
      }
    }
    return l.length - 1;
  }

  private static SplittableRandom rng(long seed, String promptId, int index) {
    return new SplittableRandom(seed * 1_000_003L + promptId.hashCode() * 31L + index)
        .split();
  }

  private static Map<String, double[]> read(Path dir) {
    try {
      return new TreeMap<>(
          JSON.readValue(
              dir.resolve("policy.json").toFile(),
              new TypeReference<Map<String, double[]>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path dir, Map<String, double[]> policy) {
    try {
      Files.createDirectories(dir);
      JSON.writeValue(dir.resolve("policy.json").toFile(), new TreeMap<>(policy));
      Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"fake\"}");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
