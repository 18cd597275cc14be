package dev.rlhf4j.reward.onnx.internal;

import dev.rlhf4j.api.Rlhf4jException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Confines an ONNX model's external data to the model's directory before ONNX Runtime opens
 * anything: a {@code model.onnx} from a hub is untrusted, and ONNX Runtime would otherwise read
 * any file its tensors name ({@code ../../etc/hosts}, {@code /etc/os-release}) and report its
 * size in the error.
 *
 * <p>The file is scanned as protobuf wire data, field by field, through a small window: every
 * {@code TensorProto} the model can hold (graph initializers and sparse initializers, tensors in
 * node attributes, subgraphs of {@code If}/{@code Loop}/{@code Scan}, and model-local functions)
 * has its {@code external_data} entries read, and every other field, weights stored inline
 * ({@code raw_data}) included, is skipped by seeking. A multi-gigabyte model costs a few reads
 * and no heap beyond the window.
 *
 * <p>A location is accepted when it is a relative path with no {@code ..} segment and no drive
 * or root, and the file it names, links followed, lies inside the model directory's real path.
 * Links into the Hugging Face hub cache's {@code blobs} folder are followed too: there every file
 * of {@code <repo>/snapshots/<revision>/} is a link to {@code <repo>/blobs/<hash>}, so for a
 * directory directly under a {@code snapshots} folder, {@code ../../blobs} counts as inside.
 *
 * <p>Stateless and thread-safe.
 */
public final class ExternalDataCheck {
  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*", Pattern.DOTALL);
  private static final int WINDOW = 64 * 1024;
  private static final int MAX_STRING = 4096;
  private static final int MAX_DEPTH = 64;

  private ExternalDataCheck() {}

  /** One tensor's external data location. */
  record Location(String tensor, String location) {}

  /**
   * Checks every external-data location of {@code modelFile}.
   *
   * @throws Rlhf4jException if a location is absolute, climbs with {@code ..}, or names (through
   *     links) a file outside the model's directory; the message names the model file, the
   *     tensor and the location, and never anything about the file outside. Also if the model
   *     file cannot be read or is not protobuf wire data
   */
  public static void check(Path modelFile) {
    List<Location> locations;
    try {
      locations = locations(modelFile);
    } catch (IOException e) {
      throw new Rlhf4jException(
          "cannot read " + modelFile.toAbsolutePath() + " as an ONNX model: " + e.getMessage(),
          e);
    }
    if (locations.isEmpty()) {
      return;
    }
    Path directory = modelFile.toAbsolutePath().getParent();
    List<Path> roots = new ArrayList<>();
    try {
      Path real = directory.toRealPath();
      roots.add(real);
      Path snapshots = directory.getParent();
      if (snapshots != null && snapshots.getFileName() != null
          && snapshots.getFileName().toString().equals("snapshots")
          && snapshots.getParent() != null
          && Files.isDirectory(snapshots.getParent().resolve("blobs"))) {
        roots.add(snapshots.getParent().resolve("blobs").toRealPath());
      }
    } catch (IOException e) {
      throw new Rlhf4jException("cannot resolve the directory of " + modelFile + ": " + e, e);
    }
    for (Location l : locations) {
      String why = refusal(directory, roots, l.location());
      if (why != null) {
        throw new Rlhf4jException(
            modelFile.toAbsolutePath() + ": tensor '" + l.tensor() + "' has external-data"
                + " location '" + l.location() + "', " + why + "; ONNX external data must be a"
                + " relative file inside the model's directory " + directory + " (no '..', no"
                + " absolute path, no link leading out of it). Refused before ONNX Runtime"
                + " opened anything: re-export the model with its data next to model.onnx");
      }
    }
  }

