package dev.rlhf4j.benchmarks;

import dev.rlhf4j.models.CausalLm;
import dev.rlhf4j.models.ModelOptions;
import dev.rlhf4j.models.SequenceClassifier;
import dev.rlhf4j.models.checkpoint.StorageType;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The model shapes of the real-shape benchmarks: the exact configurations of two small models
 * people align, with random weights (nothing is downloaded).
 */
public enum RealShape {
  /**
   * SmolLM2-135M: Llama, 30 layers, d=576, 9 query / 3 key-value heads of 64, MLP 1536,
   * vocabulary 49,152, tied embeddings, rope θ 100,000, 8,192 positions.
   */
  SMOLLM2_135M(
      "smollm2-135m",
      ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
          .vocabSize(49_152).hiddenSize(576).numLayers(30).numHeads(9).numKvHeads(3)
          .intermediateSize(1536).normEps(1e-5).ropeTheta(100_000).maxPositionEmbeddings(8192)
          .tieWordEmbeddings(true).initializerRange(0.041667)
          .bosTokenId(java.util.OptionalInt.of(1)).eosTokenIds(List.of(2)).build()),
  /**
   * Qwen2.5-0.5B: Qwen2, 24 layers, d=896, 14 query / 2 key-value heads of 64, MLP 4864,
   * vocabulary 151,936, q/k/v biases, tied embeddings, rope θ 1,000,000, 32,768 positions.
   */
  QWEN25_05B(
      "qwen2.5-0.5b",
      ModelConfig.builder(Architecture.QWEN2_CAUSAL_LM)
          .vocabSize(151_936).hiddenSize(896).numLayers(24).numHeads(14).numKvHeads(2)
          .intermediateSize(4864).normEps(1e-6).ropeTheta(1_000_000)
          .maxPositionEmbeddings(32_768).tieWordEmbeddings(true).initializerRange(0.02)
          .bosTokenId(java.util.OptionalInt.empty()).eosTokenIds(List.of(151_643)).build());

  private final String id;
  private final ModelConfig config;

  RealShape(String id, ModelConfig config) {
    this.id = id;
    this.config = config;
  }

  /** The name used on the command line and in report keys, e.g. {@code smollm2-135m}. */
  public String id() {
    return id;
  }

  /** The causal-LM configuration. */
  public ModelConfig config() {
    return config;
  }

  /**
   * The shape named {@code id}.
   *
   * @throws IllegalArgumentException naming the known shapes if there is none
   */
  public static RealShape of(String id) {
    return Arrays.stream(values())
        .filter(s -> s.id.equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown shape '" + id + "'; shapes are "
                        + Arrays.stream(values()).map(RealShape::id).toList()));
  }

  /**
   * Writes {@code dir/lm} (the causal LM) and {@code dir/rm} (a reward model: the same backbone
   * with a one-label score head) as Hugging Face directories with random BF16 weights, as
   * checkpoints of these models are published; does nothing for a directory already written.
   * The weights are drawn in fp32 and rounded to BF16 in Java (never by the engine: BF16 arrays
   * crash DJL's PyTorch engine); loading widens them back to fp32.
   *
   * @return the two directories, LM first
   */
  public List<Path> write(Path dir) {
    Path lm = dir.resolve("lm");
    Path rm = dir.resolve("rm");
    if (Files.isRegularFile(lm.resolve("config.json"))
        && Files.isRegularFile(rm.resolve("config.json"))) {
      return List.of(lm, rm);
    }
    try (CausalLm model = CausalLm.randomInit(config, 17, ModelOptions.cpu())) {
      model.save(lm, StorageType.BF16);
      try (SequenceClassifier classifier = SequenceClassifier.fromCausalLm(model, 1, 18)) {
        classifier.save(rm, StorageType.BF16);
      }
    }
    return List.of(lm, rm);
  }

  /**
   * Parameters of the causal LM: total, and without the token embedding.
   */
  public String describe() {
    long d = config.hiddenSize();
    return String.format(
        Locale.ROOT,
        "%s: %s, %d layers, d=%d, %d/%d heads of %d, MLP %d, vocab %d%s, rope θ %.0f",
        id,
        config.architecture().hfName(),
        config.numLayers(),
        d,
        config.numHeads(),
        config.numKvHeads(),
        config.headDim(),
        config.intermediateSize(),
        config.vocabSize(),
        config.tieWordEmbeddings() ? ", tied" : "",
        config.ropeTheta());
  }

  /**
   * Writes the directories of the shapes given as arguments (all when none) under {@code
   * benchmarks/target/real-shapes}, or under the directory of {@code --dir}.
   */
  public static void main(String[] args) {
    Path root = Path.of("benchmarks", "target", "real-shapes");
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--dir") && i + 1 < args.length) {
        root = Path.of(args[++i]);
      } else {
        ids.add(args[i]);
      }
    }
    List<RealShape> shapes =
        ids.isEmpty() ? List.of(values()) : ids.stream().map(RealShape::of).toList();
    for (RealShape shape : shapes) {
      System.out.println(shape.write(root.resolve(shape.id())));
    }
  }
}
