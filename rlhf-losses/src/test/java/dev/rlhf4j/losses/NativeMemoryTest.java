package dev.rlhf4j.losses;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.rlhf4j.losses.TestData.TokenBatch;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The number of live native arrays stays flat over many calls. {@code
 * NDManager.getManagedArrays()} lists the arrays a manager holds, including those of its open
 * sub-managers (closed sub-managers detach themselves), so it counts everything an operation could
 * have leaked into the inputs' manager.
 */
class NativeMemoryTest {
  private static final int STEPS = 30;

  @Test
  void liveArrays_stayFlatOverManyTrainingSteps() {
    Random random = new Random(1);
    TokenBatch policy = TokenBatch.random(random, 4, 8, 16, 2.0);
    TokenBatch reference = TokenBatch.random(random, 4, 8, 16, 2.0);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray policyLogits = policy.logitsArray(manager);
      NDArray referenceLogits = reference.logitsArray(manager);
      NDArray labels = policy.labelsArray(manager);
      NDArray mask = policy.maskArray(manager);
      NDArray chosenRewards = manager.create(new double[] {0.5, -0.2});
      NDArray rejectedRewards = manager.create(new double[] {0.1, 0.3});
      NDArray positions = manager.create(new long[] {3, 7, 0, 5});
      NDArray firstPreferred = manager.create(new boolean[] {true, false, true, false});
      policyLogits.setRequiresGradient(true);
      PreferenceLoss loss = PreferenceLoss.ipo(0.1).withNll(0.5);
      PairwisePreferenceLoss pairwise =
          new PairwisePreferenceLoss(1, 2, PairwisePreferenceLoss.Softmax.FULL_VOCABULARY);

      int before = -1;
      for (int i = 0; i < STEPS; i++) {
        if (i == 1) {
          // the first step creates the gradient buffer of the logits
          before = manager.getManagedArrays().size();
        }
        try (GradientCollector collector = Engine.getInstance().newGradientCollector();
            SequenceLogProbs policyAll = SequenceLogProbs.compute(policyLogits, labels, mask);
            SequenceLogProbs referenceAll =
                SequenceLogProbs.compute(referenceLogits, labels, mask);
            SequenceLogProbs.ChosenRejected policyPair = policyAll.split();
            SequenceLogProbs.ChosenRejected referencePair = referenceAll.split();
            PreferenceLossOutput dpo =
                loss.compute(PreferenceLossInput.of(policyPair, referencePair));
            PreferenceLossOutput bradleyTerry =
                new BradleyTerryLoss(0.01).compute(chosenRewards, rejectedRewards);
            PreferenceLossOutput preference =
                pairwise.compute(policyLogits, positions, firstPreferred)) {
          KlEstimates.of(policyAll, referenceAll);
          try (NDManager step = manager.newSubManager()) {
            // DJL's backward creates its ones-like seed in the target's manager: keep the target
            // in a per-step manager so that seed dies with the step
            NDArray total = dpo.loss().add(bradleyTerry.loss());
            total.attach(step);
            NDArray withPreference = total.add(preference.loss());
            collector.backward(withPreference);
          }
        }
      }
      assertThat(manager.getManagedArrays()).hasSize(before);
    }
  }
}
