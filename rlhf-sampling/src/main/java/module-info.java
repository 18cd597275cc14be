/**
 * rlhf4j's sampling: batched generation with a KV cache and the built-in exploration strategies.
 * Exports every public package; {@code internal} packages stay inside.
 */
module dev.rlhf4j.sampling {
  requires transitive dev.rlhf4j.models;
  requires org.slf4j;

  exports dev.rlhf4j.sampling.exploration;
  exports dev.rlhf4j.sampling.generate;
}
