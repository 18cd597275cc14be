package dev.rlhf4j.sampling.exploration.internal;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Rlhf4jException;
import java.util.List;

/**
 * Checks what the strategies' own inputs hand back (annotated samples, preference probabilities),
 * so that a broken implementation fails with a message naming it instead of a wrong pair. The
 * sampler contract is checked by the loop's context, not here.
 */
final class Contracts {
  private Contracts() {}

  /** Checks that annotation kept the samples, in order, and scored every response. */
  static List<AnnotatedSample> checkAnnotated(
      List<AnnotatedSample> out, List<GeneratedSample> samples) {
    if (out == null || out.size() != samples.size()) {
      throw new Rlhf4jException(
          String.format(
              "ExplorationContext.annotate returned %s samples for %s; it must return one per"
                  + " sample, in order",
              out == null ? "null" : out.size(), samples.size()));
    }
    for (int i = 0; i < out.size(); i++) {
      AnnotatedSample a = out.get(i);
      GeneratedSample g = samples.get(i);
      if (a == null
          || !a.prompt().id().equals(g.prompt().id())
          || !a.responses().equals(g.responses())) {
        throw new Rlhf4jException(
            String.format(
                "ExplorationContext.annotate changed sample %s (prompt %s); it must return the"
                    + " same prompts and responses, in order, with rewards attached",
                i, g.prompt().id()));
      }
    }
    return out;
  }

  /** Checks one probability per comparison, each in [0, 1]. */
  static double[] checkProbabilities(double[] out, int expected, Object model) {
    if (out == null || out.length != expected) {
      throw new Rlhf4jException(
          String.format(
              "preference model %s returned %s probabilities for %s comparisons; it must return"
                  + " one per comparison",
              model.getClass().getName(), out == null ? "null" : out.length, expected));
    }
    for (int i = 0; i < out.length; i++) {
      if (!(out[i] >= 0 && out[i] <= 1)) {
        throw new Rlhf4jException(
            String.format(
                "preference model %s returned probability %s for comparison %s; probabilities"
                    + " must be in [0, 1]",
                model.getClass().getName(), out[i], i));
      }
    }
    return out;
  }
}
