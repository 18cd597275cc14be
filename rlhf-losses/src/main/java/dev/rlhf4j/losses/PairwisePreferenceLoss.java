package dev.rlhf4j.losses;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.losses.internal.Ops;
import java.util.HashMap;
import java.util.Map;

/**
 * The training loss of a pairwise preference model: a causal LM shown {@code "[CONTEXT] x
 * [RESPONSE A] a1 [RESPONSE B] a2"} and trained to answer with the token {@code "A"} or {@code "B"}
 * naming the better response (Dong et al. 2024, "RLHF Workflow: From Reward Modeling to Online
 * RLHF", section 2.2; Jiang et al. 2023, "LLM-Blender"). The loss is the cross-entropy of the
 * correct answer token at the answer position {@code p_i} (the position whose logits predict the
 * answer):
 *
 * <ul>
 *   <li>{@link Softmax#FULL_VOCABULARY}: {@code −log softmax(logits[i, p_i])[answer_i]}, the
 *       SFT loss the paper trains with;
 *   <li>{@link Softmax#ANSWER_TOKENS}: the two-way form {@code −log σ(±(ℓ_A − ℓ_B))}, which
 *       only compares the two answer logits, as the model is read at inference ({@code P(A) =
 *       σ(ℓ_A − ℓ_B)}).
 * </ul>
 *
 * <p>Metrics: {@code accuracy} (fraction with the preferred answer's logit strictly higher), {@code
 * probability_preferred} (mean two-way probability of the correct answer) and {@code loss}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param tokenA the vocabulary id of the answer "A"
 * @param tokenB the vocabulary id of the answer "B"
 * @param softmax over which tokens the softmax runs
 */
public record PairwisePreferenceLoss(long tokenA, long tokenB, Softmax softmax) {
  /** Fraction of items whose correct answer token has the strictly larger logit. */
  public static final String ACCURACY = "accuracy";

  /** Mean of {@code P(correct answer)} restricted to the two answer tokens. */
  public static final String PROBABILITY_PREFERRED = "probability_preferred";

  /** Over which tokens the answer's softmax runs. */
  public enum Softmax {
    /** The whole vocabulary: the language-modelling loss on the answer token. */
    FULL_VOCABULARY,
    /** Only the two answer tokens: a logistic loss on {@code ℓ_A − ℓ_B}. */
    ANSWER_TOKENS
  }

  /** @throws IllegalArgumentException if a token id is negative, they are equal, or null */
  public PairwisePreferenceLoss {
    checkArgument(tokenA >= 0, "tokenA must be >= 0 but was %s", tokenA);
    checkArgument(tokenB >= 0, "tokenB must be >= 0 but was %s", tokenB);
    checkArgument(tokenA != tokenB, "tokenA and tokenB must differ but both were %s", tokenA);
    checkArgument(softmax != null, "softmax must not be null");
  }

  /**
   * The mean loss over a batch.
   *
   * @param logits {@code [B, T, V]} logits of the prompts
   * @param answerPositions {@code [B]} integer position {@code p_i} in {@code [0, T)} whose logits
   *     predict the answer token
   * @param firstPreferred {@code [B]} boolean (or 0/1): true when response A is the better one
   * @throws IllegalArgumentException if a shape or type is wrong, a position is outside {@code [0,
   *     T)} or a token id outside {@code [0, V)}
   */
  public PreferenceLossOutput compute(
      NDArray logits, NDArray answerPositions, NDArray firstPreferred) {
    checkArgument(logits != null, "logits must not be null");
    checkArgument(answerPositions != null, "answerPositions must not be null");
    checkArgument(firstPreferred != null, "firstPreferred must not be null");
    Shape shape = logits.getShape();
    checkArgument(
        shape.dimension() == 3 && shape.get(0) > 0 && shape.get(1) > 0,
        "logits must have shape [batch, length, vocab] with every size >= 1 but had shape %s",
        shape);
    checkArgument(
        Ops.isFloating(logits.getDataType()),
        "logits must be float16, float32 or float64 but was %s",
        logits.getDataType());
    long batch = shape.get(0);
    long length = shape.get(1);
    long vocab = shape.get(2);
    checkArgument(
        tokenA < vocab && tokenB < vocab,
        "tokenA (%s) and tokenB (%s) must be < vocab size %s",
        tokenA,
        tokenB,
        vocab);
    checkArgument(
        answerPositions.getShape().equals(new Shape(batch))
            && Ops.isInteger(answerPositions.getDataType()),
        "answerPositions must be an integer array of shape [%s] but was %s %s",
        batch,
        answerPositions.getDataType(),
        answerPositions.getShape());
    checkArgument(
        firstPreferred.getShape().equals(new Shape(batch)),
        "firstPreferred must have shape [%s] but had shape %s",
        batch,
        firstPreferred.getShape());

    NDManager owner = logits.getManager();
    try (NDManager scope = owner.newSubManager()) {
      scope.tempAttachAll(Ops.distinct(logits, answerPositions, firstPreferred));
      long[] positions = answerPositions.toType(DataType.INT64, false).toLongArray();
      long[] rows = new long[(int) batch];
      for (int i = 0; i < batch; i++) {
        checkArgument(
            positions[i] >= 0 && positions[i] < length,
            "answerPositions[%s] must be in [0, %s) but was %s",
            i,
            length,
            positions[i]);
        rows[i] = i * length + positions[i];
      }
      DataType type = logits.getDataType() == DataType.FLOAT16
          ? DataType.FLOAT32
          : logits.getDataType();
      NDArray answerLogits =
          logits.reshape(batch * length, vocab).get(owned(scope.create(rows))).toType(type, false);
      NDArray preferA = firstPreferred.getDataType() == DataType.BOOLEAN
          ? firstPreferred
          : firstPreferred.neq(0);
      NDArray logitA = answerLogits.get(":, " + tokenA);
      NDArray logitB = answerLogits.get(":, " + tokenB);
      // ±(ℓ_A − ℓ_B): the log-odds of the correct answer against the other one
      NDArray odds = NDArrays.where(preferA, logitA.sub(logitB), logitB.sub(logitA));
      NDArray perItem;
      if (softmax == Softmax.ANSWER_TOKENS) {
        perItem = Ops.logSigmoid(odds).neg();
      } else {
        NDArray target = NDArrays.where(
            preferA,
            scope.full(new Shape(batch), tokenA, DataType.INT64),
            scope.full(new Shape(batch), tokenB, DataType.INT64));
        perItem = answerLogits.logSoftmax(-1).gather(target.expandDims(-1), -1).squeeze(-1).neg();
      }
      NDArray total = perItem.mean();
      double[] hostOdds = Ops.toHost(odds);
      double correct = 0;
      double probability = 0;
      for (double value : hostOdds) {
        if (value > 0) {
          correct++;
        }
        probability += 1 / (1 + Math.exp(-value));
      }
      Map<String, Double> metrics = new HashMap<>();
      metrics.put(ACCURACY, correct / batch);
      metrics.put(PROBABILITY_PREFERRED, probability / batch);
      metrics.put(PreferenceLossOutput.LOSS, Ops.toHost(total)[0]);
      total.attach(owner);
      return new PreferenceLossOutput(total, metrics);
    }
  }
}
