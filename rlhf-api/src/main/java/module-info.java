/**
 * rlhf4j's engine-free contracts: prompts, preference pairs, reward and preference models,
 * exploration strategies, events and the data formats. Exports every public package; {@code
 * internal} packages stay inside.
 */
module dev.rlhf4j.api {
  requires transitive com.google.common;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.rlhf4j.api;
  exports dev.rlhf4j.api.data;
  exports dev.rlhf4j.api.event;
  exports dev.rlhf4j.api.exploration;
  exports dev.rlhf4j.api.feedback;
  exports dev.rlhf4j.api.io;
}
