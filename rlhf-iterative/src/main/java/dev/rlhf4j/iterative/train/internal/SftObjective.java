package dev.rlhf4j.iterative.train.internal;

import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.losses.SequenceLogProbs;
import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.training.TrainingLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The supervised objective: the negative log-likelihood of the response tokens, averaged over all
 * response tokens of the global batch. Each micro-batch contributes its NLL sum divided by the
 * global batch's response-token count, so the step's loss is the token mean over the whole batch
 * whatever the micro-batch size (as transformers does since it fixed gradient accumulation, with
 * {@code num_items_in_batch}). Prompt and padding positions are outside the completion mask and
 * count for nothing.
 */
public final class SftObjective implements TrainingLoop.Objective<SftObjective.Prepared> {
  /** The metric: the token mean of the response NLL over the step's batch. */
  public static final String LOSS = "loss";

  private final CausalLm policy;
  private final List<TokenizedSequence> examples;
  private long batchTokens;

  /** An objective over {@code examples}, indexed as the loop's batches index them. */
  public SftObjective(CausalLm policy, List<TokenizedSequence> examples) {
    this.policy = policy;
    this.examples = examples;
  }

  /** A micro-batch ready for the policy. */
  public record Prepared(CompletionBatch batch, long responseTokens) {}

  @Override
  public void beginStep(int[] batch) {
    long total = 0;
    for (int index : batch) {
      total += examples.get(index).responseLength();
    }
    batchTokens = total;
  }

  @Override
  public Prepared prepare(NDManager scope, int[] microBatch) {
    List<TokenizedSequence> rows = new ArrayList<>(microBatch.length);
    long responseTokens = 0;
    for (int index : microBatch) {
      rows.add(examples.get(index));
      responseTokens += examples.get(index).responseLength();
    }
    return new Prepared(CompletionBatch.of(scope, rows), responseTokens);
  }

  @Override
  public TrainingLoop.MicroLoss loss(NDManager scope, Prepared prepared) {
    CompletionBatch batch = prepared.batch();
    LogProbs.Projected projected = LogProbs.projected(policy, batch);
    SequenceLogProbs logProbs = projected.logProbs();
    NDArray nll = logProbs.sum().sum().neg();
    NDArray weighted = nll.div(scalar(nll, batchTokens));
    double sum = nll.toType(DataType.FLOAT64, false).getDouble();
    return new TrainingLoop.MicroLoss(
        projected.lossForBackward(weighted),
        sum / prepared.responseTokens(),
        Map.of(LOSS, sum / batchTokens),
        batch.tokens());
  }
}
