package io.sparkdistill.pipeline.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads the rows of one row group ({@link TableChunks.Chunk}) with only the named columns, and
 * turns each into a {@code T}. Only that row group's column chunks are read, so memory is bounded
 * by the row-group size of the projected columns.
 *
 * @param <T> what a row becomes
 */
public final class ChunkReader<T> {
  private final Configuration conf;
  private final List<String> columns;
  private final Function<Group, T> decode;

  /**
   * @param conf the Hadoop configuration of the job (credentials of object stores travel in it)
   * @param columns the top-level columns to read; a missing one is an error naming the file
   * @param decode turns one row, holding only {@code columns}, into a {@code T}
   */
  public ChunkReader(Configuration conf, List<String> columns, Function<Group, T> decode) {
    this.conf = conf;
    this.columns = List.copyOf(columns);
    this.decode = decode;
  }

  /** Every row of {@code chunk}, in stored order. */
  public List<T> read(TableChunks.Chunk chunk) {
    Path path = new Path(chunk.file());
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf))) {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      MessageType projection = project(fileSchema, chunk.file());
      reader.setRequestedSchema(projection);
      // Skips the earlier row groups' data without reading it.
      for (int i = 0; i < chunk.rowGroup(); i++) {
        if (!reader.skipNextRowGroup()) {
          throw new IllegalStateException(chunk.file() + " has no row group " + chunk.rowGroup());
        }
      }
      PageReadStore pages = reader.readNextRowGroup();
      if (pages == null || pages.getRowCount() != chunk.rows()) {
        throw new IllegalStateException(
            chunk.file() + " row group " + chunk.rowGroup() + " does not hold the " + chunk.rows()
                + " rows its footer listed: the table changed after it was listed");
      }
      MessageColumnIO io = new ColumnIOFactory().getColumnIO(projection, fileSchema);
      RecordReader<Group> records = io.getRecordReader(pages, new GroupRecordConverter(projection));
      List<T> rows = new ArrayList<>((int) Math.min(Integer.MAX_VALUE, chunk.rows()));
      for (long r = 0; r < chunk.rows(); r++) {
        rows.add(decode.apply(records.read()));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read row group " + chunk.rowGroup() + " of " + chunk.file(), e);
    }
  }

  private MessageType project(MessageType fileSchema, String file) {
    List<Type> fields = new ArrayList<>();
    for (String column : columns) {
      if (!fileSchema.containsField(column)) {
        throw new IllegalArgumentException(
            file + " has no column '" + column + "'; its columns: " + fileSchema.getFields().stream().map(Type::getName).toList());
      }
      fields.add(fileSchema.getType(column));
    }
    return new MessageType(fileSchema.getName(), fields);
  }
}
