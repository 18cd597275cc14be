package dev.rlhf4j.examples.cli;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options of an example's command line: every option is {@code --name value}; nothing is
 * positional. {@link #parse} rejects unknown, repeated and value-less options; the getters check
 * types and ranges. Every error is an {@link IllegalArgumentException} whose message names the
 * option, the value and what was expected, e.g. {@code --n must be an integer >= 2 but was '1'}.
 *
 * <pre>{@code
 * Arguments a = Arguments.parse(args, Set.of("--out", "--n"));
 * Path out = a.path("--out", Path.of("target/out"));
 * int n = a.intAtLeast("--n", 4, 2);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Arguments {
  private final Map<String, String> values;

  private Arguments(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Reads {@code args} as {@code --name value} pairs.
   *
   * @param args the command line
   * @param known the option names accepted, each starting with {@code --}
   * @throws IllegalArgumentException if an option is not in {@code known}, is given twice or has
   *     no value, or an argument is not an option
   */
  public static Arguments parse(String[] args, Set<String> known) {
    checkArgument(args != null, "args must not be null");
    checkArgument(known != null, "known must not be null");
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i];
      checkArgument(
          name != null && name.startsWith("--"),
          "expected an option (--name value) but got '%s'",
          name);
      checkArgument(known.contains(name), "unknown option %s", name);
      checkArgument(
          i + 1 < args.length && !args[i + 1].startsWith("--"), "%s needs a value", name);
      checkArgument(values.put(name, args[i + 1]) == null, "%s is given twice", name);
    }
    return new Arguments(values);
  }

  /** The raw value of {@code name}, if given. */
  public Optional<String> value(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /**
   * The value of a required option.
   *
   * @throws IllegalArgumentException if it was not given
   */
  public String required(String name) {
    String value = values.get(name);
    checkArgument(value != null, "%s is required", name);
    return value;
  }

  /** The path given for {@code name}, or {@code fallback}. */
  public Path path(String name, Path fallback) {
    return value(name).map(Path::of).orElse(fallback);
  }

  /**
   * The path of a required option naming an existing regular file.
   *
   * @throws IllegalArgumentException if the option is missing or the file does not exist
   */
  public Path existingFile(String name) {
    Path file = Path.of(required(name));
    checkArgument(
        Files.isRegularFile(file), "%s must name an existing file but %s is not one", name,
        file.toAbsolutePath());
    return file;
  }

  /**
   * The path of a required option naming an existing directory.
   *
   * @throws IllegalArgumentException if the option is missing or the directory does not exist
   */
  public Path existingDirectory(String name) {
    Path dir = Path.of(required(name));
    checkArgument(
        Files.isDirectory(dir), "%s must name an existing directory but %s is not one", name,
        dir.toAbsolutePath());
    return dir;
  }

  /**
   * The integer given for {@code name}, or {@code fallback}.
   *
   * @throws IllegalArgumentException if the value is not an integer or is below {@code min}
   */
  public int intAtLeast(String name, int fallback, int min) {
    Optional<String> text = value(name);
    if (text.isEmpty()) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(text.get().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be an integer >= " + min + " but was '" + text.get() + "'", e);
    }
    checkArgument(
        value >= min, "%s must be an integer >= %s but was '%s'", name, min, text.get());
    return value;
  }

  /**
   * The long integer given for {@code name}, or {@code fallback}.
   *
   * @throws IllegalArgumentException if the value is not an integer
   */
  public long longValue(String name, long fallback) {
    Optional<String> text = value(name);
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(text.get().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be an integer but was '" + text.get() + "'", e);
    }
  }

  /**
   * The finite number given for {@code name}, or {@code fallback}; it must be above {@code
   * exclusiveMin}.
   *
   * @throws IllegalArgumentException if the value is not a finite number above {@code
   *     exclusiveMin}
   */
  public double doubleAbove(String name, double fallback, double exclusiveMin) {
    Optional<String> text = value(name);
    if (text.isEmpty()) {
      return fallback;
    }
    double value;
    try {
      value = Double.parseDouble(text.get().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a number > " + exclusiveMin + " but was '" + text.get() + "'", e);
    }
    checkArgument(
        Double.isFinite(value) && value > exclusiveMin,
        "%s must be a number > %s but was '%s'",
        name,
        exclusiveMin,
        text.get());
    return value;
  }
}
