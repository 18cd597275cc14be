/**
 * rlhf4j's proxy preference signals: Bradley–Terry reward models (DJL and ONNX Runtime), pairwise
 * preference models, their trainers and evaluators. Exports every public package; {@code
 * internal} packages stay inside.
 */
module dev.rlhf4j.reward {
  requires transitive dev.rlhf4j.models;
  requires transitive dev.rlhf4j.training;
  requires dev.rlhf4j.losses;
  requires com.fasterxml.jackson.databind;
  requires com.microsoft.onnxruntime;
  requires com.google.protobuf;
  requires org.slf4j;

  exports dev.rlhf4j.reward;
  exports dev.rlhf4j.reward.eval;
  exports dev.rlhf4j.reward.onnx;
  exports dev.rlhf4j.reward.preference;
  exports dev.rlhf4j.reward.train;
}
