/**
 * rlhf4j's losses: the DPO family, Bradley–Terry and pairwise preference losses, as
 * differentiable DJL expressions. Exports every public package; {@code internal} packages stay
 * inside.
 */
module dev.rlhf4j.losses {
  requires transitive dev.rlhf4j.models;

  exports dev.rlhf4j.losses;
}
