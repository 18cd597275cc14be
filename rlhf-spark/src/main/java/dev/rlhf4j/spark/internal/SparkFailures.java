package dev.rlhf4j.spark.internal;

import dev.rlhf4j.api.Rlhf4jException;

/** Turns a failed Spark job into the project's exception, keeping the executor's message. */
public final class SparkFailures {
  private SparkFailures() {}

  /**
   * {@code what + ": " + the executor's message}: the message of the first rlhf4j exception in
   * the cause chain, else Spark's own (which quotes the executor's exception).
   */
  public static Rlhf4jException wrap(String what, Exception e) {
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Rlhf4jException || t instanceof IllegalArgumentException) {
        message = t.getMessage();
        break;
      }
    }
    return new Rlhf4jException(what + ": " + message, e);
  }
}
