package dev.rlhf4j.examples.synthetic;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.hash.Hashing;
import dev.rlhf4j.api.Completion;
import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.LengthUnit;
import dev.rlhf4j.api.Message;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.examples.synthetic.internal.Lexicon;
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

/**
 * A small text domain with a known gold reward, on which the whole online iterative RLHF workflow
 * (SFT → proxy Bradley–Terry reward model → offline DPO → iterative DPO, with and without a length
 * penalty) runs in minutes on a CPU and can be judged exactly.
 *
 * <p><b>The task.</b> A prompt asks for k different members of a category, some of them excluded:
 * {@code "list 3 fruit"}, {@code "list 2 animal without cat fox"} (5 categories of 6 members,
 * k in 1..4, 0–2 excluded words; 440 distinct prompts). An answer names words separated by spaces,
 * optionally after a polite preamble ({@code "sure here you go pear fig plum"}). The {@link
 * GoldReward} scores it {@code max(-1, (hits − 0.5·errors)/k)}: 1 for k allowed, different items,
 * whatever the preamble. Every word is one token of the task's own word-level tokenizer ({@link
 * #writeTokenizer(Path)}, 52 tokens), prompts take at most 9 tokens with the chat template and
 * answers rarely more than 10, so a 2-layer, 64-wide transformer ({@link #modelConfig()}) learns
 * it in seconds.
 *
 * <p><b>Human feedback, approximated as in the paper (§1.3).</b> {@link #sftDemonstrations(int)}
 * come from a noisy demonstrator ({@link #demonstrator()}): about half its answers are corrupted,
 * so a policy imitating it sits well below the optimum and has room to improve. {@link
 * #offlinePreferences(int)} pairs responses of three {@link #behaviourPolicies() behaviour
 * policies} (careful, the demonstrator, sloppy) and labels each pair by a Bernoulli draw from the
 * {@link SimulatedLabeller}, a Bradley–Terry model over the gold reward plus a length bias per
 * word. A proxy reward model trained on those labels ranks responses in the loop; the gold reward
 * is for evaluation only.
 *
 * <p><b>The paper's phenomena</b> (measured with the defaults, seed 8). (1) Room to improve: the
 * demonstrations' mean gold reward is 0.74 against an optimum of 1 (55% of them optimal), and
 * best-of-8 of the demonstrator's answers ranked by the labels' implied reward reaches 0.99.
 * (2) Length bias: the labels favour the longer answer beyond what the gold says (fillers are
 * gold-neutral but win labels): of two equally good answers of different length the longer is
 * chosen 67% of the time, and the labels' implied reward correlates with length at 0.37 per
 * prompt against 0.10 for the gold (paper Fig. 5). Best-of-8 by that reward lengthens answers
 * from 3.3 to 5.1 words; a penalty of 0.5 per word at selection (paper eq. 8) keeps the gold gain
 * at 2.6 words. (3) Out-of-distribution drift: the offline responses cover only the behaviour
 * policies (clean answers of exactly k items, preambles of at most 4 words), so as the policy
 * improves and lengthens, its answers leave the region the proxy was trained on.
 *
 * <p>A gold win rate against the SFT policy has a ceiling below 1: where both answers are optimal
 * it is a tie, so a perfect policy wins about {@code 1 − P(SFT optimal)/2}, 0.73 against the
 * demonstrator itself. Lower {@link Builder#demonstratorCleanProbability(double)} widens the range.
 *
 * <p>Every random choice derives from {@link #seed()}: the same seed gives the same prompts,
 * demonstrations and preference labels, and {@code f(n)}'s first m items equal {@code f(m)}.
 * Immutable and thread-safe.
 */
public final class SyntheticTask {
  /** The seed of {@link #builder()}'s default. */
  public static final long DEFAULT_SEED = 8L;

  private static final long TRAIN_PROMPTS = 0x5EED_0001L;
  private static final long HELD_OUT_PROMPTS = 0x5EED_0002L;
  private static final long DEMONSTRATIONS = 0x5EED_0003L;
  private static final long PREFERENCES = 0x5EED_0004L;
  private static final int MAX_REDRAWS = 10_000;

  /** The longest sequence, in tokens, the tokenizer configuration and the model declare. */
  private static final int MODEL_MAX_LENGTH = 64;

