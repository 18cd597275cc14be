package dev.rlhf4j.iterative.train;

/**
 * Which end of a prompt survives when a preference pair is too long for {@link
 * DpoConfig#maxLength()}, TRL's {@code truncation_mode}.
 *
 * <p>The rule, applied to each pair (TRL's {@code DPOTrainer.tokenize_row} before version 0.12):
 *
 * <ol>
 *   <li>if the prompt plus the longer of the two responses exceeds {@code maxLength} tokens, the
 *       prompt is cut to {@code maxPromptLength} tokens, keeping its end ({@link #KEEP_END}) or its
 *       start ({@link #KEEP_START});
 *   <li>if the prompt plus a response still exceeds {@code maxLength}, that response is cut at its
 *       end to {@code maxLength − promptLength} tokens (it then loses its end-of-turn and EOS
 *       tokens). TRL cuts responses to {@code maxLength − maxPromptLength}; we use the room the
 *       prompt actually left, which is never less.
 * </ol>
 *
 * <p>Since {@code maxPromptLength < maxLength}, every response keeps at least one token.
 */
public enum PromptTruncation {
  /** Keep the last {@code maxPromptLength} prompt tokens (TRL's default, {@code "keep_end"}). */
  KEEP_END,
  /** Keep the first {@code maxPromptLength} prompt tokens ({@code "keep_start"}). */
  KEEP_START
}
