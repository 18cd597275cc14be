package dev.rlhf4j.iterative.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlhf4j.losses.PreferenceLoss;
import org.junit.jupiter.api.Test;

class DpoConfigTest {

  @Test
  void defaults_areThePapers() {
    DpoConfig config = DpoConfig.builder().build();
    assertThat(config.beta()).isEqualTo(0.1);
    assertThat(config.loss()).isEqualTo(PreferenceLoss.sigmoid(0.1));
    assertThat(config.optimization().learningRate()).isEqualTo(5e-7);
    assertThat(config.optimization().epochs()).isEqualTo(2);
    assertThat(config.optimization().warmupRatio()).isEqualTo(0.03);
    assertThat(config.optimization().globalBatchSize()).isEqualTo(128);
    assertThat(config.optimization().microBatchSize()).isEqualTo(8);
    assertThat(config.optimization().accumulationSteps()).isEqualTo(16);
    assertThat(config.maxLength()).isEqualTo(1024);
    assertThat(config.maxPromptLength()).isEqualTo(512);
    assertThat(config.truncationRule()).isEqualTo(PromptTruncation.KEEP_END);
    assertThat(config.referenceScoring()).isEqualTo(ReferenceLogProbs.PRECOMPUTED);
    assertThat(config.optimization().maxGradNorm()).isEqualTo(1.0);
    assertThat(config.optimization().weightDecay()).isZero();
    assertThat(config.rpoAlpha()).isZero();
  }

  @Test
  void lora_isOffByDefault_survivesToBuilder_andNoLoraClearsIt() {
    dev.rlhf4j.models.LoraConfig lora =
        new dev.rlhf4j.models.LoraConfig(
            8, 16, 0.05, dev.rlhf4j.models.LoraConfig.LLAMA_ALL_LINEAR);
    assertThat(DpoConfig.builder().build().lora()).isEmpty();
    DpoConfig dpo = DpoConfig.builder().lora(lora).seed(3).build();
    assertThat(dpo.lora()).contains(lora);
    assertThat(dpo.toBuilder().seed(4).build().lora()).contains(lora);
    assertThat(dpo.toBuilder().noLora().build().lora()).isEmpty();
    assertThat(dpo.toString()).contains("lora=Optional[LoraConfig[rank=8");
    SftConfig sft = SftConfig.builder().lora(lora).build();
    assertThat(SftConfig.builder().build().lora()).isEmpty();
    assertThat(sft.toBuilder().maxLength(64).build().lora()).contains(lora);
    assertThat(sft.toBuilder().noLora().build().lora()).isEmpty();
    assertThatThrownBy(() -> DpoConfig.builder().lora(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("lora must not be null");
  }

  @Test
  void globalBatchNotAMultipleOfMicro_isRefusedWithTheNumbers() {
    assertThatThrownBy(() -> DpoConfig.builder().globalBatchSize(100).microBatchSize(8).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "globalBatchSize must be a multiple of microBatchSize, but 100 is not a multiple of"
                + " 8; set globalBatchSize to 96 or 104");
  }

  @Test
  void promptLengthNotBelowMaxLength_isRefused() {
    assertThatThrownBy(() -> DpoConfig.builder().maxLength(256).maxPromptLength(256).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "maxPromptLength must be in [1, maxLength = 256) so that every response keeps a"
                + " token, but was 256");
  }

  @Test
  void setters_checkTheirRanges() {
    assertThatThrownBy(() -> DpoConfig.builder().beta(-0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("beta must be finite and > 0 but was -0.1");
    assertThatThrownBy(() -> DpoConfig.builder().learningRate(0))
        .hasMessage("learningRate must be finite and > 0 but was 0.0");
    assertThatThrownBy(() -> DpoConfig.builder().warmupRatio(1.5))
        .hasMessage("warmupRatio must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> DpoConfig.builder().epochs(0))
        .hasMessage("epochs must be >= 1 but was 0");
    assertThatThrownBy(() -> DpoConfig.builder().maxGradNorm(0))
        .hasMessageStartingWith("maxGradNorm must be > 0");
    assertThatThrownBy(() -> DpoConfig.builder().rpoAlpha(-1))
        .hasMessage("rpoAlpha must be finite and >= 0 but was -1.0");
  }

  @Test
  void betaAndLoss_laterCallWins() {
    assertThat(DpoConfig.builder().loss(PreferenceLoss.ipo(0.5)).beta(0.2).build().loss())
        .isEqualTo(PreferenceLoss.sigmoid(0.2));
    assertThat(DpoConfig.builder().beta(0.2).loss(PreferenceLoss.hinge(0.3)).build().beta())
        .isEqualTo(0.3);
  }

  @Test
  void rpoAlpha_addsTheNllTerm_andRoundTripsThroughToBuilder() {
    DpoConfig config =
        DpoConfig.builder().loss(PreferenceLoss.ipo(0.5)).rpoAlpha(1.0).seed(3).build();
    assertThat(config.loss()).isEqualTo(PreferenceLoss.ipo(0.5).withNll(1.0));
    assertThat(config.rpoAlpha()).isEqualTo(1.0);
    assertThat(config.toBuilder().build()).isEqualTo(config);
    assertThat(config.toBuilder().epochs(1).build().loss()).isEqualTo(config.loss());
    assertThatThrownBy(
            () ->
                DpoConfig.builder()
                    .loss(PreferenceLoss.sigmoid(0.1).withNll(2.0))
                    .rpoAlpha(1.0)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "rpoAlpha 1.0 was set but the loss already has an NLL term (weight 2.0); set one of"
                + " them");
  }

  @Test
  void referenceSync_needsLiveScoring_andSaysSo() {
    assertThatThrownBy(() -> DpoConfig.builder().referenceSync(new ReferenceSync(0.6, 8)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "referenceSync ReferenceSync[alpha=0.6, everySteps=8] moves the reference during"
                + " training, so its log-probabilities cannot be precomputed; set"
                + " referenceScoring(ReferenceLogProbs.LIVE)");
    assertThat(
            DpoConfig.builder().referenceScoring(ReferenceLogProbs.LIVE)
                .referenceSync(ReferenceSync.trlDefaults()).build().toBuilder().build()
                .referenceSync())
        .contains(new ReferenceSync(0.6, 512));
    assertThatThrownBy(() -> new ReferenceSync(0, 1))
        .hasMessage("alpha must be in (0, 1] but was 0.0");
  }
}
