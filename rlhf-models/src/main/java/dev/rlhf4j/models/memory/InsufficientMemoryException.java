package dev.rlhf4j.models.memory;

/**
 * A configuration whose estimated peak memory exceeds what the process may use, refused before
 * anything is allocated. The message gives both figures, what was estimated, and what to change,
 * e.g. {@code "DPO step needs ~27 GiB, 21 GiB available: use microBatchSize(2) or LoRA"}.
 */
public final class InsufficientMemoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient MemoryEstimate estimate;
  private final long availableBytes;

  /**
   * @param message the full message (figures and advice)
   * @param estimate the estimate that did not fit
   * @param availableBytes what the process may use, in bytes
   */
  public InsufficientMemoryException(String message, MemoryEstimate estimate, long availableBytes) {
    super(message);
    this.estimate = estimate;
    this.availableBytes = availableBytes;
  }

  /** The estimate that did not fit. */
  public MemoryEstimate estimate() {
    return estimate;
  }

  /** What the process may use, in bytes. */
  public long availableBytes() {
    return availableBytes;
  }
}