  /** Every turn is {@code <|role|> content <|end|>}, turns separated by one space. */
  private static final String CHAT_TEMPLATE =
      "{% for message in messages %}{% if not loop.first %}{{ ' ' }}{% endif %}"
          + "<|{{ message['role'] }}|> {{ message['content'] }} <|end|>{% endfor %}"
          + "{% if add_generation_prompt %} <|assistant|>{% endif %}";

  private static final HfTokenizerWriter TOKENIZER =
      HfTokenizerWriter.builder(HfTokenizerWriter.Segmentation.WORDS)
          .vocabulary(Lexicon.VOCABULARY)
          .specialTokens(Lexicon.SPECIAL_TOKENS)
          .eosToken(Lexicon.END)
          .padToken(Lexicon.PAD)
          .unkToken(Lexicon.UNK)
          .modelMaxLength(MODEL_MAX_LENGTH)
          .chatTemplate(CHAT_TEMPLATE)
          .build();

  private final long seed;
  private final double heldOutFraction;
  private final double demonstratorCleanProbability;
  private final double preambleProbability;
  private final double labelRationality;
  private final double labelLengthBias;
  private final GoldReward gold = new GoldReward();
  private final SimulatedLabeller labeller;

  private SyntheticTask(Builder b) {
    this.seed = b.seed;
    this.heldOutFraction = b.heldOutFraction;
    this.demonstratorCleanProbability = b.demonstratorCleanProbability;
    this.preambleProbability = b.preambleProbability;
    this.labelRationality = b.labelRationality;
    this.labelLengthBias = b.labelLengthBias;
    this.labeller = new SimulatedLabeller(gold, labelRationality, labelLengthBias);
  }

  /** A builder with the defaults: seed 8 and the settings documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** The task with every default setting. */
  public static SyntheticTask defaults() {
    return builder().build();
  }

  /** A builder holding this task's settings. */
  public Builder toBuilder() {
    return new Builder()
        .seed(seed)
        .heldOutFraction(heldOutFraction)
        .demonstratorCleanProbability(demonstratorCleanProbability)
        .preambleProbability(preambleProbability)
        .labelRationality(labelRationality)
        .labelLengthBias(labelLengthBias);
  }

  /** The seed every random choice derives from. */
  public long seed() {
    return seed;
  }

  /** The fraction of the prompt distribution's mass kept out of training for evaluation. */
  public double heldOutFraction() {
    return heldOutFraction;
  }

  // ---------------------------------------------------------------- vocabulary and models

  /**
   * Every token of the task's tokenizer in id order: the special tokens {@code <|pad|> <|unk|>
   * <|system|> <|user|> <|assistant|> <|end|>} (ids 0–5), {@code list without}, the counts {@code
   * 1..4}, each category name followed by its members, and the fillers {@code sure ok here you go}.
   */
  public List<String> vocabulary() {
    return Lexicon.VOCABULARY;
  }

  /** The category names, in vocabulary order. */
  public List<String> categories() {
    return Lexicon.categoryNames();
  }

  /** The members of {@code category}, in vocabulary order. */
  public List<String> members(String category) {
    checkArgument(
        Lexicon.CATEGORIES.containsKey(category),
        "category must be one of %s but was %s",
        Lexicon.categoryNames(),
        category);
    return Lexicon.CATEGORIES.get(category);
  }

  /** The filler words, gold-neutral wherever they stand. */
  public List<String> fillers() {
    return Lexicon.FILLERS;
  }

  /**
   * Writes the task's tokenizer into {@code dir} (created if needed; existing files replaced), so
   * that {@code HfTokenizer.load(dir)} loads it:
   *
   * <ul>
   *   <li>{@code tokenizer.json}: a word-level model over {@link #vocabulary()}, whitespace
   *       pre-tokenizer, the six special tokens as special added tokens, unknown words mapped to
   *       {@code <|unk|>}; no BOS is added and decoding joins words with single spaces;
   *   <li>{@code tokenizer_config.json}: {@code eos_token <|end|>}, {@code pad_token <|pad|>}
   *       (never the EOS), {@code unk_token <|unk|>}, no BOS, and the chat template {@link
   *       #chatTemplate()}.
   * </ul>
   *
   * @return {@code dir}
   * @throws IllegalArgumentException if dir is null
   * @throws UncheckedIOException if a file cannot be written
   */
  public Path writeTokenizer(Path dir) {
    checkArgument(dir != null, "dir must not be null");
    return TOKENIZER.write(dir);
  }

