/**
 * Implementation details of the synthetic task: its lexicon and the behaviour policies' response
 * writer. Not for use outside {@code dev.rlhf4j.examples.synthetic}.
 */
package dev.rlhf4j.examples.synthetic.internal;
