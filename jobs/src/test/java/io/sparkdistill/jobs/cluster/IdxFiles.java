package io.sparkdistill.jobs.cluster;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes gzip-compressed IDX files (the MNIST format) for tests. */
public final class IdxFiles {
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  private IdxFiles() {}

  /** Value of pixel ({@code row}, {@code col}) of image {@code index}. */
  @FunctionalInterface
  public interface PixelFunction {
    int value(int index, int row, int col);
  }

  /** An images file: {@code count} images of {@code rows x cols} unsigned bytes. */
  public static void writeImages(Path file, int count, int rows, int cols, PixelFunction pixel)
      throws IOException {
    try (DataOutputStream out = open(file)) {
      out.writeInt(IMAGES_MAGIC);
      out.writeInt(count);
      out.writeInt(rows);
      out.writeInt(cols);
      for (int i = 0; i < count; i++) {
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            out.writeByte(pixel.value(i, r, c));
          }
        }
      }
    }
  }

  /** A labels file holding {@code labels}, one unsigned byte each. */
  public static void writeLabels(Path file, int[] labels) throws IOException {
    try (DataOutputStream out = open(file)) {
      out.writeInt(LABELS_MAGIC);
      out.writeInt(labels.length);
      for (int label : labels) {
        out.writeByte(label);
      }
    }
  }

  private static DataOutputStream open(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    return new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)));
  }
}
