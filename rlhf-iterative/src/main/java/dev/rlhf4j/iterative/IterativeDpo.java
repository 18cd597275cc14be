package dev.rlhf4j.iterative;

import dev.rlhf4j.iterative.djl.DjlDpoBackend;
import dev.rlhf4j.iterative.train.DpoConfig;

/**
 * Online iterative DPO, the paper's recipe (§3.3), as a preset of {@link IterativeLoop}: {@link
 * #builder()} is {@link IterativeLoop#builder()} with the DJL backend ({@link
 * DjlDpoBackend#defaults()}) already set, so {@code backend(...)} is optional. Every other default
 * is the loop's, which are the paper's: DPO with {@link DpoConfig#paperDefaults()}, π0 as the
 * reference, warm starts from the last iteration, rejection sampling with n = 8 at temperature 1.
 * Each setting is documented once, on {@link IterativeLoop.Builder}.
 *
 * <pre>{@code
 * LoopResult result = IterativeDpo.builder()
 *     .policy(Path.of("models/sft"))
 *     .rewardModel(rm)
 *     .prompts(PromptSource.jsonl(Path.of("prompts.jsonl")))
 *     .iterations(3).promptsPerIteration(20_000)
 *     .dpo(DpoConfig.builder().loss(PreferenceLoss.ipo(0.1)).learningRate(5e-7).build())
 *     .runDirectory(Path.of("runs/iter-dpo"))
 *     .listener(ProgressListener.console(System.out))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class IterativeDpo {
  private IterativeDpo() {}

  /**
   * An {@link IterativeLoop.Builder} with the paper's defaults and the DJL backend {@link
   * DjlDpoBackend#defaults()}; {@code backend(...)} replaces it (e.g. with a {@code
   * DjlDpoBackend.builder()} of other batching, or a Spark backend wrapping it).
   */
  public static IterativeLoop.Builder builder() {
    return IterativeLoop.builder().backend(DjlDpoBackend.defaults());
  }
}
