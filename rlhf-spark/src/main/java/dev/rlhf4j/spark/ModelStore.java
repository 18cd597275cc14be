package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.api.Rlhf4jException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Model directories on Hadoop file systems: the driver {@linkplain #publish publishes} a local
 * checkpoint to a directory every executor can read, and executors {@linkplain #materialize
 * materialise} it as a local directory the engines can load.
 *
 * <p><b>Fingerprints.</b> {@link #fingerprint} hashes (SHA-256) the relative path, length and
 * bytes of every file in sorted order, skipping names that start with {@code .} or {@code _}
 * (Hadoop's hidden files: {@code .crc} checksums, {@code _SUCCESS}, this class's {@value
 * #COMPLETE_MARKER}). It reads every byte once: about a second per GB.
 *
 * <p><b>Layout.</b> {@code publish(dir, root)} writes {@code root/<dir name>-<fingerprint[0:16]>/}
 * through a hidden temporary directory renamed into place, then a {@value #COMPLETE_MARKER} file;
 * a directory without the marker (a crashed copy) is replaced. Publishing the same content again
 * copies nothing.
 *
 * <p>Stateless and thread-safe.
 */
public final class ModelStore {
  /** The file that marks a published directory complete; it holds the fingerprint. */
  public static final String COMPLETE_MARKER = "_RLHF4J_COMPLETE";

  private ModelStore() {}

  /**
   * The content fingerprint of the directory at {@code uri} (see the class documentation).
   *
   * @throws Rlhf4jException naming the URI if it cannot be read or holds no files
   */
  public static String fingerprint(URI uri, Configuration conf) {
    checkArgument(uri != null && conf != null, "uri and conf must not be null");
    try {
      FileSystem fs = FileSystem.get(uri, conf);
      Path root = fs.makeQualified(new Path(uri));
      List<String> names = new ArrayList<>();
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      String prefix = root.toUri().getPath();
      if (!prefix.endsWith("/")) {
        prefix += "/";
      }
      while (files.hasNext()) {
        LocatedFileStatus f = files.next();
        String relative = f.getPath().toUri().getPath().substring(prefix.length());
        if (!hidden(relative)) {
          names.add(relative);
        }
      }
      if (names.isEmpty()) {
        throw new Rlhf4jException("model directory " + uri + " holds no files");
      }
      names.sort(null);
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (String name : names) {
        Path file = new Path(root, name);
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(Long.toString(fs.getFileStatus(file).getLen())
            .getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) 0);
        try (InputStream in = fs.open(file)) {
          for (int k; (k = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, k);
          }
        }
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 16);
    } catch (IOException e) {
      throw new Rlhf4jException("cannot read model directory " + uri + ": " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  /**
   * A directory that is already where every executor can read it (π0 on HDFS or a shared
   * mount), fingerprinted now.
   *
   * @throws Rlhf4jException if it cannot be read
   */
  public static ModelLocation existing(URI uri, Configuration conf) {
    checkArgument(uri != null && uri.isAbsolute(),
        "uri must be an absolute URI with a scheme but was %s", uri);
    return new ModelLocation(uri.toString(), fingerprint(uri, conf));
  }

  /**
   * Copies the local directory {@code directory} under {@code root} (see the class
   * documentation), unless that content is already there.
   *
   * @param root a Hadoop URI of a directory every executor can read; created if missing
   * @return the published copy
   * @throws IllegalArgumentException if directory is not a directory or root is not absolute
   * @throws Rlhf4jException naming root if the copy fails
   */
  public static ModelLocation publish(java.nio.file.Path directory, URI root, Configuration conf) {
    checkArgument(directory != null && Files.isDirectory(directory),
        "directory must be an existing local directory but was %s", directory);
    checkArgument(root != null && root.isAbsolute(),
        "root must be an absolute Hadoop URI (hdfs://, s3a://, file://...) but was %s", root);
    String fp = fingerprint(directory.toAbsolutePath().toUri(), conf);
    String name = directory.toAbsolutePath().normalize().getFileName() + "-" + fp.substring(0, 16);
    try {
      FileSystem fs = FileSystem.get(root, conf);
      Path base = fs.makeQualified(new Path(root));
      Path target = new Path(base, name);
      Path marker = new Path(target, COMPLETE_MARKER);
      if (fs.exists(marker)) {
        return new ModelLocation(target.toUri().toString(), fp);
      }
      if (fs.exists(target)) {
        fs.delete(target, true);
      }
      Path temporary = new Path(base, "." + name + "-" + UUID.randomUUID());
      fs.mkdirs(temporary);
      try (var entries = Files.list(directory)) {
        for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) entries::iterator) {
          fs.copyFromLocalFile(false, true, new Path(p.toAbsolutePath().toUri()),
              new Path(temporary, p.getFileName().toString()));
        }
      }
      if (!fs.rename(temporary, target)) {
        fs.delete(temporary, true);
        if (!fs.exists(marker)) {
          throw new IOException("rename of " + temporary + " to " + target + " failed");
        }
      }
      try (OutputStream out = fs.create(marker, true)) {
        out.write(fp.getBytes(StandardCharsets.US_ASCII));
      }
      return new ModelLocation(target.toUri().toString(), fp);
    } catch (IOException e) {
      throw new Rlhf4jException(
          "cannot publish " + directory + " under " + root + ": " + e
              + ". The staging directory must be writable by the driver and readable by every"
              + " executor",
          e);
    } catch (UncheckedIOException e) {
      throw new Rlhf4jException("cannot list " + directory + ": " + e.getCause(), e);
    }
  }

  /**
   * On an executor: a local directory holding {@code location}'s files, checked against its
   * fingerprint. A {@code file:} location is used in place; any other is copied into {@code
   * localCache/<fingerprint>/} once per JVM.
   *
   * @return the directory, and whether it is a copy the caller may delete when done
   * @throws Rlhf4jException naming the location and the host if this executor cannot read it or
   *     its content is not the one the driver fingerprinted
   */
  public static Materialized materialize(
      ModelLocation location, Configuration conf, java.nio.file.Path localCache) {
    URI uri = URI.create(location.uri());
    try {
      java.nio.file.Path dir;
      boolean copy;
      FileSystem fs = FileSystem.get(uri, conf);
      if (fs instanceof LocalFileSystem || "file".equals(uri.getScheme())) {
        dir = Paths.get(uri);
        copy = false;
        if (!Files.isDirectory(dir)) {
          throw new IOException("no such directory " + dir);
        }
      } else {
        dir = localCache.resolve(location.fingerprint());
        copy = true;
        if (!Files.isDirectory(dir)) {
          java.nio.file.Path temporary =
              localCache.resolve("." + location.fingerprint() + "-" + UUID.randomUUID());
          Files.createDirectories(localCache);
          fs.copyToLocalFile(false, new Path(uri), new Path(temporary.toUri()), true);
          Files.move(temporary, dir);
        }
      }
      String actual = fingerprint(dir.toUri(), conf);
      if (!actual.equals(location.fingerprint())) {
        throw new Rlhf4jException(
            "model directory " + location.uri() + " on executor " + host() + " has fingerprint "
                + actual + " but the driver published " + location.fingerprint()
                + ": it was changed after publishing; publish every version to its own"
                + " directory (ModelStore.publish does)");
      }
      return new Materialized(dir, copy);
    } catch (IOException | Rlhf4jException e) {
      if (e instanceof Rlhf4jException r && r.getMessage().contains("was changed")) {
        throw r;
      }
      throw new Rlhf4jException(
          "executor " + host() + " cannot read model directory " + location.uri() + ": "
              + e.getMessage() + ". Every executor must be able to read it: put models and the"
              + " staging directory on hdfs://, s3a:// or a file:// path mounted on every node",
          e);
    }
  }

  /** A local model directory and whether it is a copy. */
  public record Materialized(java.nio.file.Path directory, boolean copy) {}

  private static boolean hidden(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith(".") || part.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "(unknown host)";
    }
  }
}
