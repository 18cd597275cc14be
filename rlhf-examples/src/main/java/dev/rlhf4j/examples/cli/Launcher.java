package dev.rlhf4j.examples.cli;

import dev.rlhf4j.api.DataFormatException;
import java.io.PrintStream;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs an example from its command line and turns its failures into exit statuses: 2 when an
 * argument is wrong (the message and the usage line go to standard error), 1 when a data file is
 * malformed (its {@code file:line: problem} message goes to standard error), 0 otherwise.
 *
 * <p>Stateless and thread-safe.
 */
public final class Launcher {
  private Launcher() {}

  /**
   * Parses {@code args} with {@code parse}, then runs {@code run} on the result.
   *
   * @param <O> the example's options
   * @return the process exit status: 0, 1 or 2 as above
   */
  public static <O> int launch(
      String[] args,
      String usage,
      Function<String[], O> parse,
      Consumer<O> run,
      PrintStream err) {
    O options;
    try {
      options = parse.apply(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(usage);
      return 2;
    }
    try {
      run.accept(options);
    } catch (DataFormatException e) {
      err.println(e.getMessage());
      return 1;
    }
    return 0;
  }
}
