package dev.rlhf4j.examples.sorting;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.iterative.train.SftExample;
import dev.rlhf4j.models.config.Architecture;
import dev.rlhf4j.models.config.ModelConfig;
import dev.rlhf4j.models.tokenizer.HfTokenizerWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The second built-in task: sort a handful of digits. A prompt lists k distinct digits in random
 * order ({@code "sort 7 2 9"}, k in 2..5); the right answer is them in ascending order, optionally
 * after a preamble of filler words ({@code "sure 2 7 9"}). Everything rlhf4j needs is built from
 * its public API only: a word-level tokenizer ({@link #writeTokenizer(Path)}, 22 tokens), a tiny
 * Llama ({@link #modelConfig()}), prompts with a held-out split, SFT examples from a noisy
 * demonstrator, offline preference pairs between three behaviour policies labelled by a {@link
 * SortingLabeller}, and the {@link SortingGold} reward for evaluation.
 *
 * <p>It differs from the list task ({@code dev.rlhf4j.examples.synthetic.SyntheticTask}) in the
 * domain (order matters, not membership), in the gold (positional hits, extra items penalised)
 * and in the labeller (an inattentive Bradley–Terry labeller: a share ε of its labels are coin
 * flips), while keeping the paper's three phenomena: room to improve over SFT (half the
 * demonstrations are corrupted: unsorted, a swapped pair, a dropped, doubled or wrong digit), a
 * length bias in the labels (λ per word, fillers included), and drift out of the offline data's
 * distribution (behaviour policies write at most 3 fillers).
 *
 * <p>Every random choice derives from the seed. Immutable and thread-safe.
 */
public final class SortingTask {
  /** The default seed. */
  public static final long DEFAULT_SEED = 11L;

  static final List<String> SPECIAL_TOKENS =
      List.of("<|pad|>", "<|unk|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>");
  static final List<String> FILLERS = List.of("sure", "ok", "done", "so", "then");
  private static final String SORT = "sort";
  private static final int MIN_DIGITS = 2;
  private static final int MAX_DIGITS = 5;
  private static final int MAX_LENGTH = 64;
  private static final int MAX_REDRAWS = 10_000;
  private static final long TRAIN = 0x50F7_0001L;
  private static final long HELD_OUT = 0x50F7_0002L;
  private static final long DEMONSTRATIONS = 0x50F7_0003L;
  private static final long PREFERENCES = 0x50F7_0004L;
  private static final String CHAT_TEMPLATE =
      "{% for message in messages %}{% if not loop.first %}{{ ' ' }}{% endif %}"
          + "<|{{ message['role'] }}|> {{ message['content'] }} <|end|>{% endfor %}"
          + "{% if add_generation_prompt %} <|assistant|>{% endif %}";

  private final long seed;
  private final double heldOutFraction;
  private final double demonstratorCleanProbability;
  private final double preambleProbability;
  private final SortingGold gold = new SortingGold();
  private final SortingLabeller labeller;

  private SortingTask(Builder b) {
    this.seed = b.seed;
    this.heldOutFraction = b.heldOutFraction;
    this.demonstratorCleanProbability = b.demonstratorCleanProbability;
    this.preambleProbability = b.preambleProbability;
    this.labeller =
        new SortingLabeller(gold, b.labelRationality, b.labelLengthBias, b.labelInattention);
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** The task with every default setting. */
  public static SortingTask defaults() {
    return builder().build();
  }

  /** The seed every random choice derives from. */
  public long seed() {
    return seed;
  }

  /**
   * Every token in id order: the six special tokens {@code <|pad|> <|unk|> <|system|> <|user|>
   * <|assistant|> <|end|>} (ids 0–5), {@code sort}, the digits {@code 0..9} and the fillers.
   */
  public List<String> vocabulary() {
    List<String> out = new ArrayList<>(SPECIAL_TOKENS);
    out.add(SORT);
    for (int d = 0; d <= 9; d++) {
      out.add(Integer.toString(d));
    }
    out.addAll(FILLERS);
    return List.copyOf(out);
  }

  /** The filler words: gold-neutral wherever they stand, but each one a word to the labeller. */
  public List<String> fillers() {
    return FILLERS;
  }

  /**
   * Writes the task's word-level tokenizer into {@code dir} (EOS {@code <|end|>}, pad {@code
   * <|pad|>}, no BOS, the chat template {@code <|role|> content <|end|>} per turn).
   *
   * @return {@code dir}
   * @throws IllegalArgumentException if dir is null
   * @throws UncheckedIOException if a file cannot be written
   */
  public Path writeTokenizer(Path dir) {
    checkArgument(dir != null, "dir must not be null");
    return HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.WORDS)
        .vocabulary(vocabulary())
        .specialTokens(SPECIAL_TOKENS)
        .eosToken("<|end|>")
        .padToken("<|pad|>")
        .unkToken("<|unk|>")
        .modelMaxLength(MAX_LENGTH)
        .chatTemplate(CHAT_TEMPLATE)
        .build()
        .write(dir);
  }

  /**
   * A tiny Llama for the vocabulary: 64 wide, 2 layers, 4 heads of 16, SwiGLU 128, 64 positions,
   * tied embeddings, pad 0, EOS 5, no BOS.
   */
  public ModelConfig modelConfig() {
    return ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
        .vocabSize(vocabulary().size())
        .hiddenSize(64)
        .numLayers(2)
        .numHeads(4)
        .numKvHeads(4)
        .intermediateSize(128)
        .maxPositionEmbeddings(MAX_LENGTH)
        .tieWordEmbeddings(true)
        .padTokenId(OptionalInt.of(0))
        .eosTokenIds(List.of(5))
        .bosTokenId(OptionalInt.empty())
        .initializerRange(0.02)
        .build();
  }

  /**
   * {@code n} training prompts (ids {@code sort-train-000000}, ...): k uniform in 2..5, then k
   * distinct digits in random order, redrawn until the text is in the training split.
   *
   * @throws IllegalArgumentException if n is negative
   */
  public List<Prompt> trainPrompts(int n) {
    return prompts(n, "sort-train-", false, TRAIN);
  }

  /**
   * {@code n} held-out prompts (ids {@code sort-heldout-000000}, ...), whose texts never occur in
   * training.
   *
   * @throws IllegalArgumentException if n is negative
   */
  public List<Prompt> heldOutPrompts(int n) {
    return prompts(n, "sort-heldout-", true, HELD_OUT);
  }

  /**
   * {@code n} SFT examples on training prompts, answered by the {@linkplain
   * #demonstratorCleanProbability() noisy demonstrator}.
   *
   * @throws IllegalArgumentException if n is negative
   */
  public List<SftExample> sftExamples(int n) {
    checkArgument(n >= 0, "n must be >= 0 but was %s", n);
    SplittableRandom random = random(DEMONSTRATIONS);
    List<SftExample> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<Integer> digits = drawDigits(false, random);
      out.add(
          new SftExample(
              List.of(Message.user(text(digits))),
              respond(digits, demonstratorCleanProbability, random)));
    }
    return List.copyOf(out);
  }

  /**
   * {@code n} unscored offline pairs (source {@code "offline"}): for a training prompt, two of the
   * behaviour policies (careful: clean with p = 0.85, the demonstrator, sloppy: 0.15; drawn
   * uniformly and independently) each answer, identical answers are redrawn, and the {@link
   * #labeller()} picks the chosen one.
   *
   * @throws IllegalArgumentException if n is negative
   */
  public List<PreferencePair> offlinePreferences(int n) {
    checkArgument(n >= 0, "n must be >= 0 but was %s", n);
    SplittableRandom random = random(PREFERENCES);
    double[] clean = {0.85, demonstratorCleanProbability, 0.15};
    List<PreferencePair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<Integer> digits = drawDigits(false, random);
      List<Message> prompt = List.of(Message.user(text(digits)));
      String a;
      String b;
      int draws = 0;
      do {
        if (++draws > MAX_REDRAWS) {
          throw new IllegalStateException("identical answers in a row for " + digits);
        }
        a = respond(digits, clean[random.nextInt(3)], random);
        b = respond(digits, clean[random.nextInt(3)], random);
      } while (a.equals(b));
      boolean first = labeller.prefersFirst(prompt, a, b, random);
      out.add(PreferencePair.of(prompt, first ? a : b, first ? b : a).withSource("offline"));
    }
    return List.copyOf(out);
  }

  /** The gold reward: evaluation only. */
  public SortingGold goldReward() {
    return gold;
  }

  /** The simulated labeller of {@link #offlinePreferences(int)}. */
  public SortingLabeller labeller() {
    return labeller;
  }

  /** The probability that the demonstrator's answer is left uncorrupted. */
  public double demonstratorCleanProbability() {
    return demonstratorCleanProbability;
  }

  /**
   * One behaviour-policy answer to {@code digits}: with probability {@code cleanProbability} the
   * sorted digits, otherwise one corruption drawn uniformly (the digits in prompt order, or sorted
   * with two neighbours swapped, one dropped, one doubled or one replaced by another digit); with
   * the task's preamble probability, 1–3 fillers before it.
   *
   * @throws IllegalArgumentException if digits is null or empty, cleanProbability outside [0, 1]
   *     or random null
   */
  public String respond(List<Integer> digits, double cleanProbability, RandomGenerator random) {
    checkArgument(digits != null && !digits.isEmpty(), "digits must not be null or empty");
    checkArgument(
        cleanProbability >= 0 && cleanProbability <= 1,
        "cleanProbability must be in [0, 1] but was %s",
        cleanProbability);
    checkArgument(random != null, "random must not be null");
    List<Integer> answer = new ArrayList<>(digits);
    answer.sort(null);
    if (random.nextDouble() >= cleanProbability) {
      corrupt(answer, digits, random);
    }
    StringBuilder out = new StringBuilder();
    if (random.nextDouble() < preambleProbability) {
      int fillers = 1 + random.nextInt(3);
      for (int i = 0; i < fillers; i++) {
        out.append(FILLERS.get(random.nextInt(FILLERS.size()))).append(' ');
      }
    }
    for (int i = 0; i < answer.size(); i++) {
      out.append(i == 0 ? "" : " ").append(answer.get(i));
    }
    return out.toString();
  }

  private static void corrupt(List<Integer> sorted, List<Integer> given, RandomGenerator random) {
    int k = sorted.size();
    switch (random.nextInt(5)) {
      case 0 -> {
        if (!given.equals(sorted)) {
          sorted.clear();
          sorted.addAll(given);
        } else {
          swapNeighbours(sorted, random);
        }
      }
      case 1 -> swapNeighbours(sorted, random);
      case 2 -> sorted.remove(random.nextInt(k));
      case 3 -> {
        int at = random.nextInt(k);
        sorted.add(at, sorted.get(at));
      }
      default -> {
        int at = random.nextInt(k);
        int other = random.nextInt(9);
        sorted.set(at, other >= sorted.get(at) ? other + 1 : other);
      }
    }
  }

  private static void swapNeighbours(List<Integer> list, RandomGenerator random) {
    int at = random.nextInt(list.size() - 1);
    Integer a = list.get(at);
    list.set(at, list.get(at + 1));
    list.set(at + 1, a);
  }

  /**
   * The text of a prompt: {@code "sort"} followed by the digits.
   *
   * @throws IllegalArgumentException if digits is null or empty or holds a value outside 0..9
   */
  public static String text(List<Integer> digits) {
    checkArgument(digits != null && !digits.isEmpty(), "digits must not be null or empty");
    StringBuilder out = new StringBuilder(SORT);
    for (int d : digits) {
      checkArgument(d >= 0 && d <= 9, "a digit must be in 0..9 but was %s", d);
      out.append(' ').append(d);
    }
    return out.toString();
  }

  /**
   * The digits of a prompt text written by {@link #text(List)}.
   *
   * @throws IllegalArgumentException if the text is not {@code sort} followed by digits
   */
  public static List<Integer> parse(String text) {
    checkArgument(text != null, "text must not be null");
    List<String> words = words(text);
    checkArgument(
        words.size() >= 2 && words.get(0).equals(SORT),
        "not a sorting prompt: '%s' (expected 'sort' and digits)",
        text);
    List<Integer> digits = new ArrayList<>();
    for (String w : words.subList(1, words.size())) {
      checkArgument(w.length() == 1 && Character.isDigit(w.charAt(0)),
          "not a sorting prompt: '%s' ('%s' is not a digit)", text, w);
      digits.add(w.charAt(0) - '0');
    }
    return List.copyOf(digits);
  }

  static List<String> words(String text) {
    String trimmed = text.strip();
    return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
  }

  private List<Prompt> prompts(int n, String prefix, boolean heldOut, long stream) {
    checkArgument(n >= 0, "n must be >= 0 but was %s", n);
    SplittableRandom random = random(stream);
    List<Prompt> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          new Prompt(
              String.format("%s%06d", prefix, i),
              List.of(Message.user(text(drawDigits(heldOut, random))))));
    }
    return List.copyOf(out);
  }

  private List<Integer> drawDigits(boolean heldOutSplit, SplittableRandom random) {
    for (int draws = 0; draws < MAX_REDRAWS; draws++) {
      int k = MIN_DIGITS + random.nextInt(MAX_DIGITS - MIN_DIGITS + 1);
      List<Integer> pool = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
      List<Integer> digits = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        digits.add(pool.remove(random.nextInt(pool.size())));
      }
      if (heldOut(text(digits)) == heldOutSplit) {
        return List.copyOf(digits);
      }
    }
    throw new IllegalStateException("no prompt of the split in " + MAX_REDRAWS + " draws");
  }

  private boolean heldOut(String text) {
    long hash =
        Hashing.murmur3_128().newHasher().putLong(seed).putString(text, StandardCharsets.UTF_8)
            .hash().asLong();
    return (hash >>> 11) * 0x1.0p-53 < heldOutFraction;
  }

  private SplittableRandom random(long stream) {
    return new SplittableRandom(
        Hashing.murmur3_128().newHasher().putLong(seed).putLong(stream).hash().asLong());
  }

  @Override
  public String toString() {
    return "SortingTask[seed=" + seed + ", heldOutFraction=" + heldOutFraction
        + ", demonstratorCleanProbability=" + demonstratorCleanProbability
        + ", preambleProbability=" + preambleProbability + ", labeller=" + labeller + "]";
  }

  /** Settings of a {@link SortingTask}; each setter checks its range. Not thread-safe. */
  public static final class Builder {
    private long seed = DEFAULT_SEED;
    private double heldOutFraction = 0.25;
    private double demonstratorCleanProbability = 0.5;
    private double preambleProbability = 0.3;
    private double labelRationality = 6;
    private double labelLengthBias = 0.3;
    private double labelInattention = 0.1;

    private Builder() {}

    /** The seed; default {@value SortingTask#DEFAULT_SEED}. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /**
     * The share of prompt texts kept for evaluation; default 0.25.
     *
     * @throws IllegalArgumentException if value is outside [0.05, 0.5]
     */
    public Builder heldOutFraction(double value) {
      checkArgument(value >= 0.05 && value <= 0.5,
          "heldOutFraction must be in [0.05, 0.5] but was %s", value);
      heldOutFraction = value;
      return this;
    }

    /**
     * The probability that a demonstration is left uncorrupted; default 0.5.
     *
     * @throws IllegalArgumentException if value is outside [0, 1]
     */
    public Builder demonstratorCleanProbability(double value) {
      checkArgument(value >= 0 && value <= 1,
          "demonstratorCleanProbability must be in [0, 1] but was %s", value);
      demonstratorCleanProbability = value;
      return this;
    }

    /**
     * The probability of a filler preamble in any behaviour policy's answer; default 0.3.
     *
     * @throws IllegalArgumentException if value is outside [0, 1]
     */
    public Builder preambleProbability(double value) {
      checkArgument(value >= 0 && value <= 1,
          "preambleProbability must be in [0, 1] but was %s", value);
      preambleProbability = value;
      return this;
    }

    /**
     * The labeller's β, logit per unit of gold difference; default 6.
     *
     * @throws IllegalArgumentException if value is not positive and finite
     */
    public Builder labelRationality(double value) {
      checkArgument(value > 0 && Double.isFinite(value),
          "labelRationality must be > 0 and finite but was %s", value);
      labelRationality = value;
      return this;
    }

    /**
     * The labeller's λ, logit per extra word; default 0.3. 0 makes labels length-neutral.
     *
     * @throws IllegalArgumentException if value is negative or not finite
     */
    public Builder labelLengthBias(double value) {
      checkArgument(value >= 0 && Double.isFinite(value),
          "labelLengthBias must be >= 0 and finite but was %s", value);
      labelLengthBias = value;
      return this;
    }

    /**
     * The labeller's ε, the share of coin-flip labels; default 0.1.
     *
     * @throws IllegalArgumentException if value is outside [0, 1]
     */
    public Builder labelInattention(double value) {
      checkArgument(value >= 0 && value <= 1,
          "labelInattention must be in [0, 1] but was %s", value);
      labelInattention = value;
      return this;
    }

    /** The task. */
    public SortingTask build() {
      return new SortingTask(this);
    }
  }
}
