package io.sparkdistill.datasets.idx;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes unsigned-byte IDX files, gzip-compressed when the name ends in {@code .gz}: exports of
 * subsets, and the small generated datasets tests run on.
 */
public final class IdxWriter {
  private IdxWriter() {}

  /** Writes {@code images.length / (rows*cols)} images of {@code rows x cols} pixels. */
  public static void writeImages(Path file, int rows, int cols, byte[] images) throws IOException {
    int count = images.length / (rows * cols);
    write(file, new int[] {count, rows, cols}, images);
  }

  /** Writes one label byte per record. */
  public static void writeLabels(Path file, byte[] labels) throws IOException {
    write(file, new int[] {labels.length}, labels);
  }

  /** Writes a file with the given header sizes (first = record count) and body bytes as they are. */
  public static void write(Path file, int[] sizes, byte[] body) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        OutputStream maybeGzip = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw;
        DataOutputStream out = new DataOutputStream(maybeGzip)) {
      out.writeInt(0x0800 | sizes.length);
      for (int size : sizes) {
        out.writeInt(size);
      }
      out.write(body);
    }
  }
}
