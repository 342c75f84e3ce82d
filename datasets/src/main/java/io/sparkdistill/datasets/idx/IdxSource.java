package io.sparkdistill.datasets.idx;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.ExampleSource;
import io.sparkdistill.datasets.examples.SourceResult;
import io.sparkdistill.datasets.examples.TaggedRows;
import io.sparkdistill.datasets.image.ImageDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Reads MNIST-style IDX datasets into example rows.
 *
 * <p>The driver reads only the headers (and fails the whole read with a {@link DatasetException}
 * when a file is missing or is not IDX); the records are read on the executors, each task a range
 * of records that it reaches by skipping from the start of the (possibly gzip-compressed) files.
 *
 * <p>Records the two headers disagree about, records cut off by the end of a file, and labels
 * outside {@code [0, classNames.size())} are rejected with the reason.
 */
public final class IdxSource implements ExampleSource {
  private final List<IdxSplit> splits;
  private final ImageDecoder decoder;
  private final List<String> classNames;
  private final int shards;
  private final int partitions;
  private final List<Dataset<Row>> cached = new ArrayList<>();

  public IdxSource(
      List<IdxSplit> splits, ImageDecoder decoder, List<String> classNames, int shards, int partitions) {
    this.splits = List.copyOf(splits);
    this.decoder = decoder;
    this.classNames = List.copyOf(classNames);
    this.shards = shards;
    this.partitions = partitions;
  }

  @Override
  public SourceResult read(SparkSession spark) {
    List<IdxRange> ranges = new ArrayList<>();
    Map<String, Long> inputs = new LinkedHashMap<>();
    for (IdxSplit split : splits) {
      int[] counts = checkHeaders(split);
      int declared = Math.max(counts[0], counts[1]);
      inputs.put(split.split(), (long) declared);
      int step = Math.max(1, (declared + partitions - 1) / partitions);
      for (int start = 0; start < declared; start += step) {
        ranges.add(new IdxRange(split, counts[0], counts[1], start, Math.min(declared, start + step)));
      }
    }
    ImageDecoder decoder = this.decoder;
    List<String> classNames = this.classNames;
    int shards = this.shards;
    JavaRDD<Row> rows =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(ranges, Math.max(1, ranges.size()))
            .flatMap(range -> range.read(decoder, classNames, shards).iterator());
    Dataset<Row> tagged =
        spark.createDataFrame(rows, TaggedRows.SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(tagged);
    return new SourceResult(
        TaggedRows.examples(tagged), TaggedRows.rejected(tagged), inputs, classNames, List.of());
  }

  @Override
  public void close() {
    cached.forEach(dataset -> dataset.unpersist(false));
    cached.clear();
  }

  /** Checks both headers on the driver; returns the declared image and label counts. */
  private static int[] checkHeaders(IdxSplit split) {
    try (IdxReader images = IdxRange.open(split.images());
        IdxReader labels = IdxRange.open(split.labels())) {
      if (images.recordShape().length != 2) {
        throw new DatasetException(
            split.images() + ": images file must have 3 dimensions (count, rows, columns), has "
                + (images.recordShape().length + 1));
      }
      if (labels.recordShape().length != 0) {
        throw new DatasetException(
            split.labels() + ": labels file must have 1 dimension (count), has "
                + (labels.recordShape().length + 1));
      }
      return new int[] {images.declaredCount(), labels.declaredCount()};
    } catch (java.io.FileNotFoundException e) {
      throw new DatasetException("IDX file not found: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DatasetException("cannot read IDX split '" + split.split() + "': " + e, e);
    }
  }
}
