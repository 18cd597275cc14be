/**
 * The small command-line parser the example programs share: {@code --name value} options with
 * typed, range-checked getters whose errors name the option. Copying an example into your own
 * project, keep this class or swap in your favourite command-line library.
 */
package dev.rlhf4j.examples.cli;
