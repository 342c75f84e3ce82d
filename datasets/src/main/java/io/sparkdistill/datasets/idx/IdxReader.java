package io.sparkdistill.datasets.idx;

import io.sparkdistill.datasets.DatasetException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Streams the records of one IDX file (gzip-compressed or not) after checking its header.
 *
 * <p>The header is a magic number {@code 0x0000TTDD} (TT = element type, only {@code 0x08}
 * unsigned byte is accepted; DD = number of dimensions), then DD big-endian int32 sizes. The first
 * size is the record count; the rest give the shape of one record.
 */
public final class IdxReader implements AutoCloseable {
  private static final int UNSIGNED_BYTE = 0x08;

  private final String path;
  private final DataInputStream in;
  private final int count;
  private final int[] recordShape;
  private final int recordBytes;

  /** Opens {@code raw} (the file's bytes) and reads its header; {@code path} is for messages. */
  public IdxReader(String path, InputStream raw) throws IOException {
    this.path = path;
    BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    InputStream body =
        (b0 == 0x1f && b1 == 0x8b)
            ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16)
            : buffered;
    this.in = new DataInputStream(body);
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      throw new DatasetException(path + ": not an IDX file (shorter than its 4-byte magic number)");
    }
    int type = (magic >>> 8) & 0xff;
    int dims = magic & 0xff;
    if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || dims < 1 || dims > 4) {
      throw new DatasetException(
          String.format(
              "%s: not an unsigned-byte IDX file (magic number 0x%08x; expected 0x000008DD with 1-4"
                  + " dimensions)",
              path, magic));
    }
    int[] sizes = new int[dims];
    try {
      for (int i = 0; i < dims; i++) {
        sizes[i] = in.readInt();
        if (sizes[i] < 0) {
          throw new DatasetException(path + ": negative size " + sizes[i] + " in IDX header");
        }
      }
    } catch (EOFException e) {
      throw new DatasetException(path + ": IDX header cut off (declares " + dims + " dimensions)");
    }
    this.count = sizes[0];
    this.recordShape = java.util.Arrays.copyOfRange(sizes, 1, dims);
    int bytes = 1;
    for (int s : recordShape) {
      bytes = Math.multiplyExact(bytes, s);
    }
    this.recordBytes = bytes;
  }

  /** Number of records the header declares. */
  public int declaredCount() {
    return count;
  }

  /** Shape of one record (empty for a labels file, {@code [rows, cols]} for images). */
  public int[] recordShape() {
    return recordShape.clone();
  }

  /**
   * Reads the next record into a new array, or returns {@code null} when the file ends before the
   * record is complete (a truncated file).
   */
  public byte[] next() throws IOException {
    byte[] record = new byte[recordBytes];
    try {
      in.readFully(record);
      return record;
    } catch (EOFException e) {
      return null;
    }
  }

  /**
   * Skips {@code records} records; returns false when the file ends first (a truncated file, whose
   * remaining records all count as cut off).
   */
  public boolean skip(long records) throws IOException {
    try {
      in.skipNBytes(records * recordBytes);
      return true;
    } catch (EOFException e) {
      return false;
    }
  }

  /** Path of the file, as given. */
  public String path() {
    return path;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