  /**
   * The Jinja chat template of the tokenizer. Each turn renders as {@code <|role|> content
   * <|end|>}, turns separated by one space, and the generation prompt is {@code " <|assistant|>"}:
   * {@code [user "list 2 fruit"]} renders as {@code "<|user|> list 2 fruit <|end|> <|assistant|>"}
   * with the generation prompt, and with the answer {@code "fig kiwi"} as {@code "<|user|> list 2
   * fruit <|end|> <|assistant|> fig kiwi <|end|>"}. The prompt's rendering is a prefix of the whole
   * conversation's, and the response part tokenizes to the answer's words followed by {@code
   * <|end|>}, the EOS.
   */
  public String chatTemplate() {
    return CHAT_TEMPLATE;
  }

  /**
   * A suggested policy configuration: Llama, 64 wide, 2 layers (see {@link #modelConfig(int,
   * int)}).
   */
  public ModelConfig modelConfig() {
    return modelConfig(64, 2);
  }

  /**
   * A tiny Llama causal-LM configuration sized for the vocabulary: {@code hiddenSize / 16} heads
   * of width 16 (no grouping), SwiGLU width {@code 2 · hiddenSize}, 64 positions, tied embeddings,
   * pad id 0 ({@code <|pad|>}), EOS id 5 ({@code <|end|>}), no BOS, initializer range 0.02. For a
   * reward model use {@code withArchitecture(Architecture.LLAMA_SEQUENCE_CLASSIFICATION)}.
   *
   * @throws IllegalArgumentException if hiddenSize is not a multiple of 16 in [16, 512] or
   *     numLayers is outside [1, 8]
   */
  public ModelConfig modelConfig(int hiddenSize, int numLayers) {
    checkArgument(
        hiddenSize >= 16 && hiddenSize <= 512 && hiddenSize % 16 == 0,
        "hiddenSize must be a multiple of 16 in [16, 512] but was %s",
        hiddenSize);
    checkArgument(
        numLayers >= 1 && numLayers <= 8, "numLayers must be in [1, 8] but was %s", numLayers);
    return ModelConfig.builder(Architecture.LLAMA_CAUSAL_LM)
        .vocabSize(Lexicon.VOCABULARY.size())
        .hiddenSize(hiddenSize)
        .numLayers(numLayers)
        .numHeads(hiddenSize / 16)
        .numKvHeads(hiddenSize / 16)
        .intermediateSize(2 * hiddenSize)
        .maxPositionEmbeddings(MODEL_MAX_LENGTH)
        .tieWordEmbeddings(true)
        .padTokenId(OptionalInt.of(Lexicon.VOCABULARY.indexOf(Lexicon.PAD)))
        .eosTokenIds(List.of(Lexicon.VOCABULARY.indexOf(Lexicon.END)))
        .bosTokenId(OptionalInt.empty())
        .initializerRange(0.02)
        .build();
  }

  // ---------------------------------------------------------------- data

