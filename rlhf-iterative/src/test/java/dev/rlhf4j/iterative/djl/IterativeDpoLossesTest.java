package dev.rlhf4j.iterative.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.exploration.SamplingParams;
import dev.rlhf4j.iterative.IterativeDpo;
import dev.rlhf4j.iterative.LoopResult;
import dev.rlhf4j.iterative.PromptSource;
import dev.rlhf4j.iterative.train.DpoConfig;
import dev.rlhf4j.iterative.train.ReferenceLogProbs;
import dev.rlhf4j.iterative.train.ReferenceSync;
import dev.rlhf4j.losses.PreferenceLoss;
import dev.rlhf4j.sampling.exploration.ExplorationStrategies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online loop trains the loss its {@link DpoConfig} names. One iteration on the DJL backend
 * (the default) with a global batch larger than the pairs collected is a single step, taken with
 * the policy equal to the reference (π0), so every log-ratio is 0 and the recorded loss is the
 * loss family's value at 0: ln 2 for sigmoid DPO, (1/(2β))² for IPO, ln 2 + α·NLL for RPO,
 * 0.8·ln 2 + 0.2·2 ln 2 + NLL for MPO. Reference sync (TR-DPO) with α = 1 every step makes the
 * reference the policy before each step, so the last step's loss is ln 2 again, which a fixed
 * reference does not give. LD-DPO shows in the recorded log-probabilities, which count the tokens
 * past the shared length by α only.
 */
class IterativeDpoLossesTest {
  private static final double LN2 = Math.log(2);

  @TempDir Path tmp;
  private Path pi0;

  @BeforeEach
  void writePolicy() {
    pi0 = TinyPolicy.write(tmp.resolve("pi0"), 3);
  }

  private Map<String, Double> trainMetrics(DpoConfig.Builder dpo, String run) {
    Map<String, Double> metrics = trainMetrics(dpo.globalBatchSize(16), run, 1e-3);
    assertThat(metrics.get("train/steps")).isEqualTo(1.0);
    return metrics;
  }

  private Map<String, Double> trainMetrics(DpoConfig.Builder dpo, String run, double lr) {
    List<Prompt> prompts = new ArrayList<>();
    String[] words = {"say yes", "say one", "say red cat", "say two dog", "say blue"};
    for (int i = 0; i < 8; i++) {
      prompts.add(new Prompt("p" + i, List.of(Message.user(words[i % 5]))));
    }
    LoopResult result =
        IterativeDpo.builder()
            .policy(pi0)
            .rewardModel(new TinyPolicy.YesReward())
            .prompts(PromptSource.of(prompts))
            .iterations(1)
            .promptsPerIteration(8)
            .exploration(ExplorationStrategies.rejectionSampling(4))
            .sampling(SamplingParams.builder().temperature(1).maxNewTokens(6).build())
            .dpo(
                dpo.learningRate(lr).epochs(1).microBatchSize(2)
                    .warmupRatio(0).maxLength(32).maxPromptLength(16).build())
            .seed(11)
            .runDirectory(tmp.resolve(run))
            .build()
            .run();
    return result.last().metrics();
  }

  @Test
  void sigmoid_theDefault_recordsLn2() {
    Map<String, Double> m = trainMetrics(DpoConfig.builder(), "sigmoid");
    assertThat(m.get("train/loss")).isCloseTo(LN2, within(1e-5));
    assertThat(m).doesNotContainKey("train/nll_loss");
  }

  @Test
  void ipo_recordsTheSquaredMargin() {
    Map<String, Double> m =
        trainMetrics(DpoConfig.builder().loss(PreferenceLoss.ipo(0.1)), "ipo");
    assertThat(m.get("train/loss")).isCloseTo(25.0, within(1e-3)); // (0 − 1/(2·0.1))²
  }

  @Test
  void rpo_recordsTheNllTermOnTopOfDpo() {
    Map<String, Double> m = trainMetrics(DpoConfig.builder().rpoAlpha(0.5), "rpo");
    assertThat(m.get("train/nll_loss")).isPositive();
    assertThat(m.get("train/loss") - 0.5 * m.get("train/nll_loss")).isCloseTo(LN2, within(1e-5));
  }

  @Test
  void mpo_recordsTheWeightedSumOfSigmoidBcoPairAndNll() {
    Map<String, Double> m = trainMetrics(DpoConfig.builder().loss(PreferenceLoss.mpo(0.1)), "mpo");
    assertThat(m.get("train/nll_loss")).isPositive();
    assertThat(m.get("train/loss") - m.get("train/nll_loss"))
        .isCloseTo(0.8 * LN2 + 0.2 * 2 * LN2, within(1e-5));
  }

  @Test
  void referenceSync_everyStepWithAlpha1_makesEachStepStartAtLn2() {
    DpoConfig.Builder synced =
        DpoConfig.builder().globalBatchSize(2).referenceScoring(ReferenceLogProbs.LIVE)
            .referenceSync(new ReferenceSync(1.0, 1));
    Map<String, Double> m = trainMetrics(synced, "sync", 5e-2);
    assertThat(m.get("train/steps")).isGreaterThanOrEqualTo(2.0);
    assertThat(m.get("train/loss")).isCloseTo(LN2, within(1e-5));
    assertThat(m.get("train/rewards/margins")).isCloseTo(0, within(1e-5));

    Map<String, Double> fixed =
        trainMetrics(
            DpoConfig.builder().globalBatchSize(2).referenceScoring(ReferenceLogProbs.LIVE),
            "fixed", 5e-2);
    assertThat(Math.abs(fixed.get("train/loss") - LN2)).isGreaterThan(1e-4);
  }

  @Test
  void ldDpo_recordsLengthDesensitisedLogProbabilities() {
    Map<String, Double> plain = trainMetrics(DpoConfig.builder(), "plain");
    Map<String, Double> ld = trainMetrics(DpoConfig.builder().ldAlpha(0), "ld");
    // the same pairs (same seed); α = 0 drops the tokens past the shared length, whose
    // log-probabilities are negative, so the recorded log-probabilities rise
    assertThat(ld.get("train/logps/chosen") + ld.get("train/logps/rejected"))
        .isGreaterThan(plain.get("train/logps/chosen") + plain.get("train/logps/rejected") + 1e-3);
    assertThat(ld.get("train/loss")).isCloseTo(LN2, within(1e-5));
  }
}
