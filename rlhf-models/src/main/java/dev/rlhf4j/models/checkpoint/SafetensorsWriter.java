package dev.rlhf4j.models.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.models.checkpoint.internal.HalfFloats;
import dev.rlhf4j.models.checkpoint.internal.JsonText;
import dev.rlhf4j.models.checkpoint.internal.PendingTensor;
import dev.rlhf4j.models.checkpoint.internal.SafetensorsFileWriter;
import dev.rlhf4j.models.checkpoint.internal.SafetensorsHeader;
import dev.rlhf4j.models.checkpoint.internal.ShardPlanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes NDArrays as a Hugging Face checkpoint in the safetensors format, byte for byte as
 * {@code transformers}' {@code save_pretrained} and the {@code safetensors} library lay it out.
 *
 * <ul>
 *   <li>Tensor names are written as given; floating-point arrays are stored as {@link
 *       StorageType#F32} or {@link StorageType#BF16} (rounded to nearest, ties to even; NaN
 *       stays NaN), integer and boolean arrays keep their type.
 *   <li>The header is compact JSON with {@code "__metadata__": {"format": "pt", …}} first,
 *       padded with spaces to a multiple of 8 bytes; the data of a file is ordered by descending
 *       element type and then by name.
 *   <li>Up to {@link #maxShardBytes()} of tensor data, {@link #write} writes one {@code
 *       model.safetensors}; above it, {@code model-00001-of-0000N.safetensors} … plus {@code
 *       model.safetensors.index.json}, splitting in the map's iteration order as {@code
 *       transformers} splits in state-dict order (pass a {@link LinkedHashMap} in module order
 *       or a sorted map for a stable layout).
 *   <li>Every file is written to a temporary file in the same directory, forced to disk and
 *       moved into place; the index is moved last. Weight files of an earlier save in the same
 *       directory that the new one does not replace ({@code model.safetensors}, {@code
 *       model-*-of-*.safetensors}, the index) are deleted afterwards, as {@code transformers}
 *       does, so the directory never mixes two saves.
 * </ul>
 *
 * <pre>{@code
 * SafetensorsWriter writer = SafetensorsWriter.builder()
 *     .storageType(StorageType.BF16)
 *     .maxShardBytes(2_000_000_000L)
 *     .build();
 * writer.write(Path.of("runs/iter-1/policy"), parameters);
 * }</pre>
 *
 * <p>Immutable and thread-safe; concurrent writes into the same directory are not.
 */
public final class SafetensorsWriter {
  /** The default shard limit, 5 GB, as {@code transformers}' {@code max_shard_size="5GB"}. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  private static final String FORMAT_KEY = "format";

  private final StorageType storageType;
  private final long maxShardBytes;
  private final Map<String, String> metadata;

  private SafetensorsWriter(Builder builder) {
    this.storageType = builder.storageType;
    this.maxShardBytes = builder.maxShardBytes;
    this.metadata = Collections.unmodifiableMap(new TreeMap<>(builder.metadata));
  }

  /** A builder with F32 storage, 5 GB shards and {@code {"format": "pt"}} metadata. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this writer's settings. */
  public Builder toBuilder() {
    Builder builder = new Builder().storageType(storageType).maxShardBytes(maxShardBytes);
    builder.metadata.putAll(metadata);
    return builder;
  }

  /** How floating-point tensors are stored. */
  public StorageType storageType() {
    return storageType;
  }

  /** The most bytes of tensor data in one shard (exceeded only by a single larger tensor). */
  public long maxShardBytes() {
    return maxShardBytes;
  }

