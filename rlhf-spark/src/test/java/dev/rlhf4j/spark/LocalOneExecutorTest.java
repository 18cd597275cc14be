package dev.rlhf4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.reward.DjlRewardModel;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code local[1]}: one executor thread gives the in-process run's files too. */
class LocalOneExecutorTest {
  @TempDir static Path tmp;
  private static JavaSparkContext sc;

  @BeforeAll
  static void setUp() {
    sc = Tiny.spark("local[1]");
  }

  @AfterAll
  static void tearDown() {
    if (sc != null) {
      sc.stop();
    }
  }

  @Test
  void iterativeDpo_twoIterations_onOneExecutor_equalTheInProcessRun() {
    Path pi0 = Tiny.policy(tmp.resolve("pi0"), 3);
    Path rmDir = Tiny.rewardModel(tmp.resolve("rm"), 7);
    Path local = tmp.resolve("in-process");
    Path remote = tmp.resolve("spark");
    try (RewardModel rm = DjlRewardModel.fromDirectory(rmDir).maxBatchSize(1).build()) {
      Tiny.loop(pi0, Tiny.djl(), rm, local).build().run();
    }
    try (SparkRewardModel rm = SparkRewardModel.builder(sc, ScoringModelSpec.djlReward(
            ModelStore.existing(rmDir.toUri(), sc.hadoopConfiguration())).withMaxBatchSize(1))
        .build();
        SparkPolicyBackend backend = SparkPolicyBackend.builder(sc)
            .samplers(SamplerFactory.generator(Tiny.ROWS)).build(Tiny.djl())) {
      Tiny.loop(pi0, backend, rm, remote).build().run();
    }
    assertThat(Tiny.handOffFiles(remote)).isEqualTo(Tiny.handOffFiles(local));
  }
}
