package io.sparkdistill.datasets.imagefolder;

import io.sparkdistill.datasets.examples.ExampleIds;
import io.sparkdistill.datasets.examples.TaggedRows;
import io.sparkdistill.datasets.image.DecodeOutcome;
import io.sparkdistill.datasets.image.ImageDecoder;
import io.sparkdistill.datasets.image.ImageShape;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * Decodes one partition of located, labelled files into {@link TaggedRows}: an example, or a rejection with
 * its reason.
 *
 * <p>Input columns, in this order: relative path, split, label name, label, reason, detail, path,
 * content. Files that already have a reason are passed through without decoding.
 */
final class DecodePartition implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private static final byte[] NO_PIXELS = new byte[0];

  private final ImageDecoder decoder;
  private final int shards;

  DecodePartition(ImageDecoder decoder, int shards) {
    this.decoder = decoder;
    this.shards = shards;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> files) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return files.hasNext();
      }

      @Override
      public Row next() {
        return decode(files.next());
      }
    };
  }

  private Row decode(Row file) {
    String id = file.getString(0);
    String split = file.getString(1);
    String labelName = file.isNullAt(2) ? "" : file.getString(2);
    String reason = file.isNullAt(4) ? null : file.getString(4);
    String detail = file.isNullAt(5) ? "" : file.getString(5);
    String source = file.getString(6);
    int shard = ExampleIds.shardOf(id, shards);
    if (reason != null) {
      return rejected(id, split, shard, labelName, source, reason, detail);
    }
    byte[] content = file.isNullAt(7) ? NO_PIXELS : (byte[]) file.get(7);
    DecodeOutcome outcome = decoder.decode(content);
    if (outcome instanceof DecodeOutcome.Failed failed) {
      return rejected(id, split, shard, labelName, source, failed.reason().code(), failed.detail());
    }
    byte[] pixels = ((DecodeOutcome.Decoded) outcome).pixels();
    ImageShape shape = decoder.shape();
    return TaggedRows.example(
        id, split, shard, file.getInt(3), labelName, shape.height(), shape.width(), shape.channels(),
        pixels, source);
  }

  private static Row rejected(
      String id, String split, int shard, String labelName, String source, String reason, String detail) {
    return TaggedRows.rejected(id, split, shard, labelName, source, reason, detail);
  }
}
