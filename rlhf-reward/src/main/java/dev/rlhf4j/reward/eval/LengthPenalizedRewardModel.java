package dev.rlhf4j.reward.eval;

import dev.rlhf4j.api.LengthUnit;
import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.api.feedback.ScoreRequest;
import dev.rlhf4j.api.io.Fingerprint;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * A length-penalised view of any reward model (paper eq. 8): r̃(x, a) = r(x, a) − λ · |a|,
 * where |a| is the length of the response in {@link #unit()}. The paper counts characters;
 * with {@link LengthUnit#TOKENS} the caller supplies the token counter (e.g. {@code text ->
 * tokenizer.encode(text).getIds().length} with the policy's tokenizer, special tokens off).
 * The prompt is not counted.
 *
 * <pre>{@code
 * RewardModel penalised = LengthPenalizedRewardModel.ofCharacters(rewardModel, 0.001);
 * }</pre>
 *
 * <p>{@link #close()} does not close the wrapped model: whoever built it closes it. Thread-safe
 * when the wrapped model and the token counter are.
 */
public final class LengthPenalizedRewardModel implements RewardModel {
  private final RewardModel delegate;
  private final double lambda;
  private final LengthUnit unit;
  private final ToIntFunction<String> tokenCounter;

  private LengthPenalizedRewardModel(Builder builder) {
    this.delegate = builder.delegate;
    this.lambda = builder.lambda;
    this.unit = builder.unit;
    this.tokenCounter = builder.tokenCounter;
  }

  /**
   * The paper's penalty: λ per character (Unicode code point) of the response.
   *
   * @throws IllegalArgumentException if delegate is null or lambda is negative or not finite
   */
  public static LengthPenalizedRewardModel ofCharacters(RewardModel delegate, double lambda) {
    return builder(delegate, lambda, LengthUnit.CHARACTERS).build();
  }

  /**
   * A builder; for {@link LengthUnit#TOKENS} also set {@link Builder#tokenCounter}.
   *
   * @param delegate the reward model to penalise
   * @param lambda the penalty per unit of length, λ ≥ 0
   * @param unit what a unit of length is
   * @throws IllegalArgumentException if delegate or unit is null or lambda is negative or not
   *     finite
   */
  public static Builder builder(RewardModel delegate, double lambda, LengthUnit unit) {
    return new Builder(delegate, lambda, unit);
  }

  /** A builder holding this model's settings. */
  public Builder toBuilder() {
    Builder builder = new Builder(delegate, lambda, unit);
    builder.tokenCounter = tokenCounter;
    return builder;
  }

  /**
   * The wrapped model's rewards minus λ · length of each response.
   *
   * @throws Rlhf4jException if the wrapped model returns the wrong number of rewards or a
   *     non-finite one, or the token counter returns a negative count
   */
  @Override
  public double[] score(List<ScoreRequest> batch) {
    double[] rewards = delegate.score(batch);
    if (rewards == null || rewards.length != batch.size()) {
      throw new Rlhf4jException(
          delegate.getClass().getName() + ".score returned "
              + (rewards == null ? "null" : rewards.length + " rewards") + " for " + batch.size()
              + " requests; it must return one reward per request");
    }
    double[] penalised = new double[rewards.length];
    for (int i = 0; i < rewards.length; i++) {
      if (!Double.isFinite(rewards[i])) {
        throw new Rlhf4jException(
            delegate.getClass().getName() + " returned a reward of " + rewards[i]
                + " for request " + i + " of " + batch.size() + "; rewards must be finite");
      }
      penalised[i] = rewards[i] - lambda * length(batch.get(i).response());
    }
    return penalised;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The wrapped model's fingerprint (its parts under {@code model/}) with λ and the length unit;
   * empty when the wrapped model has none. A token counter is code and is not part of it.
   */
  @Override
  public Optional<Fingerprint> fingerprint() {
    return delegate
        .fingerprint()
        .map(
            f ->
                new Fingerprint(
                        new TreeMap<>(
                            Map.of(
                                "setting:lambda", Double.toString(lambda),
                                "setting:unit", unit.name())))
                    .with("model/", f));
  }

  /**
   * The length of a response in {@link #unit()}.
   *
   * @throws Rlhf4jException if the token counter returns a negative count
   */
  public int length(String response) {
    if (unit == LengthUnit.CHARACTERS) {
      return LengthUnit.characters(response);
    }
    int tokens = tokenCounter.applyAsInt(response);
    if (tokens < 0) {
      throw new Rlhf4jException(
          "the token counter returned " + tokens + " tokens for a response of "
              + response.length() + " chars; a count must be >= 0");
    }
    return tokens;
  }

  /** The wrapped model. */
  public RewardModel delegate() {
    return delegate;
  }

  /** The penalty per unit of length. */
  public double lambda() {
    return lambda;
  }

  /** The unit lengths are measured in. */
  public LengthUnit unit() {
    return unit;
  }

  /** The token counter, present for {@link LengthUnit#TOKENS}. */
  public Optional<ToIntFunction<String>> tokenCounter() {
    return Optional.ofNullable(tokenCounter);
  }

  /** Does nothing: the wrapped model belongs to whoever built it. Idempotent. */
  @Override
  public void close() {}

  /** Settings for {@link LengthPenalizedRewardModel}. Not thread-safe. */
  public static final class Builder {
    private final RewardModel delegate;
    private final double lambda;
    private final LengthUnit unit;
    private ToIntFunction<String> tokenCounter;

    private Builder(RewardModel delegate, double lambda, LengthUnit unit) {
      checkArgument(delegate != null, "delegate must not be null");
      checkArgument(
          lambda >= 0 && Double.isFinite(lambda), "lambda must be finite and >= 0 but was %s",
          lambda);
      checkArgument(unit != null, "unit must not be null");
      this.delegate = delegate;
      this.lambda = lambda;
      this.unit = unit;
    }

    /**
     * How many tokens a response has; required for {@link LengthUnit#TOKENS}, not allowed for
     * {@link LengthUnit#CHARACTERS}. Called once per scored response, from the scoring thread.
     *
     * @throws IllegalArgumentException if tokenCounter is null
     */
    public Builder tokenCounter(ToIntFunction<String> tokenCounter) {
      checkArgument(tokenCounter != null, "tokenCounter must not be null");
      this.tokenCounter = tokenCounter;
      return this;
    }

    /**
     * The penalised model.
     *
     * @throws IllegalArgumentException if the unit is TOKENS without a token counter, or
     *     CHARACTERS with one
     */
    public LengthPenalizedRewardModel build() {
      checkArgument(
          unit != LengthUnit.TOKENS || tokenCounter != null,
          "unit TOKENS needs a token counter: call tokenCounter(text -> ...) with the "
              + "tokenizer whose tokens you want to count");
      checkArgument(
          unit != LengthUnit.CHARACTERS || tokenCounter == null,
          "unit CHARACTERS counts code points and ignores a token counter; use unit TOKENS to "
              + "count tokens");
      return new LengthPenalizedRewardModel(this);
    }
  }
}
