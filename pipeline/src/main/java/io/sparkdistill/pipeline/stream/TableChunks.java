package io.sparkdistill.pipeline.stream;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * The row groups of a Parquet table folder, in file-name order: the units a training task reads
 * and shuffles. Listed on the driver from the files' footers only (no data is read), small enough
 * to ship to every task (one entry per row group).
 *
 * @param chunks every row group of every data file
 */
public record TableChunks(List<Chunk> chunks) implements Serializable {

  /**
   * One row group of one file.
   *
   * @param file the Parquet file (any Hadoop path)
   * @param rowGroup the row group's index in the file
   * @param rows its row count, from the footer
   */
  public record Chunk(String file, int rowGroup, long rows) implements Serializable {}

  public TableChunks {
    chunks = List.copyOf(chunks);
  }

  /**
   * Lists every row group under {@code folder} (recursively, skipping names that start with
   * {@code _} or {@code .}, as Spark does).
   *
   * @throws IllegalArgumentException when the folder holds no rows, naming it
   */
  public static TableChunks list(Configuration conf, String folder) {
    Path root = new Path(folder);
    try {
      FileSystem fs = root.getFileSystem(conf);
      List<FileStatus> files = new ArrayList<>();
      collect(fs, root, files);
      files.sort(Comparator.comparing(f -> f.getPath().toString()));
      List<Chunk> chunks = new ArrayList<>();
      for (FileStatus file : files) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(file, conf))) {
          List<BlockMetaData> blocks = reader.getFooter().getBlocks();
          for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).getRowCount() > 0) {
              chunks.add(new Chunk(file.getPath().toString(), i, blocks.get(i).getRowCount()));
            }
          }
        }
      }
      if (chunks.isEmpty()) {
        throw new IllegalArgumentException("no Parquet rows under " + folder);
      }
      return new TableChunks(chunks);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the row groups of " + folder, e);
    }
  }

  private static void collect(FileSystem fs, Path dir, List<FileStatus> out) throws IOException {
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        continue;
      }
      if (status.isDirectory()) {
        collect(fs, status.getPath(), out);
      } else if (status.getLen() > 0) {
        out.add(status);
      }
    }
  }

  /** Rows of the whole table. */
  public long rows() {
    return chunks.stream().mapToLong(Chunk::rows).sum();
  }

  /** Number of row groups. */
  public int size() {
    return chunks.size();
  }
}