  private static String refusal(Path directory, List<Path> roots, String location) {
    if (location.isEmpty() || location.indexOf('\0') >= 0) {
      return "which is not a file name";
    }
    if (location.startsWith("/") || location.startsWith("\\") || DRIVE.matcher(location).matches()
        || Path.of(location).isAbsolute()) {
      return "an absolute path";
    }
    for (String segment : location.split("[/\\\\]")) {
      if (segment.equals("..")) {
        return "which climbs out with '..'";
      }
    }
    Path file = directory.resolve(location).normalize();
    if (!file.startsWith(directory)) {
      return "which lies outside the directory";
    }
    if (Files.exists(file)) {
      Path real;
      try {
        real = file.toRealPath();
      } catch (IOException e) {
        return "which cannot be resolved";
      }
      if (roots.stream().noneMatch(real::startsWith)) {
        return "which is a link leading outside the directory";
      }
      if (!Files.isRegularFile(real)) {
        return "which is not a regular file";
      }
    } else if (Files.isSymbolicLink(file)) {
      return "which is a dangling link";
    }
    return null;
  }

  /** Every external-data location in the model, in file order. */
  static List<Location> locations(Path modelFile) throws IOException {
    try (FileChannel channel = FileChannel.open(modelFile, StandardOpenOption.READ)) {
      Scanner in = new Scanner(channel);
      List<Location> found = new ArrayList<>();
      // ModelProto: graph = 7, functions = 25 (FunctionProto: node = 7)
      long end = channel.size();
      while (in.position() < end) {
        long tag = in.varint();
        int field = (int) (tag >>> 3);
        int type = (int) (tag & 7);
        if (type == 2 && (field == 7 || field == 25)) {
          long stop = in.lengthEnd(end);
          if (field == 7) {
            graph(in, stop, found, 0);
          } else {
            nodes(in, stop, 7, found, 0);
          }
          in.seek(stop);
        } else {
          in.skip(type, end);
        }
      }
      return found;
    }
  }

  // GraphProto: node = 1, initializer = 5, sparse_initializer = 15
  private static void graph(Scanner in, long end, List<Location> found, int depth)
      throws IOException {
    depth(in, depth);
    while (in.position() < end) {
      long tag = in.varint();
      int field = (int) (tag >>> 3);
      int type = (int) (tag & 7);
      if (type == 2 && (field == 1 || field == 5 || field == 15)) {
        long stop = in.lengthEnd(end);
        if (field == 1) {
          node(in, stop, found, depth + 1);
        } else if (field == 5) {
          tensor(in, stop, found);
        } else {
          sparse(in, stop, found);
        }
        in.seek(stop);
      } else {
        in.skip(type, end);
      }
    }
  }

  /** The messages of field {@code nodeField} of a message ending at {@code end}, as NodeProtos. */
  private static void nodes(Scanner in, long end, int nodeField, List<Location> found, int depth)
      throws IOException {
    while (in.position() < end) {
      long tag = in.varint();
      if ((tag & 7) == 2 && (tag >>> 3) == nodeField) {
        long stop = in.lengthEnd(end);
        node(in, stop, found, depth + 1);
        in.seek(stop);
      } else {
        in.skip((int) (tag & 7), end);
      }
    }
  }

  // NodeProto: attribute = 5
  private static void node(Scanner in, long end, List<Location> found, int depth)
      throws IOException {
    depth(in, depth);
    while (in.position() < end) {
      long tag = in.varint();
      if ((tag & 7) == 2 && (tag >>> 3) == 5) {
        long stop = in.lengthEnd(end);
        attribute(in, stop, found, depth + 1);
        in.seek(stop);
      } else {
        in.skip((int) (tag & 7), end);
      }
    }
  }

  // AttributeProto: t = 5, g = 6, tensors = 10, graphs = 11, sparse_tensor = 22,
  // sparse_tensors = 23
  private static void attribute(Scanner in, long end, List<Location> found, int depth)
      throws IOException {
    while (in.position() < end) {
      long tag = in.varint();
      int field = (int) (tag >>> 3);
      int type = (int) (tag & 7);
      if (type == 2 && (field == 5 || field == 6 || field == 10 || field == 11 || field == 22
          || field == 23)) {
        long stop = in.lengthEnd(end);
        if (field == 5 || field == 10) {
          tensor(in, stop, found);
        } else if (field == 6 || field == 11) {
          graph(in, stop, found, depth + 1);
        } else {
          sparse(in, stop, found);
        }
        in.seek(stop);
      } else {
        in.skip(type, end);
      }
    }
  }

