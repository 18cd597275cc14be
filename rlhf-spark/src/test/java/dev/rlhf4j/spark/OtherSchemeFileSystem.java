package dev.rlhf4j.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@code rlhf4jtest:}, standing in for a remote file system
 * (hdfs, s3a) in tests: {@link ModelStore} and the jobs then take their copy paths.
 */
public final class OtherSchemeFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "rlhf4jtest";

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  /** Registers the scheme in {@code conf}. */
  static void register(org.apache.hadoop.conf.Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", OtherSchemeFileSystem.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
  }

  /** {@code path} under the scheme. */
  static URI uri(java.nio.file.Path path) {
    return URI.create(SCHEME + "://" + path.toAbsolutePath().toUri().getPath());
  }
}
