package io.sparkdistill.datasets.imagefolder;

import io.sparkdistill.datasets.DatasetException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The files of an image-folder tree, listed by the driver with Hadoop's {@link FileSystem} and
 * spread round-robin over the decode partitions.
 *
 * <p>Listed here rather than by Spark's {@code binaryFile} source because that source drops files
 * on its own: zero-length files, and names ending in {@code ._COPYING_} (a {@code hadoop fs -put}
 * in progress or interrupted). Here the only files left out are hidden ones: a file or folder
 * whose name starts with {@code .} or {@code _} (and everything under such a folder). Every other
 * file is an input.
 */
final class FileListing {
  static final String PATH = "path";
  static final String LENGTH = "length";
  static final StructType SCHEMA =
      new StructType()
          .add(PATH, DataTypes.StringType, false)
          .add(LENGTH, DataTypes.LongType, false);

  private FileListing() {}

  /** True for names Spark and Hadoop tools treat as hidden: starting with {@code .} or {@code _}. */
  static boolean hidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  /** Every non-hidden file under {@code dirs}, at any depth, as (path, length) rows sorted by path. */
  static List<Row> list(FileSystem fs, List<Path> dirs) {
    List<FileStatus> files = new ArrayList<>();
    for (Path dir : dirs) {
      try {
        collect(fs, dir, files);
      } catch (IOException e) {
        throw new DatasetException("cannot list " + dir + ": " + e, e);
      }
    }
    files.sort(Comparator.comparing(status -> status.getPath().toString()));
    List<Row> rows = new ArrayList<>(files.size());
    for (FileStatus file : files) {
      rows.add(RowFactory.create(file.getPath().toString(), file.getLen()));
    }
    return rows;
  }

  private static void collect(FileSystem fs, Path dir, List<FileStatus> into) throws IOException {
    RemoteIterator<FileStatus> children = fs.listStatusIterator(dir);
    while (children.hasNext()) {
      FileStatus child = children.next();
      if (hidden(child.getPath().getName())) {
        continue;
      }
      if (child.isDirectory()) {
        collect(fs, child.getPath(), into);
      } else {
        into.add(child);
      }
    }
  }

  /**
   * The rows as a DataFrame of exactly {@code partitions} partitions, row {@code i} in partition
   * {@code i % partitions}: consecutive files (one class folder, files of similar size) land on
   * different tasks, and every partition holds the same number of files, give or take one.
   */
  static Dataset<Row> spread(SparkSession spark, List<Row> rows, int partitions) {
    List<List<Row>> buckets = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      buckets.add(new ArrayList<>(rows.size() / partitions + 1));
    }
    for (int i = 0; i < rows.size(); i++) {
      buckets.get(i % partitions).add(rows.get(i));
    }
    // as many slices as elements: slice p holds exactly bucket p
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(
        jsc.parallelize(buckets, partitions).flatMap(List::iterator), SCHEMA);
  }
}
