package dev.rlhf4j.training.optim.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rlhf4j.api.Rlhf4jException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Reads and writes the optimizer-state directory of {@link dev.rlhf4j.training.optim.AdamW}.
 *
 * <p>The directory holds two files:
 *
 * <ul>
 *   <li>{@value #INDEX_FILE}: a JSON {@link Index}: the format name {@value #FORMAT} and
 *       {@link #VERSION version}, the optimizer step, the hyperparameters, the data file's name,
 *       byte length and CRC-32, and for each parameter its name, group, shape and where its first
 *       ({@code exp_avg}) and second ({@code exp_avg_sq}) moments lie in the data file;
 *   <li>{@code optimizer-<step>-<crc32>.bin}: the moments as raw little-endian float32, row-major,
 *       one after the other in index order.
 * </ul>
 *
 * <p>Writes are atomic: the data file is written under a temporary name, forced to disk and moved
 * into place, then the index the same way. A data file's name carries its step and checksum, so a
 * new state never overwrites the file the current index names: a crash leaves either the old state
 * or the new one. Data files the new index no longer names, and temporary files of an interrupted
 * write, are deleted last. Readers check the length and CRC-32 before trusting the data.
 *
 * <p>Not thread-safe; one writer per directory.
 */
public final class OptimizerStateFiles {

  /** The name of the JSON index in a state directory. */
  public static final String INDEX_FILE = "optimizer.json";

  /** The format name written to and expected in the index. */
  public static final String FORMAT = "rlhf4j-adamw";

  /** The format version this class writes and reads. */
  public static final int VERSION = 1;

  private static final String DATA_PREFIX = "optimizer-";
  private static final String DATA_SUFFIX = ".bin";
  private static final String TEMP_PREFIX = ".optimizer-";
  private static final int CHUNK_BYTES = 1 << 20;
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private OptimizerStateFiles() {}

  /**
   * The settings an exact resume depends on.
   *
   * @param beta1 the first-moment decay
   * @param beta2 the second-moment decay
   * @param epsilon the denominator term
   * @param weightDecay the decoupled weight decay
   */
  public record Hyperparameters(double beta1, double beta2, double epsilon, double weightDecay) {}

  /**
   * Where one tensor lies in the data file.
   *
   * @param offset the byte offset, ≥ 0
   * @param length the byte length, 4 × the element count
   */
  public record Segment(long offset, long length) {}

  /**
   * The data file an index names.
   *
   * @param file the file name, inside the state directory
   * @param bytes its length in bytes
   * @param crc32 the CRC-32 of its content
   */
  public record DataFile(String file, long bytes, long crc32) {}

  /**
   * One parameter's moments.
   *
   * @param name the parameter's tensor name
   * @param decay whether weight decay applied to it
   * @param shape its shape
   * @param expAvg the first moment's place in the data file
   * @param expAvgSq the second moment's place in the data file
   */
  public record TensorEntry(
      String name, boolean decay, List<Long> shape, Segment expAvg, Segment expAvgSq) {
    /** Copies {@code shape}; a missing shape (a damaged index) reads as a scalar's. */
    public TensorEntry {
      shape = shape == null ? List.of() : List.copyOf(shape);
    }
  }

  /**
   * The content of {@value #INDEX_FILE}.
   *
   * @param format {@value #FORMAT}
   * @param version the format version
   * @param step optimizer steps taken
   * @param hyperparameters the optimizer's settings
   * @param data the data file
   * @param tensors one entry per parameter, in data-file order
   */
  public record Index(
      String format,
      int version,
      long step,
      Hyperparameters hyperparameters,
      DataFile data,
      List<TensorEntry> tensors) {
    /** Copies {@code tensors}; a missing list (a foreign or damaged index) reads as empty. */
    public Index {
      tensors = tensors == null ? List.of() : List.copyOf(tensors);
    }
  }

  /**
   * One parameter's moments to write, or as read.
   *
   * @param name the parameter's tensor name
   * @param decay whether weight decay applies to it
   * @param expAvg the first moment, float32
   * @param expAvgSq the second moment, float32, of the same shape
   */
  public record Moments(String name, boolean decay, NDArray expAvg, NDArray expAvgSq) {}

  /**
   * A state as read back.
   *
   * @param step optimizer steps taken
   * @param hyperparameters the optimizer's settings when saved
   * @param moments the moments, in saved order, owned by the manager given to {@link #read}
   */
  public record State(long step, Hyperparameters hyperparameters, List<Moments> moments) {
    /** Copies {@code moments}. */
    public State {
      moments = List.copyOf(moments);
    }
  }

  /**
   * Writes a state into {@code directory}, creating it if needed and replacing a state already
   * there.
   *
   * @param directory the state directory
   * @param step optimizer steps taken
   * @param hyperparameters the optimizer's settings
   * @param moments the moments, written in this order
   * @throws UncheckedIOException if a file cannot be written
   */
  public static void write(
      Path directory, long step, Hyperparameters hyperparameters, List<Moments> moments) {
    checkArgument(step >= 0, "step must be >= 0 but was %s", step);
    try {
      Files.createDirectories(directory);
      List<TensorEntry> entries = new ArrayList<>(moments.size());
      CRC32 crc = new CRC32();
      Path dataTemp = Files.createTempFile(directory, TEMP_PREFIX, ".bin.tmp");
      long offset = 0;
      String dataName;
      try {
        try (FileChannel out = FileChannel.open(dataTemp, StandardOpenOption.WRITE)) {
          for (Moments m : moments) {
            Segment first = writeTensor(out, m.expAvg(), offset, crc);
            offset += first.length();
            Segment second = writeTensor(out, m.expAvgSq(), offset, crc);
            offset += second.length();
            entries.add(new TensorEntry(m.name(), m.decay(), shapeList(m.expAvg()), first, second));
          }
          out.force(true);
        }
        dataName =
            String.format(
                Locale.ROOT, "%s%010d-%08x%s", DATA_PREFIX, step, crc.getValue(), DATA_SUFFIX);
        moveAtomically(dataTemp, directory.resolve(dataName));
      } finally {
        Files.deleteIfExists(dataTemp);
      }
      Index index =
          new Index(
              FORMAT,
              VERSION,
              step,
              hyperparameters,
              new DataFile(dataName, offset, crc.getValue()),
              entries);
      Path indexTemp = Files.createTempFile(directory, TEMP_PREFIX, ".json.tmp");
      try {
        try (FileChannel out = FileChannel.open(indexTemp, StandardOpenOption.WRITE)) {
          ByteBuffer json = ByteBuffer.wrap(JSON.writeValueAsBytes(index));
          while (json.hasRemaining()) {
            out.write(json);
          }
          out.force(true);
        }
        moveAtomically(indexTemp, directory.resolve(INDEX_FILE));
      } finally {
        Files.deleteIfExists(indexTemp);
      }
      deleteStaleDataFiles(directory, dataName);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write optimizer state to " + directory, e);
    }
  }

  /**
   * Reads the state in {@code directory}, creating the moments in {@code manager}.
   *
   * @param directory the state directory
   * @param manager owns the moments read; on its default device
   * @return the state
   * @throws UncheckedIOException if a file cannot be read
   * @throws Rlhf4jException if the directory holds no state, or a state of another format or
   *     version, or the data file does not match its index
   */
  public static State read(Path directory, NDManager manager) {
    Path indexPath = directory.resolve(INDEX_FILE);
    Index index;
    try {
      index = JSON.readValue(Files.readAllBytes(indexPath), Index.class);
    } catch (NoSuchFileException e) {
      throw new Rlhf4jException(
          "no optimizer state in " + directory + ": " + INDEX_FILE + " is missing", e);
    } catch (JsonProcessingException e) {
      throw new Rlhf4jException(indexPath + " is not a valid optimizer index: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + indexPath, e);
    }
    checkIndex(indexPath, index);
    Path dataPath = directory.resolve(index.data().file());
    List<Moments> moments = new ArrayList<>(index.tensors().size());
    try (FileChannel in = FileChannel.open(dataPath, StandardOpenOption.READ)) {
      checkData(dataPath, in, index.data());
      try (NDManager loading = manager.newSubManager()) {
        for (TensorEntry t : index.tensors()) {
          Shape shape = new Shape(t.shape().stream().mapToLong(Long::longValue).toArray());
          NDArray expAvg = readTensor(in, dataPath, t.name(), t.expAvg(), shape, loading);
          NDArray expAvgSq = readTensor(in, dataPath, t.name(), t.expAvgSq(), shape, loading);
          moments.add(new Moments(t.name(), t.decay(), expAvg, expAvgSq));
        }
        for (Moments m : moments) {
          m.expAvg().attach(manager);
          m.expAvgSq().attach(manager);
        }
      }
    } catch (NoSuchFileException e) {
      throw new Rlhf4jException(
          indexPath + " names data file " + index.data().file() + ", which is missing", e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + dataPath, e);
    }
    return new State(index.step(), index.hyperparameters(), moments);
  }

  private static void checkIndex(Path indexPath, Index index) {
    if (!FORMAT.equals(index.format()) || index.version() != VERSION) {
      throw new Rlhf4jException(
          String.format(
              Locale.ROOT,
              "%s holds format %s version %s; this version of rlhf4j reads %s version %s",
              indexPath,
              index.format(),
              index.version(),
              FORMAT,
              VERSION));
    }
    if (index.data() == null || index.hyperparameters() == null || index.step() < 0) {
      throw new Rlhf4jException(indexPath + " lacks 'data', 'hyperparameters' or a 'step' >= 0");
    }
    String file = index.data().file();
    if (file == null || !file.startsWith(DATA_PREFIX) || file.contains("/") || file.contains("\\")) {
      throw new Rlhf4jException(indexPath + ": 'data.file' must name a file in the directory");
    }
  }

  private static void checkData(Path dataPath, FileChannel in, DataFile data) throws IOException {
    if (in.size() != data.bytes()) {
      throw new Rlhf4jException(
          String.format(
              Locale.ROOT,
              "%s has %d bytes but its index says %d: the state is damaged",
              dataPath,
              in.size(),
              data.bytes()));
    }
    CRC32 crc = new CRC32();
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
    long position = 0;
    while (position < data.bytes()) {
      buffer.clear();
      int read = in.read(buffer, position);
      if (read < 0) {
        break;
      }
      buffer.flip();
      crc.update(buffer);
      position += read;
    }
    if (crc.getValue() != data.crc32()) {
      throw new Rlhf4jException(
          String.format(
              Locale.ROOT,
              "%s has CRC-32 %d but its index says %d: the state is damaged",
              dataPath,
              crc.getValue(),
              data.crc32()));
    }
  }

  private static Segment writeTensor(FileChannel out, NDArray array, long offset, CRC32 crc)
      throws IOException {
    checkArgument(
        array.getDataType() == DataType.FLOAT32,
        "optimizer state must be float32 but was %s",
        array.getDataType());
    float[] values = array.toFloatArray();
    long length = 4L * values.length;
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int next = 0;
    while (next < values.length) {
      buffer.clear();
      int count = Math.min(values.length - next, CHUNK_BYTES / 4);
      buffer.asFloatBuffer().put(values, next, count);
      buffer.limit(4 * count);
      next += count;
      crc.update(buffer.duplicate());
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
    }
    return new Segment(offset, length);
  }

  private static NDArray readTensor(
      FileChannel in, Path dataPath, String name, Segment segment, Shape shape, NDManager manager)
      throws IOException {
    long elements = shape.size();
    if (segment == null
        || segment.length() != 4 * elements
        || segment.offset() < 0
        || segment.offset() + segment.length() > in.size()) {
      throw new Rlhf4jException(
          String.format(
              Locale.ROOT,
              "%s: tensor %s of shape %s does not fit segment %s",
              dataPath,
              name,
              shape,
              segment));
    }
    float[] values = new float[Math.toIntExact(elements)];
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long position = segment.offset();
    int next = 0;
    while (next < values.length) {
      buffer.clear();
      int count = Math.min(values.length - next, CHUNK_BYTES / 4);
      buffer.limit(4 * count);
      while (buffer.hasRemaining()) {
        int read = in.read(buffer, position + buffer.position());
        if (read < 0) {
          throw new Rlhf4jException(dataPath + " ends inside tensor " + name);
        }
      }
      buffer.flip();
      buffer.asFloatBuffer().get(values, next, count);
      position += 4L * count;
      next += count;
    }
    return owned(manager.create(values, shape));
  }

  private static List<Long> shapeList(NDArray array) {
    List<Long> shape = new ArrayList<>();
    for (long dim : array.getShape().getShape()) {
      shape.add(dim);
    }
    return shape;
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void deleteStaleDataFiles(Path directory, String keep) throws IOException {
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(
            directory, "{" + DATA_PREFIX + "*" + DATA_SUFFIX + "," + TEMP_PREFIX + "*.tmp}")) {
      for (Path file : files) {
        if (!file.getFileName().toString().equals(keep)) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
