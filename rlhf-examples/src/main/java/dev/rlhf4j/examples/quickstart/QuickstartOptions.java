package dev.rlhf4j.examples.quickstart;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;

/**
 * The quickstart's command line.
 *
 * @param seed the root seed of every random choice (task data, weights, sampling, training)
 * @param out the output directory
 * @param fast CI mode: fewer demonstrations, pairs, prompts and evaluation prompts
 * @param lengthPenalty λ of the length-penalised run, per character of the response (paper eq. 8)
 * @param task the built-in task the workflow runs on
 * @param smoke a minimal configuration that only checks the workflow runs end to end (its figures
 *     mean nothing); excludes {@code fast}
 */
public record QuickstartOptions(
    long seed, Path out, boolean fast, double lengthPenalty, Task task, boolean smoke) {

  /** The built-in tasks. */
  public enum Task {
    /**
     * List k members of a category, some excluded ({@link
     * dev.rlhf4j.examples.synthetic.SyntheticTask}); the default.
     */
    LIST,
    /** Sort a handful of digits ({@link dev.rlhf4j.examples.sorting.SortingTask}). */
    SORT
  }

  /** The default seed. */
  public static final long DEFAULT_SEED = 42;

  /** The default output directory. */
  public static final Path DEFAULT_OUT = Path.of("target", "quickstart");

  /** The default λ per character. */
  public static final double DEFAULT_LENGTH_PENALTY = 0.05;

  /**
   * @throws IllegalArgumentException if out or task is null, lengthPenalty is negative or not
   *     finite, or both fast and smoke are set
   */
  public QuickstartOptions {
    checkArgument(out != null, "out must not be null");
    checkArgument(task != null, "task must not be null");
    checkArgument(!(fast && smoke), "--fast and --smoke exclude each other; choose one");
    checkArgument(
        lengthPenalty >= 0 && Double.isFinite(lengthPenalty),
        "lengthPenalty must be finite and >= 0 but was %s",
        lengthPenalty);
  }

  /**
   * Options for the list task at full or {@code fast} size.
   *
   * @throws IllegalArgumentException as the canonical constructor
   */
  public QuickstartOptions(long seed, Path out, boolean fast, double lengthPenalty) {
    this(seed, out, fast, lengthPenalty, Task.LIST, false);
  }

  /**
   * Parses {@code --seed N}, {@code --out DIR}, {@code --fast}, {@code --smoke}, {@code
   * --length-penalty λ} and {@code --task list|sort}.
   *
   * @throws IllegalArgumentException on an unknown option, a missing or malformed value (the
   *     message gives the usage)
   */
  public static QuickstartOptions parse(String... args) {
    checkArgument(args != null, "args must not be null");
    long seed = DEFAULT_SEED;
    Path out = DEFAULT_OUT;
    boolean fast = false;
    double lambda = DEFAULT_LENGTH_PENALTY;
    Task task = Task.LIST;
    boolean smoke = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--fast" -> fast = true;
        case "--smoke" -> smoke = true;
        case "--task" -> task = parseTask(value(args, ++i, arg));
        case "--seed" -> seed = parseNumber(arg, value(args, ++i, arg), Long::parseLong);
        case "--out" -> out = Path.of(value(args, ++i, arg));
        case "--length-penalty" ->
            lambda = parseNumber(arg, value(args, ++i, arg), Double::parseDouble);
        default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + usage());
      }
    }
    return new QuickstartOptions(seed, out, fast, lambda, task, smoke);
  }

  /** The usage line. */
  public static String usage() {
    return "usage: quickstart [--seed N (default 42)] [--out DIR (default target/quickstart)]"
        + " [--fast | --smoke] [--length-penalty λ per character (default 0.05)]"
        + " [--task list|sort (default list)]";
  }

  private static Task parseTask(String text) {
    return switch (text) {
      case "list" -> Task.LIST;
      case "sort" -> Task.SORT;
      default ->
          throw new IllegalArgumentException(
              "--task must be list or sort but was '" + text + "'\n" + usage());
    };
  }

  private static String value(String[] args, int i, String option) {
    checkArgument(i < args.length, "%s needs a value\n%s", option, usage());
    return args[i];
  }

  private static <T> T parseNumber(
      String option, String text, java.util.function.Function<String, T> parser) {
    try {
      return parser.apply(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " needs a number but got '" + text + "'\n" + usage(), e);
    }
  }
}
