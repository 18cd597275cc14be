package dev.rlhf4j.reward.eval;

import dev.rlhf4j.api.LengthUnit;
import static dev.rlhf4j.reward.eval.FakeModels.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class LengthPenalizedRewardModelTest {

  private static final RewardModel ONE = batch -> batch.stream().mapToDouble(r -> 1.0).toArray();

  private static List<ScoreRequest> requests(String... responses) {
    return java.util.Arrays.stream(responses).map(r -> new ScoreRequest(PROMPT, r)).toList();
  }

  @Test
  void score_subtractsLambdaTimesCharacters() {
    LengthPenalizedRewardModel model = LengthPenalizedRewardModel.ofCharacters(ONE, 0.1);

    double[] r = model.score(requests("abcd", "😀😀", ""));

    // 1 - 0.1·4, 1 - 0.1·2 (two code points), 1 - 0
    assertThat(r[0]).isCloseTo(0.6, within(1e-12));
    assertThat(r[1]).isCloseTo(0.8, within(1e-12));
    assertThat(r[2]).isEqualTo(1.0);
    assertThat(model.unit()).isEqualTo(LengthUnit.CHARACTERS);
    assertThat(model.tokenCounter()).isEmpty();
  }

  @Test
  void score_subtractsLambdaTimesTokens() {
    LengthPenalizedRewardModel model =
        LengthPenalizedRewardModel.builder(ONE, 0.5, LengthUnit.TOKENS)
            .tokenCounter(t -> t.isEmpty() ? 0 : t.split(" ").length)
            .build();

    double[] r = model.score(requests("a b c", "abcdefghij"));

    // 1 - 0.5·3 tokens, 1 - 0.5·1 token (ten characters but one word)
    assertThat(r).containsExactly(-0.5, 0.5);
    assertThat(model.length("a b c")).isEqualTo(3);
    assertThat(model.toBuilder().build().score(requests("a b"))).containsExactly(0.0);
  }

  @Test
  void score_withPenaltyFlipsAPairWonOnLengthAlone() {
    RewardModel likesLength =
        batch -> batch.stream().mapToDouble(r -> 0.01 * r.response().length()).toArray();
    List<PreferencePair> shortIsBetter =
        List.of(PreferencePair.of(PROMPT, "short", "a much longer answer"));

    double before = PairAccuracy.create().evaluate(likesLength, shortIsBetter).accuracy();
    double after =
        PairAccuracy.create()
            .evaluate(LengthPenalizedRewardModel.ofCharacters(likesLength, 0.02), shortIsBetter)
            .accuracy();

    assertThat(before).isEqualTo(0.0);
    assertThat(after).isEqualTo(1.0);
  }

  @Test
  void build_checksUnitAgainstTokenCounter() {
    assertThatThrownBy(
            () -> LengthPenalizedRewardModel.builder(ONE, 0.1, LengthUnit.TOKENS).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unit TOKENS needs a token counter");
    assertThatThrownBy(
            () ->
                LengthPenalizedRewardModel.builder(ONE, 0.1, LengthUnit.CHARACTERS)
                    .tokenCounter(String::length)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unit CHARACTERS counts code points");
    assertThatThrownBy(() -> LengthPenalizedRewardModel.ofCharacters(ONE, -0.1))
        .hasMessage("lambda must be finite and >= 0 but was -0.1");
    assertThatThrownBy(() -> LengthPenalizedRewardModel.ofCharacters(ONE, Double.NaN))
        .hasMessage("lambda must be finite and >= 0 but was NaN");
  }

  @Test
  void score_rejectsNonFiniteRewardAndNegativeTokenCount() {
    RewardModel nan = batch -> new double[] {Double.NaN};
    assertThatThrownBy(() -> LengthPenalizedRewardModel.ofCharacters(nan, 0.1).score(requests("a")))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("reward of NaN for request 0 of 1");

    LengthPenalizedRewardModel negative =
        LengthPenalizedRewardModel.builder(ONE, 0.1, LengthUnit.TOKENS)
            .tokenCounter(t -> -2)
            .build();
    assertThatThrownBy(() -> negative.score(requests("abc")))
        .isInstanceOf(Rlhf4jException.class)
        .hasMessageContaining("returned -2 tokens");
  }

  @Test
  void close_leavesTheWrappedModelOpen() {
    FakeModels.Recording inner = new FakeModels.Recording(ONE);
    LengthPenalizedRewardModel model = LengthPenalizedRewardModel.ofCharacters(inner, 0.1);

    model.close();
    model.close();

    assertThat(inner.closed).isZero();
    assertThat(model.delegate()).isSameAs(inner);
    assertThat(model.lambda()).isEqualTo(0.1);
  }
}
