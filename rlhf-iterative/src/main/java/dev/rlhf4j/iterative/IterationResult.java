package dev.rlhf4j.iterative;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one iteration produced.
 *
 * @param iteration the iteration, 1-based
 * @param metrics its figures, sorted by name: {@code explore/*} (prompts, pairs, ties dropped,
 *     ...), {@code train/*} (the training set size and what the backend reported), the loop's
 *     diagnostics {@code pairs/*}, {@code proxy/*} and {@code policy/*} (proxy margins and
 *     near-ties, lengths, how far training moved the policy, KL estimates: {@link
 *     LoopDiagnostics}) and {@code eval/*} (the held-out evaluation, when configured)
 * @param checkpoint the directory of the iteration's policy
 * @param directory the iteration's folder in the run directory
 */
public record IterationResult(
    int iteration, Map<String, Double> metrics, Path checkpoint, Path directory) {

  /**
   * @throws IllegalArgumentException if iteration is below 1 or a field is null
   */
  public IterationResult {
    checkArgument(iteration >= 1, "iteration must be >= 1 but was %s", iteration);
    checkArgument(metrics != null && checkpoint != null && directory != null, "null field");
    metrics = java.util.Collections.unmodifiableMap(new TreeMap<>(metrics));
  }

  /**
   * One metric.
   *
   * @throws IllegalArgumentException if the iteration did not record it
   */
  public double metric(String name) {
    Double value = metrics.get(name);
    checkArgument(value != null, "iteration %s has no metric %s; it has %s", iteration, name,
        metrics.keySet());
    return value;
  }
}