  // SparseTensorProto: values = 1, indices = 2
  private static void sparse(Scanner in, long end, List<Location> found) throws IOException {
    while (in.position() < end) {
      long tag = in.varint();
      int field = (int) (tag >>> 3);
      if ((tag & 7) == 2 && (field == 1 || field == 2)) {
        long stop = in.lengthEnd(end);
        tensor(in, stop, found);
        in.seek(stop);
      } else {
        in.skip((int) (tag & 7), end);
      }
    }
  }

  // TensorProto: name = 8, raw_data = 9 (skipped), external_data = 13 (key = 1, value = 2)
  private static void tensor(Scanner in, long end, List<Location> found) throws IOException {
    String name = "";
    List<String> locations = new ArrayList<>();
    while (in.position() < end) {
      long tag = in.varint();
      int field = (int) (tag >>> 3);
      int type = (int) (tag & 7);
      if (type == 2 && field == 8) {
        name = in.string(end);
      } else if (type == 2 && field == 13) {
        long stop = in.lengthEnd(end);
        String key = null;
        String value = null;
        while (in.position() < stop) {
          long entryTag = in.varint();
          if ((entryTag & 7) == 2 && (entryTag >>> 3) == 1) {
            key = in.string(stop);
          } else if ((entryTag & 7) == 2 && (entryTag >>> 3) == 2) {
            value = in.string(stop);
          } else {
            in.skip((int) (entryTag & 7), stop);
          }
        }
        if ("location".equals(key) && value != null) {
          locations.add(value);
        }
        in.seek(stop);
      } else {
        in.skip(type, end);
      }
    }
    for (String location : locations) {
      found.add(new Location(name, location));
    }
  }

  private static void depth(Scanner in, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("subgraphs nested deeper than " + MAX_DEPTH + " at byte "
          + in.position());
    }
  }

  /** Protobuf wire data read through a window of the file; skipping is seeking. */
  private static final class Scanner {
    private final FileChannel channel;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
    private long windowStart;

    Scanner(FileChannel channel) {
      this.channel = channel;
      window.limit(0);
    }

    long position() {
      return windowStart + window.position();
    }

    void seek(long position) {
      if (position >= windowStart && position <= windowStart + window.limit()) {
        window.position((int) (position - windowStart));
      } else {
        windowStart = position;
        window.limit(0);
      }
    }

    private int read() throws IOException {
      if (!window.hasRemaining()) {
        windowStart += window.limit();
        window.clear();
        channel.position(windowStart);
        while (window.position() == 0) {
          if (channel.read(window) < 0) {
            throw new EOFException("the file ends inside a field at byte " + windowStart);
          }
        }
        window.flip();
      }
      return window.get() & 0xff;
    }

    long varint() throws IOException {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = read();
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IOException("malformed varint at byte " + position());
    }

    /** Reads a length prefix and returns where the field ends, checked against {@code end}. */
    long lengthEnd(long end) throws IOException {
      long length = varint();
      long stop = position() + length;
      if (length < 0 || stop > end) {
        throw new IOException("a field of " + length + " bytes at byte " + position()
            + " runs past its message, which ends at byte " + end);
      }
      return stop;
    }

    String string(long end) throws IOException {
      long stop = lengthEnd(end);
      long length = stop - position();
      if (length > MAX_STRING) {
        throw new IOException("a name or external-data entry of " + length + " bytes at byte "
            + position() + " (at most " + MAX_STRING + ")");
      }
      byte[] bytes = new byte[(int) length];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) read();
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }

    void skip(int wireType, long end) throws IOException {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> seekWithin(position() + 8, end);
        case 2 -> seek(lengthEnd(end));
        case 5 -> seekWithin(position() + 4, end);
        default -> throw new IOException(
            "unsupported protobuf wire type " + wireType + " at byte " + position());
      }
    }

    private void seekWithin(long position, long end) throws IOException {
      if (position > end) {
        throw new IOException("a fixed-size field at byte " + position() + " runs past byte "
            + end);
      }
      seek(position);
    }
  }
}
