package dev.rlhf4j.reward;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** File helpers the model-file tests share: copying a model directory, damaging a file. */
public final class FileFixtures {
  private FileFixtures() {}

  /** Copies the tree under {@code from} to {@code to}, keeping file attributes. */
  public static void copyTree(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Flips the lowest bit of the byte {@code offsetFromMiddle} bytes after the middle of the file:
   * the same size, other content.
   */
  public static void flipAByte(Path file, int offsetFromMiddle) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length / 2 + offsetFromMiddle] ^= 0x01;
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
