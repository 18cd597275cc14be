package dev.rlhf4j.spark.internal;

import dev.rlhf4j.api.Rlhf4jException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Single files on Hadoop file systems as local files on the driver, so that rlhf4j's own JSONL
 * reader and writer (their line-numbered errors, their exact bytes) serve any Hadoop path: a
 * {@code file:} URI is used in place, any other is copied to or from a local temporary file.
 */
public final class HadoopFiles {
  private HadoopFiles() {}

  /** A local file with the content of {@code uri}; delete it with {@link #release}. */
  public static Path fetch(String uri, Configuration conf) {
    URI u = URI.create(uri);
    if (u.getScheme() == null || "file".equals(u.getScheme())) {
      return u.getScheme() == null ? Path.of(uri) : Paths.get(u);
    }
    try {
      Path local = Files.createTempFile("rlhf4j-spark-", ".jsonl");
      FileSystem.get(u, conf).copyToLocalFile(false, new org.apache.hadoop.fs.Path(u),
          new org.apache.hadoop.fs.Path(local.toUri()), true);
      return local;
    } catch (IOException e) {
      throw new Rlhf4jException("cannot read " + uri + ": " + e, e);
    }
  }

  /** Deletes {@code local} if {@link #fetch} or {@link #target} made it for a remote uri. */
  public static void release(String uri, Path local) {
    URI u = URI.create(uri);
    if (u.getScheme() != null && !"file".equals(u.getScheme())) {
      try {
        Files.deleteIfExists(local);
      } catch (IOException e) {
        // a temporary file left behind
      }
    }
  }

  /** The local file to write {@code uri}'s content into, before {@link #publish}. */
  public static Path target(String uri) {
    URI u = URI.create(uri);
    if (u.getScheme() == null || "file".equals(u.getScheme())) {
      return u.getScheme() == null ? Path.of(uri) : Paths.get(u);
    }
    try {
      return Files.createTempFile("rlhf4j-spark-out-", ".jsonl");
    } catch (IOException e) {
      throw new Rlhf4jException("cannot create a temporary file for " + uri + ": " + e, e);
    }
  }

  /** Moves the local file {@link #target} gave into {@code uri} (a hidden copy renamed there). */
  public static void publish(Path local, String uri, Configuration conf) {
    URI u = URI.create(uri);
    if (u.getScheme() == null || "file".equals(u.getScheme())) {
      return;
    }
    try {
      FileSystem fs = FileSystem.get(u, conf);
      org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(u);
      org.apache.hadoop.fs.Path tmp =
          new org.apache.hadoop.fs.Path(dst.getParent(), "." + dst.getName() + "-" + UUID.randomUUID());
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), tmp);
      if (fs.exists(dst)) {
        fs.delete(dst, false);
      }
      if (!fs.rename(tmp, dst)) {
        throw new IOException("rename of " + tmp + " to " + dst + " failed");
      }
    } catch (IOException e) {
      throw new Rlhf4jException("cannot write " + uri + ": " + e, e);
    } finally {
      release(uri, local);
    }
  }
}
