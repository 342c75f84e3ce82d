package io.sparkdistill.datasets.imagefolder;

import io.sparkdistill.datasets.examples.ExampleIds;
import io.sparkdistill.datasets.examples.RejectReason;
import io.sparkdistill.datasets.examples.TaggedRows;
import io.sparkdistill.datasets.image.DecodeOutcome;
import io.sparkdistill.datasets.image.ImageDecoder;
import io.sparkdistill.datasets.image.ImageShape;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * Decodes one partition of located, labelled files into {@link TaggedRows}: an example, or a rejection with
 * its reason.
 *
 * <p>Input columns, in this order: relative path, split, label name, label, reason, detail, path,
 * length. Files that already have a reason are passed through without being read; the others are
 * read here, on the executor, through Hadoop's {@link FileSystem} (a file that cannot be read is
 * {@code unreadable-file}), then decoded.
 */
final class DecodePartition implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  /** Larger files cannot be held in one Java array. */
  private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  private final ImageDecoder decoder;
  private final int shards;
  private final HadoopConf conf;

  DecodePartition(ImageDecoder decoder, int shards, HadoopConf conf) {
    this.decoder = decoder;
    this.shards = shards;
    this.conf = conf;
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
    long length = file.getLong(7);
    if (length > MAX_FILE_BYTES) {
      return rejected(
          id, split, shard, labelName, source, RejectReason.UNDECODABLE_IMAGE.code(),
          "a file of " + length + " bytes is too large to be an image here");
    }
    byte[] content;
    try {
      content = read(source);
    } catch (IOException | RuntimeException e) {
      return rejected(
          id, split, shard, labelName, source, RejectReason.UNREADABLE_FILE.code(),
          "cannot read " + source + ": " + e);
    }
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

  private byte[] read(String source) throws IOException {
    Path path = new Path(source);
    FileSystem fs = path.getFileSystem(conf.get());
    try (InputStream in = fs.open(path)) {
      return in.readAllBytes();
    }
  }

  private static Row rejected(
      String id, String split, int shard, String labelName, String source, String reason, String detail) {
    return TaggedRows.rejected(id, split, shard, labelName, source, reason, detail);
  }
}
