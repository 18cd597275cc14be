/**
 * rlhf4j's transformer models on DJL: causal LMs and sequence classifiers in Hugging Face format,
 * LoRA adapters, tokenizers and memory estimates. Exports every public package; {@code internal}
 * packages stay inside.
 */
module dev.rlhf4j.models {
  requires transitive dev.rlhf4j.api;
  requires transitive ai.djl.api;
  requires ai.djl.pytorch_engine;
  requires ai.djl.tokenizers;
  requires com.fasterxml.jackson.databind;
  requires jinjava;
  requires java.desktop; // jinjava's ELResolver API names java.beans.FeatureDescriptor
  requires org.slf4j;

  exports dev.rlhf4j.models;
  exports dev.rlhf4j.models.checkpoint;
  exports dev.rlhf4j.models.config;
  exports dev.rlhf4j.models.memory;
  exports dev.rlhf4j.models.tokenizer;

  // jinjava instantiates the template syntax and resolvers by reflection
  opens dev.rlhf4j.models.tokenizer.internal to jinjava;
}
