package dev.rlhf4j.spark;

import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.FinishReason;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.iterative.PolicySampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sampler that packs rows into batches as the DJL generator does ({@code rows} rows, cut at
 * multiples of {@code rows} from the start of each call) and answers each row with the prompt
 * ids of its batch: the samples differ from the in-process ones exactly when a response was
 * computed in a batch of other composition, which on a real model can change its bits.
 */
record ChunkRecordingSamplers(int rows) implements SamplerFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public PolicySampler open(Path checkpoint) {
    return (prompts, n, params) -> {
      int total = prompts.size() * n;
      List<String> batchOf = new ArrayList<>();
      for (int from = 0; from < total; from += rows) {
        StringBuilder ids = new StringBuilder();
        String last = null;
        for (int row = from; row < Math.min(total, from + rows); row++) {
          String id = prompts.get(row / n).id();
          if (!id.equals(last)) {
            ids.append(ids.length() == 0 ? "" : ",").append(id);
            last = id;
          }
        }
        batchOf.add(ids.toString());
      }
      List<GeneratedSample> out = new ArrayList<>();
      for (int i = 0; i < prompts.size(); i++) {
        List<Completion> responses = new ArrayList<>();
        for (int s = 0; s < n; s++) {
          responses.add(new Completion("batch[" + batchOf.get((i * n + s) / rows) + "] #" + s, 1,
              FinishReason.STOP));
        }
        out.add(new GeneratedSample(prompts.get(i), responses));
      }
      return out;
    };
  }

  @Override
  public int batchRows() {
    return rows;
  }
}
