package io.sparkdistill.datasets.text.classification;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.RejectReason;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a GLUE task folder ({@code glue_data/SST-2}, {@code glue_data/MRPC}, ...): {@code
 * train.tsv} becomes the {@code train} split, {@code dev.tsv} the {@code test} split (GLUE's own
 * test files carry no labels). Each file starts with a header row; the text, second text and label
 * columns are found by header name ({@link GlueColumns}), so column order does not matter.
 *
 * <p>Fields are separated by tabs only: GLUE's files are written without quoting (quotes are text).
 * A {@code \r} before the line break is dropped. Every line after the header is one input; {@code
 * example_id} is {@code <file>#<line>} (1-based, the header is line 1). Rejected, with the file and
 * line in {@code source}:
 *
 * <ul>
 *   <li>{@code wrong-field-count}: another number of fields than the header (a blank line too).
 *   <li>{@code unknown-label}: a label that is not in the label list, or not a non-negative integer
 *       when there is no list.
 *   <li>{@code empty-text}: an empty text or second text.
 *   <li>{@code non-utf8}: the line's bytes are not UTF-8.
 * </ul>
 *
 * A missing file, or a header without a configured column, fails the read with a {@link
 * DatasetException} naming the file and the header's columns. Each file is read in one stream in
 * one Spark task (line numbers need it); GLUE's files are at most tens of megabytes.
 */
public final class GlueTsvSource implements LabelledTextSource {
  /** The file of each split, in split order. */
  public static final List<String> FILES = List.of("train.tsv", "dev.tsv");

  private final String root;
  private final GlueColumns columns;
  private final List<Dataset<Row>> cached = new ArrayList<>();

  /**
   * @param root the task folder holding {@code train.tsv} and {@code dev.tsv} (any Hadoop path)
   * @param columns the columns to read and the label list
   */
  public GlueTsvSource(String root, GlueColumns columns) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("GLUE task root must be a non-empty path");
    }
    if (columns == null) {
      throw new IllegalArgumentException("GLUE columns must be set");
    }
    this.root = root;
    this.columns = columns;
  }

  /** One file to read, with the indices of its columns (from its header). */
  record TsvFile(String path, String name, String split, int fields, int text, int textB, int label)
      implements Serializable {}

  @Override
  public LabelledTextSourceResult read(SparkSession spark) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<TsvFile> files = new ArrayList<>();
    for (int i = 0; i < FILES.size(); i++) {
      String split = i == 0 ? LabelledTextTable.TRAIN : LabelledTextTable.TEST;
      files.add(header(new Path(root, FILES.get(i)), FILES.get(i), split, conf));
    }
    JavaRDD<Row> tagged =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(files, files.size())
            .mapPartitions(new Reader(columns));
    return TaggedLabelled.finish(
        spark.createDataFrame(tagged, TaggedLabelled.SCHEMA), null, List.of(), cached);
  }

  /** Reads a file's header on the driver, so a wrong column fails before any task runs. */
  private TsvFile header(Path path, String name, String split, Configuration conf) {
    String first;
    String qualified;
    try {
      FileSystem fs = path.getFileSystem(conf);
      Path full = fs.makeQualified(path);
      qualified = full.toString();
      if (!fs.isFile(full)) {
        throw new DatasetException(
            "GLUE file not found: " + full + " (a task folder holds train.tsv and dev.tsv)");
      }
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(fs.open(full), StandardCharsets.UTF_8))) {
        first = in.readLine();
      }
    } catch (IOException e) {
      throw new DatasetException("cannot read GLUE file " + path + ": " + e, e);
    }
    if (first == null) {
      throw new DatasetException("GLUE file " + qualified + " is empty: it has no header row");
    }
    List<String> header = Arrays.asList(stripCr(first).split("\t", -1));
    int text = column(header, columns.text(), "text", qualified);
    int textB = columns.pairs() ? column(header, columns.textB(), "text-b", qualified) : -1;
    int label = column(header, columns.label(), "label", qualified);
    return new TsvFile(qualified, name, split, header.size(), text, textB, label);
  }

  private static int column(List<String> header, String name, String role, String file) {
    int index = header.indexOf(name);
    if (index < 0) {
      throw new DatasetException(
          "GLUE file "
              + file
              + " has no "
              + role
              + " column '"
              + name
              + "'; its header has "
              + header);
    }
    return index;
  }

  static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  /** Reads whole files, one stream each, into tagged rows. */
  private static final class Reader implements FlatMapFunction<Iterator<TsvFile>, Row> {
    private static final long serialVersionUID = 1L;
    private final GlueColumns columns;

    Reader(GlueColumns columns) {
      this.columns = columns;
    }

    @Override
    public Iterator<Row> call(Iterator<TsvFile> files) {
      List<Row> rows = new ArrayList<>();
      Configuration conf = new Configuration();
      while (files.hasNext()) {
        TsvFile file = files.next();
        Path path = new Path(file.path());
        try (InputStream in =
            new BufferedInputStream(path.getFileSystem(conf).open(path), 1 << 16)) {
          long units = 0;
          long number = 0;
          byte[] line;
          while ((line = nextLine(in)) != null) {
            if (++number == 1) {
              continue; // the header
            }
            units++;
            rows.add(row(file, number, line));
          }
          rows.add(TaggedLabelled.fileSummary(file.path(), file.split(), units));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read GLUE file " + file.path(), e);
        }
      }
      return rows.iterator();
    }

    private Row row(TsvFile file, long number, byte[] bytes) {
      String id = file.name() + "#" + number;
      String source = file.path() + "#" + number;
      String line;
      try {
        line =
            stripCr(
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString());
      } catch (CharacterCodingException e) {
        return TaggedLabelled.rejected(
            number,
            id,
            file.split(),
            source,
            RejectReason.NON_UTF8,
            "line " + number + " is not valid UTF-8");
      }
      String[] fields = line.split("\t", -1);
      if (fields.length != file.fields()) {
        return TaggedLabelled.rejected(
            number,
            id,
            file.split(),
            source,
            RejectReason.WRONG_FIELD_COUNT,
            file.name()
                + " line "
                + number
                + " has "
                + fields.length
                + " tab-separated field(s), its header has "
                + file.fields());
      }
      String value = fields[file.label()].trim();
      int label = columns.classOf(value);
      if (label < 0) {
        return TaggedLabelled.rejected(
            number,
            id,
            file.split(),
            source,
            RejectReason.UNKNOWN_LABEL,
            file.name()
                + " line "
                + number
                + ": label '"
                + value
                + "' is not "
                + columns.expected());
      }
      String text = fields[file.text()];
      String textB = file.textB() < 0 ? null : fields[file.textB()];
      if (text.isBlank() || (textB != null && textB.isBlank())) {
        return TaggedLabelled.rejected(
            number,
            id,
            file.split(),
            source,
            RejectReason.EMPTY_TEXT,
            file.name()
                + " line "
                + number
                + ": the "
                + (text.isBlank() ? "text" : "second text")
                + " is empty");
      }
      return TaggedLabelled.example(number, id, file.split(), source, text, textB, label);
    }

    /** The bytes of the next line without its {@code \n}, or null at the end of the stream. */
    private static byte[] nextLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream(256);
      int b;
      boolean any = false;
      while ((b = in.read()) >= 0) {
        any = true;
        if (b == '\n') {
          return line.toByteArray();
        }
        line.write(b);
      }
      return any ? line.toByteArray() : null;
    }
  }

  @Override
  public void close() {
    cached.forEach(dataset -> dataset.unpersist(false));
    cached.clear();
  }
}
