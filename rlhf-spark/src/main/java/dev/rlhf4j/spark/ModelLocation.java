package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.net.URI;

/**
 * A model directory every executor can read, with a fingerprint of its content: what the driver
 * sends to executors instead of model files. Executors cache what they load by both, so a
 * directory rewritten in place is never mistaken for the one they hold.
 *
 * @param uri a Hadoop {@code FileSystem} URI of the directory ({@code hdfs://}, {@code s3a://},
 *     {@code file://} on a mount every node shares, ...)
 * @param fingerprint {@link ModelStore#fingerprint} of the directory's files
 */
public record ModelLocation(String uri, String fingerprint) implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * @throws IllegalArgumentException if uri is not an absolute URI or fingerprint is blank
   */
  public ModelLocation {
    checkArgument(uri != null && URI.create(uri).isAbsolute(),
        "uri must be an absolute URI with a scheme (hdfs://, s3a://, file://...) but was %s", uri);
    checkArgument(fingerprint != null && !fingerprint.isBlank(), "fingerprint must not be blank");
  }

  /** A key naming this content at this location, for caches and logs. */
  public String key() {
    return uri + "#" + fingerprint;
  }
}
