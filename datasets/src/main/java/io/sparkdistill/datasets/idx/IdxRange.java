package io.sparkdistill.datasets.idx;

import io.sparkdistill.datasets.examples.ExampleIds;
import io.sparkdistill.datasets.examples.RejectReason;
import io.sparkdistill.datasets.examples.TaggedRows;
import io.sparkdistill.datasets.image.ImageDecoder;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * Records {@code [start, end)} of one IDX split, read by one Spark task: it opens both files,
 * skips to {@code start} and turns each record into a tagged example or rejection.
 *
 * @param split the split's files
 * @param imageCount records the images header declares
 * @param labelCount records the labels header declares
 * @param start first record
 * @param end one past the last record
 */
record IdxRange(IdxSplit split, int imageCount, int labelCount, int start, int end)
    implements Serializable {

  List<Row> read(ImageDecoder decoder, List<String> classNames, int shards) {
    List<Row> rows = new ArrayList<>(end - start);
    String idPrefix = new Path(split.images()).getName() + "#";
    try (IdxReader images = open(split.images());
        IdxReader labels = open(split.labels())) {
      int[] shape = images.recordShape();
      boolean imagesEnded = !images.skip(Math.min(start, imageCount));
      boolean labelsEnded = !labels.skip(Math.min(start, labelCount));
      for (int i = start; i < end; i++) {
        String id = idPrefix + i;
        String source = split.images() + "#" + i;
        int shard = ExampleIds.shardOf(id, shards);
        byte[] image = null;
        byte[] label = null;
        if (i < imageCount && !imagesEnded) {
          image = images.next();
          imagesEnded = image == null;
        }
        if (i < labelCount && !labelsEnded) {
          label = labels.next();
          labelsEnded = label == null;
        }
        String problem = problem(i, imagesEnded, labelsEnded);
        if (problem != null) {
          RejectReason reason =
              i < imageCount && i < labelCount ? RejectReason.IDX_TRUNCATED : RejectReason.IDX_HEADER_MISMATCH;
          rows.add(TaggedRows.rejected(id, split.split(), shard, "", source, reason.code(), problem));
          continue;
        }
        int labelIndex = label[0] & 0xff;
        if (labelIndex >= classNames.size()) {
          rows.add(
              TaggedRows.rejected(
                  id, split.split(), shard, "", source, RejectReason.LABEL_OUT_OF_RANGE.code(),
                  "label " + labelIndex + " outside the " + classNames.size() + " declared classes"));
          continue;
        }
        rows.add(
            TaggedRows.example(
                id,
                split.split(),
                shard,
                labelIndex,
                classNames.get(labelIndex),
                decoder.shape().height(),
                decoder.shape().width(),
                decoder.shape().channels(),
                decoder.fit(image, shape[0], shape[1], 1),
                source));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read IDX records " + start + ".." + end + " of " + split, e);
    }
  }

  /** Why record {@code i} cannot be used, or {@code null} when it can. */
  private String problem(int i, boolean imagesEnded, boolean labelsEnded) {
    if (i >= imageCount) {
      return "labels file declares " + labelCount + " records but images file " + imageCount;
    }
    if (i >= labelCount) {
      return "images file declares " + imageCount + " records but labels file " + labelCount
          + " (" + split.labels() + ")";
    }
    if (imagesEnded) {
      return "images file ends before record " + i + " of " + imageCount;
    }
    if (labelsEnded) {
      return "labels file ends before record " + i + " of " + labelCount + " (" + split.labels() + ")";
    }
    return null;
  }

  /** Opens an IDX file on any Hadoop file system (executors have no SparkSession). */
  static IdxReader open(String file) throws IOException {
    Path path = new Path(file);
    return new IdxReader(file, path.getFileSystem(new Configuration()).open(path));
  }
}
