package dev.rlhf4j.iterative.train;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Reference-model synchronisation, TR-DPO (Gorbatovski et al. 2024, "Learn Your Reference Model
 * for Real Good Alignment", the soft update of §3): every {@code everySteps} optimizer steps τ the
 * reference is moved towards the policy, {@code π_ref ← α·π_θ + (1 − α)·π_ref}, parameter by
 * parameter. TRL's {@code sync_ref_model} with {@code ref_model_mixup_alpha} = α and {@code
 * ref_model_sync_steps} = τ (TRL's defaults: α 0.6, τ 512). α = 1 is the paper's hard update.
 *
 * <p>The trainer syncs a copy of the reference it owns (a reference model given to the trainer is
 * never written), scores it live ({@link ReferenceLogProbs#LIVE}) and keeps it in its mid-training
 * checkpoints, so a resumed run continues with the synced reference. Immutable.
 *
 * @param alpha the mix-up weight α of the policy, in (0, 1]
 * @param everySteps τ, optimizer steps between syncs, ≥ 1
 */
public record ReferenceSync(double alpha, int everySteps) {
  /** @throws IllegalArgumentException if α is outside (0, 1] or τ is below 1 */
  public ReferenceSync {
    checkArgument(alpha > 0 && alpha <= 1, "alpha must be in (0, 1] but was %s", alpha);
    checkArgument(everySteps >= 1, "everySteps must be >= 1 but was %s", everySteps);
  }

  /** TRL's defaults: α 0.6, τ 512. */
  public static ReferenceSync trlDefaults() {
    return new ReferenceSync(0.6, 512);
  }
}
