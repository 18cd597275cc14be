package dev.rlhf4j.reward.eval;

import static dev.rlhf4j.reward.eval.FakeModels.pair;
import static dev.rlhf4j.reward.eval.FakeModels.textIsReward;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.PreferencePair;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of pair accuracy: batching does not matter, and ties count half. */
class PairAccuracyPropertiesTest {

  @Property
  void accuracy_isIndependentOfBatchSizeAndCountsTiesAsHalf(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -3, max = 3) Integer> chosen,
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -3, max = 3) Integer> rejected,
      @ForAll @IntRange(min = 1, max = 50) int batchSize) {
    int n = Math.min(chosen.size(), rejected.size());
    List<PreferencePair> pairs = new ArrayList<>();
    long wins = 0;
    long ties = 0;
    for (int i = 0; i < n; i++) {
      pairs.add(pair(chosen.get(i), rejected.get(i)));
      wins += chosen.get(i) > rejected.get(i) ? 1 : 0;
      ties += chosen.get(i).equals(rejected.get(i)) ? 1 : 0;
    }

    PairAccuracyResult r =
        PairAccuracy.builder().batchSize(batchSize).build().evaluate(textIsReward(), pairs);

    assertThat(r.pairs()).isEqualTo(n);
    assertThat(r.wins()).isEqualTo(wins);
    assertThat(r.ties()).isEqualTo(ties);
    assertThat(r.accuracy()).isCloseTo((wins + 0.5 * ties) / n, within(1e-12));
  }

  @Property
  void accuracy_ofSwappedPairsIsTheComplement(
      @ForAll @Size(min = 1, max = 30) List<@IntRange(min = -3, max = 3) Integer> scores) {
    List<PreferencePair> pairs = new ArrayList<>();
    List<PreferencePair> swapped = new ArrayList<>();
    for (int i = 0; i + 1 < scores.size(); i += 2) {
      pairs.add(pair(scores.get(i), scores.get(i + 1)));
      swapped.add(pair(scores.get(i + 1), scores.get(i)));
    }
    if (pairs.isEmpty()) {
      pairs.add(pair(scores.get(0), 0));
      swapped.add(pair(0, scores.get(0)));
    }

    double a = PairAccuracy.create().evaluate(textIsReward(), pairs).accuracy();
    double b = PairAccuracy.create().evaluate(textIsReward(), swapped).accuracy();

    assertThat(a + b).isCloseTo(1.0, within(1e-12));
  }
}