  /**
   * {@code n} training prompts (ids {@code train-000000}, ...), each a single user turn, drawn
   * from the training split: category and count uniform, 0/1/2 excluded words with probability
   * 0.4/0.4/0.2. Prompts repeat (the split holds about 330 distinct texts) but ids do not. The
   * demonstrations and the offline preferences use the same split; no training prompt is ever a
   * {@link #heldOutPrompts(int) held-out} one.
   *
   * @throws IllegalArgumentException if n is negative
   */
  public List<Prompt> trainPrompts(int n) {
    checkArgument(n >= 0, "n must be >= 0 but was %s", n);
    SplittableRandom random = random(TRAIN_PROMPTS);
    List<Prompt> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prompt(String.format("train-%06d", i), drawSpec(false, random)));
    }
    return List.copyOf(out);
  }

  /**
   * {@code n} held-out prompts (ids {@code heldout-000000}, ...) for evaluation, drawn like
   * {@link #trainPrompts(int)} from the held-out split, whose texts never occur in training.
   *
   * @throws IllegalArgumentException if n is negative
   */
  public List<Prompt> heldOutPrompts(int n) {
    checkArgument(n >= 0, "n must be >= 0 but was %s", n);
    SplittableRandom random = random(HELD_OUT_PROMPTS);
    List<Prompt> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prompt(String.format("heldout-%06d", i), drawSpec(true, random)));
    }
    return List.copyOf(out);
  }

  /**
   * {@code n} supervised fine-tuning examples on training prompts (ids {@code sft-000000}, ...),
   * answered by the noisy {@link #demonstrator()}.
   *
   * @throws IllegalArgumentException if n is negative
   */
  public List<Demonstration> sftDemonstrations(int n) {
    checkArgument(n >= 0, "n must be >= 0 but was %s", n);
    SplittableRandom random = random(DEMONSTRATIONS);
    BehaviourPolicy demonstrator = demonstrator();
    List<Demonstration> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TaskSpec spec = drawSpec(false, random);
      out.add(
          new Demonstration(
              prompt(String.format("sft-%06d", i), spec), demonstrator.respond(spec, random)));
    }
    return List.copyOf(out);
  }

  /**
   * {@code n} offline preference pairs: the task's stand-in for an open, human-labelled preference
   * dataset (paper §2.1). For each pair a training prompt is drawn, two behaviour policies are
   * drawn independently and uniformly from {@link #behaviourPolicies()} (possibly the same one),
   * each writes a response (identical responses are redrawn), and the {@link #labeller()} decides
   * which is chosen by a Bernoulli draw with its Bradley–Terry probability, length bias included.
   *
   * <p>The pairs carry no scores ({@code chosenScore} and {@code rejectedScore} are empty) and the
   * source {@code "offline"}: nothing the proxy should not see, as a human label carries no
   * reward. Recompute gold scores with {@link #goldReward()} for analysis.
   *
   * @throws IllegalArgumentException if n is negative
   */
  public List<PreferencePair> offlinePreferences(int n) {
    checkArgument(n >= 0, "n must be >= 0 but was %s", n);
    SplittableRandom random = random(PREFERENCES);
    List<BehaviourPolicy> policies = behaviourPolicies();
    List<PreferencePair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TaskSpec spec = drawSpec(false, random);
      List<Message> prompt = List.of(Message.user(spec.text()));
      String a;
      String b;
      int draws = 0;
      do {
        checkState(
            ++draws <= MAX_REDRAWS,
            "the behaviour policies wrote %s identical pairs in a row for '%s'",
            MAX_REDRAWS,
            spec.text());
        a = policies.get(random.nextInt(policies.size())).respond(spec, random);
        b = policies.get(random.nextInt(policies.size())).respond(spec, random);
      } while (a.equals(b));
      boolean firstChosen = labeller.prefersFirst(prompt, a, b, random);
      out.add(
          PreferencePair.of(prompt, firstChosen ? a : b, firstChosen ? b : a)
              .withSource("offline"));
    }
    return List.copyOf(out);
  }

  // ---------------------------------------------------------------- feedback

  /** The gold reward: evaluation only, never shown to the proxy or the policy. */
  public GoldReward goldReward() {
    return gold;
  }

  /** The simulated human labeller of {@link #offlinePreferences(int)}. */
  public SimulatedLabeller labeller() {
    return labeller;
  }

  /** The demonstrator of {@link #sftDemonstrations(int)}. */
  public BehaviourPolicy demonstrator() {
    return new BehaviourPolicy("demonstrator", demonstratorCleanProbability, preambleProbability);
  }

  /**
   * The behaviour policies whose responses make up {@link #offlinePreferences(int)}: {@code
   * careful} (clean with p = 0.85), the {@link #demonstrator()} and {@code sloppy} (clean with p =
   * 0.15), all with the same preamble probability, so that length and quality are independent in
   * the responses and any length preference of a reward model comes from the labels.
   */
  public List<BehaviourPolicy> behaviourPolicies() {
    return List.of(
        new BehaviourPolicy("careful", 0.85, preambleProbability),
        demonstrator(),
        new BehaviourPolicy("sloppy", 0.15, preambleProbability));
  }

  // ---------------------------------------------------------------- analysis

  /**
   * The gold win rate of {@code policy} against {@code baseline}, ties counting ½; see {@link
   * GoldReward#winRate(List, List)}.
   *
   * @throws IllegalArgumentException as {@link GoldReward#winRate(List, List)}
   */
  public double goldWinRate(List<GeneratedSample> policy, List<GeneratedSample> baseline) {
    return gold.winRate(policy, baseline);
  }

  /**
   * The mean gold reward over every response of every sample; the optimum is 1.
   *
   * @throws IllegalArgumentException as {@link GoldReward#meanReward(List)}
   */
  public double meanGoldReward(List<GeneratedSample> samples) {
    return gold.meanReward(samples);
  }

  /**
   * The mean length of every response of every sample, in {@code unit} ({@link
   * LengthUnit#TOKENS} counts the stop token, as {@link Completion#tokenCount()} does).
   *
   * @throws IllegalArgumentException if samples is null or empty or unit is null
   */
  public static double meanLength(List<GeneratedSample> samples, LengthUnit unit) {
    checkArgument(samples != null && !samples.isEmpty(), "samples must not be null or empty");
    checkArgument(unit != null, "unit must not be null");
    long sum = 0;
    int n = 0;
    for (GeneratedSample sample : samples) {
      for (Completion completion : sample.responses()) {
        sum += unit.measure(completion);
        n++;
      }
    }
    return sum / (double) n;
  }

  /**
   * The number of whitespace-separated words of a response: its length in the labeller's unit and
   * in tokens of the task's tokenizer (the end-of-turn token not counted).
   *
   * @throws IllegalArgumentException if text is null
   */
  public static int words(String text) {
    checkArgument(text != null, "text must not be null");
    return GoldReward.words(text).size();
  }

  // ---------------------------------------------------------------- internals

  private SplittableRandom random(long stream) {
    return new SplittableRandom(
        Hashing.murmur3_128().newHasher().putLong(seed).putLong(stream).hash().asLong());
  }

  private static Prompt prompt(String id, TaskSpec spec) {
    return new Prompt(id, List.of(Message.user(spec.text())));
  }

  /** Whether a prompt text belongs to the held-out split: a seeded hash below the fraction. */
  private boolean heldOut(String text) {
    long hash =
        Hashing.murmur3_128()
            .newHasher()
            .putLong(seed)
            .putString(text, StandardCharsets.UTF_8)
            .hash()
            .asLong();
    return (hash >>> 11) * 0x1.0p-53 < heldOutFraction;
  }

  private TaskSpec drawSpec(boolean heldOutSplit, SplittableRandom random) {
    for (int draws = 0; draws < MAX_REDRAWS; draws++) {
      TaskSpec spec = drawAnySpec(random);
      if (heldOut(spec.text()) == heldOutSplit) {
        return spec;
      }
    }
    throw new IllegalStateException(
        "no " + (heldOutSplit ? "held-out" : "training") + " prompt in " + MAX_REDRAWS
            + " draws with seed " + seed + " and heldOutFraction " + heldOutFraction);
  }

  private static TaskSpec drawAnySpec(SplittableRandom random) {
    List<String> names = Lexicon.categoryNames();
    String category = names.get(random.nextInt(names.size()));
    int count = 1 + random.nextInt(Lexicon.MAX_COUNT);
    double u = random.nextDouble();
    int excludedCount = u < 0.4 ? 0 : u < 0.8 ? 1 : 2;
    List<String> members = Lexicon.CATEGORIES.get(category);
    boolean[] out = new boolean[members.size()];
    for (int chosen = 0; chosen < excludedCount; ) {
      int at = random.nextInt(members.size());
      if (!out[at]) {
        out[at] = true;
        chosen++;
      }
    }
    List<String> excluded = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      if (out[i]) {
        excluded.add(members.get(i));
      }
    }
    return new TaskSpec(category, count, excluded);
  }

  /** The share of the prompt distribution's mass that falls in the held-out split. */
  private double heldOutMass() {
    double mass = 0;
    List<String> names = Lexicon.categoryNames();
    for (String category : names) {
      List<String> members = Lexicon.CATEGORIES.get(category);
      int m = members.size();
      for (int count = 1; count <= Lexicon.MAX_COUNT; count++) {
        double base = 1.0 / names.size() / Lexicon.MAX_COUNT;
        mass += heldOut(new TaskSpec(category, count, List.of()).text()) ? base * 0.4 : 0;
        for (int i = 0; i < m; i++) {
          TaskSpec one = new TaskSpec(category, count, List.of(members.get(i)));
          mass += heldOut(one.text()) ? base * 0.4 / m : 0;
          for (int j = i + 1; j < m; j++) {
            TaskSpec two = new TaskSpec(category, count, List.of(members.get(i), members.get(j)));
            mass += heldOut(two.text()) ? base * 0.2 / (m * (m - 1) / 2.0) : 0;
          }
        }
      }
    }
    return mass;
  }

  @Override
  public String toString() {
    return "SyntheticTask[seed=" + seed + ", heldOutFraction=" + heldOutFraction
        + ", demonstratorCleanProbability=" + demonstratorCleanProbability
        + ", preambleProbability=" + preambleProbability + ", labelRationality="
        + labelRationality + ", labelLengthBias=" + labelLengthBias + "]";
  }

  /** Settings for a {@link SyntheticTask}; every setting has a default. Not thread-safe. */
  public static final class Builder {
    private long seed = DEFAULT_SEED;
    private double heldOutFraction = 0.25;
    private double demonstratorCleanProbability = 0.5;
    private double preambleProbability = 0.3;
    private double labelRationality = 5.0;
    private double labelLengthBias = 0.3;

    private Builder() {}

    /** The seed every random choice derives from; default {@value SyntheticTask#DEFAULT_SEED}. */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * The share of the prompt distribution kept for evaluation; default 0.25.
     *
     * @throws IllegalArgumentException if value is outside [0.05, 0.5]
     */
    public Builder heldOutFraction(double value) {
      checkArgument(
          value >= 0.05 && value <= 0.5, "heldOutFraction must be in [0.05, 0.5] but was %s",
          value);
      this.heldOutFraction = value;
      return this;
    }

    /**
     * The probability that the demonstrator's answer is left uncorrupted; default 0.5. Lower
     * values leave the SFT policy more room to improve.
     *
     * @throws IllegalArgumentException if value is outside [0, 1]
     */
    public Builder demonstratorCleanProbability(double value) {
      checkArgument(
          value >= 0 && value <= 1,
          "demonstratorCleanProbability must be in [0, 1] but was %s",
          value);
      this.demonstratorCleanProbability = value;
      return this;
    }

    /**
     * The probability that a behaviour policy puts a preamble of fillers before its answer, the
     * same for all of them; default 0.3. It sets how much length variation the offline data
     * holds.
     *
     * @throws IllegalArgumentException if value is outside [0, 1]
     */
    public Builder preambleProbability(double value) {
      checkArgument(
          value >= 0 && value <= 1, "preambleProbability must be in [0, 1] but was %s", value);
      this.preambleProbability = value;
      return this;
    }

    /**
     * β of the {@link SimulatedLabeller}: the logit per unit of gold-reward difference; default 5
     * (an answer with one error in three items loses to the clean one about 92% of the time).
     *
     * @throws IllegalArgumentException if value is not positive and finite
     */
    public Builder labelRationality(double value) {
      checkArgument(
          value > 0 && Double.isFinite(value),
          "labelRationality must be > 0 and finite but was %s",
          value);
      this.labelRationality = value;
      return this;
    }

    /**
     * λ of the {@link SimulatedLabeller}: the logit per word the first answer is longer; default
     * 0.3 (of two equally good answers, the one with a 4-word preamble wins about 77% of the
     * time). 0 makes the labels length-neutral, as the gold is.
     *
     * @throws IllegalArgumentException if value is negative or not finite
     */
    public Builder labelLengthBias(double value) {
      checkArgument(
          value >= 0 && Double.isFinite(value),
          "labelLengthBias must be >= 0 and finite but was %s",
          value);
      this.labelLengthBias = value;
      return this;
    }

    /**
     * Builds the task.
     *
     * @throws IllegalArgumentException if, with this seed and held-out fraction, either split
     *     holds less than 2% of the prompt distribution (choose another seed or fraction)
     */
    public SyntheticTask build() {
      SyntheticTask task = new SyntheticTask(this);
      double mass = task.heldOutMass();
      checkArgument(
          mass >= 0.02 && mass <= 0.98,
          "with seed %s and heldOutFraction %s the held-out split holds %s of the prompt"
              + " distribution; each split needs at least 0.02: choose another seed or fraction",
          seed,
          heldOutFraction,
          mass);
      return task;
    }
  }
}