  /** The {@code __metadata__} entries every file gets, sorted by key; includes {@code format}. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Writes {@code tensors} into {@code directory} (created if missing) as {@code
   * model.safetensors}, or as shards plus {@code model.safetensors.index.json} when their data
   * exceeds {@link #maxShardBytes()}. The arrays are read, not modified or closed.
   *
   * @param directory the model directory
   * @param tensors the tensors by Hugging Face name
   * @return the files written: the shards in order, then the index if there is one
   * @throws IllegalArgumentException if an argument is null, a name is empty or {@code
   *     __metadata__}, an array is released, or its data type is not FLOAT32, FLOAT16, FLOAT64,
   *     INT64, INT32, INT8, UINT8 or BOOLEAN
   * @throws CheckpointException if a file cannot be written; no partial file is left behind
   */
  public List<Path> write(Path directory, Map<String, NDArray> tensors) {
    checkArgument(directory != null, "directory must not be null");
    return writePending(directory, pending(tensors));
  }

  /**
   * As {@link #write(Path, Map)} for tensors held in Java memory: floats are stored as {@link
   * #storageType()}, longs as I64.
   *
   * @param directory the model directory
   * @param tensors the tensors by Hugging Face name
   * @return the files written: the shards in order, then the index if there is one
   * @throws IllegalArgumentException if an argument is null or a name is empty or {@code
   *     __metadata__}
   * @throws CheckpointException if a file cannot be written; no partial file is left behind
   */
  public List<Path> writeHost(Path directory, Map<String, HostTensor> tensors) {
    checkArgument(directory != null, "directory must not be null");
    checkArgument(tensors != null, "tensors must not be null");
    List<PendingTensor> pending = new ArrayList<>(tensors.size());
    for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
      String name = checkName(entry.getKey());
      HostTensor tensor = entry.getValue();
      checkArgument(tensor != null, "tensor '%s' must not be null", name);
      DType dtype = tensor.isFloatingPoint() ? storageType.dtype() : DType.I64;
      pending.add(new PendingTensor(new TensorInfo(name, dtype, tensor.shape()),
          sink -> writeHostTensor(tensor, dtype, sink)));
    }
    return writePending(directory, pending);
  }

  /** {@link #write(Path, Map)} of tensors already turned into byte producers. */
  List<Path> writePending(Path directory, List<PendingTensor> pending) {
    List<Long> sizes = pending.stream().map(t -> t.info().byteSize()).toList();
    List<List<Integer>> shards = ShardPlanner.plan(sizes, maxShardBytes);
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new CheckpointException(directory, null, "cannot be created: " + e, e);
    }
    Map<Path, Path> moves = new LinkedHashMap<>();
    try {
      Map<String, String> weightMap = new TreeMap<>();
      long totalSize = 0;
      for (int s = 0; s < shards.size(); s++) {
        String fileName = ShardPlanner.fileName(s, shards.size());
        List<PendingTensor> shard = new ArrayList<>();
        for (int index : shards.get(s)) {
          shard.add(pending.get(index));
          weightMap.put(pending.get(index).info().name(), fileName);
          totalSize += pending.get(index).info().byteSize();
        }
        Path target = directory.resolve(fileName);
        Path temp = temporaryFile(directory, fileName);
        moves.put(temp, target);
        SafetensorsFileWriter.write(temp, shard, metadata);
      }
      if (shards.size() > 1) {
        Path target = directory.resolve(ShardPlanner.INDEX_FILE);
        Path temp = temporaryFile(directory, ShardPlanner.INDEX_FILE);
        moves.put(temp, target);
        Files.writeString(temp, JsonText.shardIndex(totalSize, weightMap),
            StandardCharsets.UTF_8);
      }
    } catch (IOException | RuntimeException e) {
      deleteQuietly(moves.keySet(), e);
      throw failure(directory, e);
    }
    return commit(directory, moves);
  }

  /**
   * Writes {@code tensors} into one safetensors file, however large, without an index.
   *
   * @param file the file to write; its parent directory must exist
   * @param tensors the tensors by name
   * @return {@code file}
   * @throws IllegalArgumentException as for {@link #write(Path, Map)}
   * @throws CheckpointException if the file cannot be written; no partial file is left behind
   */
  public Path writeFile(Path file, Map<String, NDArray> tensors) {
    checkArgument(file != null, "file must not be null");
    List<PendingTensor> pending = pending(tensors);
    Path directory = file.toAbsolutePath().getParent();
    Path temp = null;
    try {
      temp = temporaryFile(directory, file.getFileName().toString());
      SafetensorsFileWriter.write(temp, pending, metadata);
      move(temp, file);
      return file;
    } catch (IOException | RuntimeException e) {
      if (temp != null) {
        deleteQuietly(List.of(temp), e);
      }
      throw failure(file, e);
    }
  }

  /**
   * The exception to throw for a failed write: our own and argument errors as they are, I/O and
   * engine errors wrapped with their cause.
   */
  private static RuntimeException failure(Path path, Exception e) {
    if (e instanceof CheckpointException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException) {
      return (RuntimeException) e;
    }
    return new CheckpointException(path, null, "cannot be written: " + e, e);
  }

  @Override
  public String toString() {
    return "SafetensorsWriter[" + storageType + ", maxShardBytes=" + maxShardBytes + "]";
  }

  private List<PendingTensor> pending(Map<String, NDArray> tensors) {
    checkArgument(tensors != null, "tensors must not be null");
    List<PendingTensor> pending = new ArrayList<>(tensors.size());
    for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
      String name = checkName(entry.getKey());
      NDArray array = entry.getValue();
      checkArgument(array != null, "array of tensor '%s' must not be null", name);
      checkArgument(!array.isReleased(), "array of tensor '%s' must be open but is released",
          name);
      DType dtype = fileType(name, array.getDataType());
      TensorInfo info = new TensorInfo(name, dtype, toList(array.getShape().getShape()));
      pending.add(new PendingTensor(info, sink -> writeArray(array, dtype, sink)));
    }
    return pending;
  }

  private static String checkName(String name) {
    checkArgument(name != null && !name.isEmpty(), "tensor names must be non-empty");
    checkArgument(!SafetensorsHeader.METADATA_KEY.equals(name),
        "a tensor must not be named '%s': the header reserves that key",
        SafetensorsHeader.METADATA_KEY);
    return name;
  }

  private static void writeHostTensor(HostTensor tensor, DType dtype, PendingTensor.ByteSink sink)
      throws IOException {
    ByteBuffer out = sink.scratch();
    for (int i = 0; i < tensor.size(); i++) {
      if (out.remaining() < Long.BYTES) {
        sink.write(out.flip());
        out = sink.scratch();
      }
      switch (dtype) {
        case F32 -> out.putFloat(tensor.floatAt(i));
        case BF16 -> out.putShort(HalfFloats.floatToBf16(tensor.floatAt(i)));
        case I64 -> out.putLong(tensor.longAt(i));
        default -> throw new AssertionError(dtype);
      }
    }
    sink.write(out.flip());
  }

  private DType fileType(String name, DataType type) {
    return switch (type) {
      case FLOAT32, FLOAT16, FLOAT64 -> storageType.dtype();
      case INT64 -> DType.I64;
      case INT32 -> DType.I32;
      case INT8 -> DType.I8;
      case UINT8 -> DType.U8;
      case BOOLEAN -> DType.BOOL;
      default -> throw new IllegalArgumentException("array of tensor '" + name
          + "' has data type " + type + "; supported: FLOAT32, FLOAT16, FLOAT64 (stored as "
          + storageType + "), INT64, INT32, INT8, UINT8, BOOLEAN");
    };
  }

  private static void writeArray(NDArray array, DType dtype, PendingTensor.ByteSink sink)
      throws IOException {
    boolean littleEndian = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    if (!dtype.isFloatingPoint()) {
      checkArgument(littleEndian, "integer tensors can only be written on a little-endian "
          + "platform");
      sink.write(array.toByteBuffer().order(ByteOrder.nativeOrder()));
      return;
    }
    NDArray floats = array.getDataType() == DataType.FLOAT32 ? array
        : array.toType(DataType.FLOAT32, false);
    try {
      ByteBuffer bytes = floats.toByteBuffer().order(ByteOrder.nativeOrder());
      if (dtype == DType.F32 && littleEndian) {
        sink.write(bytes);
        return;
      }
      FloatBuffer values = bytes.asFloatBuffer();
      ByteBuffer out = sink.scratch();
      while (values.hasRemaining()) {
        if (out.remaining() < Float.BYTES) {
          sink.write(out.flip());
          out = sink.scratch();
        }
        float value = values.get();
        if (dtype == DType.BF16) {
          out.putShort(HalfFloats.floatToBf16(value));
        } else {
          out.putFloat(value);
        }
      }
      sink.write(out.flip());
    } finally {
      if (floats != array) {
        floats.close();
      }
    }
  }

  private List<Path> commit(Path directory, Map<Path, Path> moves) {
    Set<String> written = new HashSet<>();
    for (Path target : moves.values()) {
      written.add(target.getFileName().toString());
    }
    try {
      // A stale index would win over a new single file: drop it before the file lands.
      if (!written.contains(ShardPlanner.INDEX_FILE)) {
        Files.deleteIfExists(directory.resolve(ShardPlanner.INDEX_FILE));
      }
      for (Map.Entry<Path, Path> move : moves.entrySet()) {
        move(move.getKey(), move.getValue());
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
        for (Path file : files) {
          String name = file.getFileName().toString();
          if (ShardPlanner.isWeightFileName(name) && !written.contains(name)) {
            Files.deleteIfExists(file);
          }
        }
      }
    } catch (IOException e) {
      deleteQuietly(moves.keySet(), e);
      throw new CheckpointException(directory, null, "cannot be written: " + e, e);
    }
    return List.copyOf(moves.values());
  }

  /**
   * A new empty file beside the target. Not {@code Files.createTempFile}: that makes it mode
   * 0600, and the weights would end up unreadable to the group while config.json and the
   * tokenizer files get the process's usual mode (0644 under the common umask 022).
   */
  private static Path temporaryFile(Path directory, String fileName) throws IOException {
    while (true) {
      Path file = directory.resolve(
          "." + fileName + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
      try {
        return Files.createFile(file);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // drawn twice: draw again
      }
    }
  }

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Iterable<Path> files, Exception failure) {
    for (Path file : files) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static List<Long> toList(long[] dims) {
    List<Long> list = new ArrayList<>(dims.length);
    for (long dim : dims) {
      list.add(dim);
    }
    return list;
  }

  /**
   * Settings of a {@link SafetensorsWriter}; every setting has a default.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private StorageType storageType = StorageType.F32;
    private long maxShardBytes = DEFAULT_MAX_SHARD_BYTES;
    private final Map<String, String> metadata = new TreeMap<>(Map.of(FORMAT_KEY, "pt"));

    private Builder() {}

    /**
     * How floating-point tensors are stored; default {@link StorageType#F32}.
     *
     * @throws IllegalArgumentException if {@code storageType} is null
     */
    public Builder storageType(StorageType storageType) {
      checkArgument(storageType != null, "storageType must not be null");
      this.storageType = storageType;
      return this;
    }

    /**
     * The most bytes of tensor data in one shard; default {@link #DEFAULT_MAX_SHARD_BYTES}.
     *
     * @throws IllegalArgumentException if {@code maxShardBytes} ≤ 0
     */
    public Builder maxShardBytes(long maxShardBytes) {
      checkArgument(maxShardBytes > 0, "maxShardBytes must be > 0 but was %s", maxShardBytes);
      this.maxShardBytes = maxShardBytes;
      return this;
    }

    /**
     * Adds an entry to every file's {@code __metadata__}; {@code format} is always {@code pt}.
     *
     * @throws IllegalArgumentException if a value is null or the key is {@code format}
     */
    public Builder metadata(String key, String value) {
      checkArgument(key != null && value != null, "metadata key and value must not be null");
      checkArgument(!FORMAT_KEY.equals(key),
          "metadata key '%s' is reserved: transformers requires it to be \"pt\"", FORMAT_KEY);
      metadata.put(key, value);
      return this;
    }

    /** The writer. */
    public SafetensorsWriter build() {
      return new SafetensorsWriter(this);
    }
  }
}
