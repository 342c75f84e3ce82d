package io.sparkdistill.datasets.idx;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.ExampleIds;
import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.examples.RejectReason;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.examples.SourceResult;
import io.sparkdistill.datasets.image.ImageDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Reads MNIST-style IDX datasets into example rows.
 *
 * <p>An IDX split is two sequential files whose records pair up by position, so it is parsed in
 * one streaming pass on the driver and the rows are then spread over {@code partitions} Spark
 * partitions. (IDX datasets are tens of megabytes by nature; folder datasets at ImageNet scale go
 * through {@code ImageFolderSource}, which reads in parallel on the executors.)
 *
 * <p>Records the two headers disagree about, records cut off by the end of a file, and labels
 * outside {@code [0, classNames.size())} are rejected with the reason; a file that is missing or is
 * not IDX at all fails the whole read with a {@link DatasetException}.
 */
public final class IdxSource {
  private final List<IdxSplit> splits;
  private final ImageDecoder decoder;
  private final List<String> classNames;
  private final int shards;
  private final int partitions;

  public IdxSource(
      List<IdxSplit> splits,
      ImageDecoder decoder,
      List<String> classNames,
      int shards,
      int partitions) {
    this.splits = List.copyOf(splits);
    this.decoder = decoder;
    this.classNames = List.copyOf(classNames);
    this.shards = shards;
    this.partitions = partitions;
  }

  /** Parses every split and returns its examples and rejected records. */
  public SourceResult read(SparkSession spark) {
    List<Row> examples = new ArrayList<>();
    List<Row> rejected = new ArrayList<>();
    Map<String, Long> inputs = new LinkedHashMap<>();
    for (IdxSplit split : splits) {
      inputs.put(split.split(), readSplit(spark, split, examples, rejected));
    }
    Dataset<Row> exampleFrame =
        spark.createDataFrame(examples, ExampleTable.SCHEMA).repartition(partitions);
    Dataset<Row> rejectedFrame = spark.createDataFrame(rejected, RejectedTable.SCHEMA);
    return new SourceResult(exampleFrame, rejectedFrame, inputs, classNames, List.of());
  }

  private long readSplit(SparkSession spark, IdxSplit split, List<Row> examples, List<Row> rejected) {
    try (IdxReader images = open(spark, split.images());
        IdxReader labels = open(spark, split.labels())) {
      int[] shape = images.recordShape();
      if (shape.length != 2) {
        throw new DatasetException(
            split.images() + ": images file must have 3 dimensions (count, rows, columns), has "
                + (shape.length + 1));
      }
      if (labels.recordShape().length != 0) {
        throw new DatasetException(
            split.labels() + ": labels file must have 1 dimension (count), has "
                + (labels.recordShape().length + 1));
      }
      int declared = Math.max(images.declaredCount(), labels.declaredCount());
      String idPrefix = new Path(split.images()).getName() + "#";
      boolean imagesEnded = false;
      boolean labelsEnded = false;
      for (int i = 0; i < declared; i++) {
        String source = split.images() + "#" + i;
        byte[] image = null;
        byte[] label = null;
        if (i < images.declaredCount() && !imagesEnded) {
          image = images.next();
          imagesEnded = image == null;
        }
        if (i < labels.declaredCount() && !labelsEnded) {
          label = labels.next();
          labelsEnded = label == null;
        }
        String problem = problem(split, images, labels, i, imagesEnded, labelsEnded);
        if (problem != null) {
          RejectReason reason =
              (imagesEnded || labelsEnded) && i < images.declaredCount() && i < labels.declaredCount()
                  ? RejectReason.IDX_TRUNCATED
                  : RejectReason.IDX_HEADER_MISMATCH;
          rejected.add(RejectedTable.row(split.split(), source, reason, problem));
          continue;
        }
        int labelIndex = label[0] & 0xff;
        if (labelIndex >= classNames.size()) {
          rejected.add(
              RejectedTable.row(
                  split.split(),
                  source,
                  RejectReason.LABEL_OUT_OF_RANGE,
                  "label " + labelIndex + " outside the " + classNames.size() + " declared classes"));
          continue;
        }
        String id = idPrefix + i;
        byte[] pixels = decoder.fit(image, shape[0], shape[1], 1);
        examples.add(
            RowFactory.create(
                id,
                split.split(),
                ExampleIds.shardOf(id, shards),
                labelIndex,
                classNames.get(labelIndex),
                decoder.shape().height(),
                decoder.shape().width(),
                decoder.shape().channels(),
                pixels,
                source));
      }
      return declared;
    } catch (IOException e) {
      throw new DatasetException("cannot read IDX split '" + split.split() + "': " + e, e);
    }
  }

  /** Why record {@code i} cannot be used, or {@code null} when it can. */
  private static String problem(
      IdxSplit split, IdxReader images, IdxReader labels, int i, boolean imagesEnded, boolean labelsEnded) {
    if (i >= images.declaredCount()) {
      return "labels file declares " + labels.declaredCount() + " records but images file "
          + images.declaredCount();
    }
    if (i >= labels.declaredCount()) {
      return "images file declares " + images.declaredCount() + " records but labels file "
          + labels.declaredCount() + " (" + split.labels() + ")";
    }
    if (imagesEnded) {
      return "images file ends before record " + i + " of " + images.declaredCount();
    }
    if (labelsEnded) {
      return "labels file ends before record " + i + " of " + labels.declaredCount()
          + " (" + split.labels() + ")";
    }
    return null;
  }

  private static IdxReader open(SparkSession spark, String file) throws IOException {
    Path path = new Path(file);
    FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(path)) {
      throw new DatasetException("IDX file not found: " + file);
    }
    return new IdxReader(file, fs.open(path));
  }
}
