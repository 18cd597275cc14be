/**
 * rlhf4j's online iterative loop: {@code IterativeDpo} / {@code IterativeLoop}, the DPO and SFT
 * trainers, the DJL policy backend and checkpoint evaluation. Exports every public package;
 * {@code internal} packages stay inside.
 */
module dev.rlhf4j.iterative {
  requires transitive dev.rlhf4j.models;
  requires transitive dev.rlhf4j.training;
  requires transitive dev.rlhf4j.losses;
  requires transitive dev.rlhf4j.sampling;
  requires transitive dev.rlhf4j.reward;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.rlhf4j.iterative;
  exports dev.rlhf4j.iterative.djl;
  exports dev.rlhf4j.iterative.run;
  exports dev.rlhf4j.iterative.train;
}
