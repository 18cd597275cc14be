package dev.rlhf4j.examples.custom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.rlhf4j.api.AnnotatedSample;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.ExplorationContext;
import dev.rlhf4j.api.exploration.Sampler;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The gate on fixed responses and rewards, without a model. */
class MarginGatedBestVsWorstTest {
  /** Prompt text → the responses the fake policy returns for it, in order. */
  private static final Map<String, List<String>> RESPONSES =
      Map.of(
          "wide", List.of("aa", "a", "aaaa", "aaa"),
          "narrow", List.of("bb", "b", "bb", "b"),
          "tied", List.of("cc", "dd", "ee", "ff"),
          "exact", List.of("d", "ddd", "dd", "d"));

  /** Reward = length in characters: margins: wide 3, narrow 1, tied 0, exact 2. */
  private static final RewardModel LENGTH =
      batch -> batch.stream().mapToDouble(r -> r.response().length()).toArray();

  @Test
  void explore_keepsBestVsWorstOnlyWhenTheMarginReachesTheThreshold() {
    List<Prompt> prompts = new ArrayList<>();
    for (String text : List.of("wide", "narrow", "tied", "exact")) {
      prompts.add(Prompt.ofUser(text));
    }
    FakeContext context = new FakeContext();

    List<PreferencePair> pairs = new MarginGatedBestVsWorst(4, 2.0).explore(prompts, context);

    assertThat(context.sampledN).isEqualTo(4);
    assertThat(context.annotated).hasSize(4);
    assertThat(pairs)
        .extracting(PreferencePair::chosen, PreferencePair::rejected)
        .containsExactly(
            tuple("aaaa", "a"),
            tuple("ddd", "d"));
    assertThat(pairs).allSatisfy(p -> {
      assertThat(p.margin().orElseThrow()).isGreaterThanOrEqualTo(2.0);
      assertThat(p.source()).isEqualTo(MarginGatedBestVsWorst.SOURCE);
    });
    assertThat(new MarginGatedBestVsWorst(4, 3.5).explore(prompts, context)).isEmpty();
  }

  @Test
  void constructor_rejectsTooFewSamplesAndNonPositiveMargins() {
    assertThatThrownBy(() -> new MarginGatedBestVsWorst(1, 1))
        .hasMessage("n must be >= 2 to form a pair but was 1");
    assertThatThrownBy(() -> new MarginGatedBestVsWorst(4, 0))
        .hasMessage("minMargin must be finite and > 0 but was 0.0");
    assertThatThrownBy(() -> new MarginGatedBestVsWorst(4, Double.NaN))
        .hasMessage("minMargin must be finite and > 0 but was NaN");
  }

  /** A context whose policy returns {@link #RESPONSES} and whose reward is {@link #LENGTH}. */
  private static final class FakeContext implements ExplorationContext {
    int sampledN;
    final List<AnnotatedSample> annotated = new ArrayList<>();

    @Override
    public int iteration() {
      return 1;
    }

    @Override
    public Sampler policy() {
      return (prompts, n, params) -> {
        sampledN = n;
        List<GeneratedSample> out = new ArrayList<>();
        for (Prompt p : prompts) {
          List<Completion> completions = new ArrayList<>();
          for (String text : RESPONSES.get(p.messages().get(0).content()).subList(0, n)) {
            completions.add(Completion.stopped(text, text.length()));
          }
          out.add(new GeneratedSample(p, completions));
        }
        return out;
      };
    }

    @Override
    public Optional<Sampler> previousPolicy() {
      return Optional.empty();
    }

    @Override
    public SamplingParams sampling() {
      return SamplingParams.builder().build();
    }

    @Override
    public List<AnnotatedSample> annotate(List<GeneratedSample> samples) {
      annotated.clear();
      annotated.addAll(LENGTH.annotate(samples));
      return annotated;
    }

    @Override
    public Optional<PreferenceModel> preferenceModel() {
      return Optional.empty();
    }

    @Override
    public RandomGenerator random() {
      return new SplittableRandom(1);
    }
  }
}
