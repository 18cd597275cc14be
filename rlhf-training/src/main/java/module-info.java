/**
 * rlhf4j's training core: one optimisation record, one training loop with exact resume, AdamW,
 * schedules, clipping and gradient accumulation. Exports every public package; {@code internal}
 * packages stay inside.
 */
module dev.rlhf4j.training {
  requires transitive dev.rlhf4j.models;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.rlhf4j.training;
  exports dev.rlhf4j.training.optim;

  // the optimiser-state index is a record that Jackson reads and writes
  opens dev.rlhf4j.training.optim.internal to com.fasterxml.jackson.databind;
}
