package io.sparkdistill.datasets.text;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.schema_of_variant;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.try_parse_json;
import static org.apache.spark.sql.functions.try_variant_get;
import static org.apache.spark.sql.functions.when;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.RejectReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a corpus in the C4 format: JSON Lines, one document per line with the fields {@code
 * text}, {@code url} and {@code timestamp}, in files named like {@code
 * c4-train.00000-of-01024.json.gz} and {@code c4-validation.00000-of-00008.json.gz} (gzip or
 * plain; {@code .jsonl} also accepted).
 *
 * <h2>Files and splits</h2>
 *
 * Every file under the root whose name starts with {@code c4-train.} goes to the {@code train}
 * split, {@code c4-validation.} to {@code test}; other files are not inputs and are named in a
 * warning. Files are read in parallel, whole files per task ({@code partitions} tasks at most):
 * gzip cannot be split, and reading a file in one stream is what gives every line its number.
 *
 * <h2>Rows</h2>
 *
 * One input per line; {@code doc_id} = {@code <relative path>#<line>}, {@code text} the {@code text}
 * field ({@code url} and {@code timestamp} are read but not kept). Each line is decoded as strict
 * UTF-8 on the executor, then parsed by Spark's JSON parser ({@code from_json}, permissive, with a
 * corrupt-record column). Rejected, with the line named in {@code source}:
 *
 * <ul>
 *   <li>{@code non-utf8}: the line's bytes are not UTF-8 (detail: byte and offset); it is not
 *       parsed, so the text is never repaired with U+FFFD.
 *   <li>{@code invalid-json}: not a JSON object (unparsable, a bare value or array, a blank line).
 *   <li>{@code missing-text}: no {@code text} field, or {@code "text": null}.
 *   <li>{@code wrong-field-type}: {@code text} is a number, boolean, object or array.
 *   <li>{@code empty-text}: {@code text} empty or only (Unicode) whitespace.
 *   <li>{@code line-too-long}: more than {@link LineReader#DEFAULT_MAX_LINE_BYTES} bytes.
 * </ul>
 *
 * Without the {@code wrong-field-type} check, Spark's parser would read a non-string {@code text}
 * into the string column as its JSON text and accept it as a document. The other fields ({@code
 * url}, {@code timestamp}) are not kept and not checked.
 *
 * <h2>Truncated and corrupt files</h2>
 *
 * A gzip file that ends early (an interrupted download: {@code truncated-gzip}) or cannot be read
 * through (bad deflate data or checksum, an I/O error: {@code unreadable-file}) is rejected as
 * <em>one row</em> whose source is the file and whose detail says how many lines were readable,
 * and none of its lines become documents. Rejecting the file as a whole, not its readable lines
 * one by one, because the lines after the cut are lost: the file's input count is unknown, so
 * "lines in = documents + rejected" could not be stated for it; and a file known to be damaged
 * should be fetched again, not half used. Such a file counts as one input of its split. The check
 * costs nothing extra: each file is read in one stream, its documents are cached, and the rows of
 * a file whose stream failed are dropped before the tables are projected.
 */
public final class C4JsonSource implements TextSource {
  /** Names of C4 files and the split each prefix goes to. */
  static final Pattern FILE_NAME =
      Pattern.compile("^c4-(train|validation)\\..*\\.jsonl?(\\.gz)?$");

  private static final String CORRUPT = "_corrupt_record";
  private static final String PARSED = "_json";
  private static final StructType JSON_SCHEMA =
      new StructType()
          .add("text", DataTypes.StringType, true)
          .add("url", DataTypes.StringType, true)
          .add("timestamp", DataTypes.StringType, true)
          .add(CORRUPT, DataTypes.StringType, true);
  /** Unicode whitespace only (Java's {@code \s} with UNICODE_CHARACTER_CLASS), or nothing. */
  private static final String BLANK = "^(?U)\\s*$";

  private final String root;
  private final int shards;
  private final int partitions;
  private final String filePattern;
  private final List<Dataset<Row>> cached = new ArrayList<>();

  /**
   * @param root folder holding the {@code c4-*.json.gz} files, at any depth (Hadoop path string), or
   *     one such file
   * @param shards number of shards doc ids are hashed into
   * @param partitions most tasks reading files at once (at most one per file)
   */
  public C4JsonSource(String root, int shards, int partitions) {
    this(root, shards, partitions, TextScan.ALL_FILES);
  }

  /**
   * Reads only the C4 files whose name matches {@code filePattern} (a glob such as {@code
   * c4-*.0000[0-4]-of-*}), e.g. a subset of the 1,024 train files.
   */
  public C4JsonSource(String root, int shards, int partitions, String filePattern) {
    TextScan.checkSettings(filePattern, shards, partitions);
    this.filePattern = filePattern;
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("C4 root must be a non-empty path");
    }
    this.root = root;
    this.shards = shards;
    this.partitions = partitions;
  }

  /**
   * @throws DatasetException when the root is missing or holds no C4 file
   */
  @Override
  public TextSourceResult read(SparkSession spark) {
    List<TextFile> files = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (TextScan.Listed listed : TextScan.list(spark, root, filePattern)) {
      String split = splitOf(listed.relative());
      if (split == null) {
        ignored.add(listed.relative());
      } else {
        files.add(new TextFile(listed.path(), listed.relative(), split));
      }
    }
    if (files.isEmpty()) {
      throw new DatasetException(
          "no C4 file (c4-train.*.json[.gz] or c4-validation.*.json[.gz]) under " + root);
    }
    List<String> warnings = new ArrayList<>();
    if (!ignored.isEmpty()) {
      warnings.add(
          ignored.size() + " file(s) under " + root + " are not C4 files and were not read: "
              + String.join(", ", ignored.subList(0, Math.min(5, ignored.size())))
              + (ignored.size() > 5 ? ", ..." : ""));
    }
    TextFileReader reader =
        new TextFileReader(
            Granularity.LINE, LineTransform.IDENTITY, false, shards,
            LineReader.DEFAULT_MAX_LINE_BYTES);
    Dataset<Row> lines = TextScan.read(spark, files, reader, partitions);
    return TextScan.finish(parse(lines), warnings, cached);
  }

  /** The split of a C4 file, from its name; null for a file that is not C4. */
  static String splitOf(String relative) {
    String name = relative.substring(relative.lastIndexOf('/') + 1);
    Matcher m = FILE_NAME.matcher(name);
    if (!m.matches()) {
      return null;
    }
    return m.group(1).equals("train") ? TextExampleTable.TRAIN : TextExampleTable.TEST;
  }

  /**
   * Parses the {@code text} column of the document rows (the raw JSON line) and turns each into a
   * document with the {@code text} field, or a rejection. Other rows pass unchanged.
   */
  static Dataset<Row> parse(Dataset<Row> lines) {
    Column candidate = col(TaggedText.OK).and(col(TaggedText.UNIT).gt(0L));
    Column line = col(TextExampleTable.TEXT);
    Column json = col(PARSED);
    Column text = json.getField("text");
    Column blankLine = line.rlike(BLANK);
    // A JSON-lines record is an object; Spark's parser alone would take [{"text": ..}] as one.
    Column notObject = not(line.rlike("^[ \\t]*\\{"));
    Column invalid = notObject.or(json.isNull()).or(json.getField(CORRUPT).isNotNull());
    // Spark's parser reads a number, boolean, object or array into a string column as its JSON
    // text; such a value can only start like one, so only those lines are parsed a second time,
    // as a variant, to learn the JSON type (the text of a JSON string can look like a number too).
    Column looksNonString = text.rlike("^(-?[0-9]|\\{|\\[|true$|false$)");
    Column textType =
        when(looksNonString, schema_of_variant(try_variant_get(try_parse_json(line), "$.text", "variant")));
    Column wrongType = looksNonString.and(coalesce(textType, lit("STRING")).notEqual("STRING"));
    Column reason =
        when(blankLine, lit(RejectReason.INVALID_JSON.code()))
            .when(invalid, lit(RejectReason.INVALID_JSON.code()))
            .when(text.isNull(), lit(RejectReason.MISSING_TEXT.code()))
            .when(wrongType, lit(RejectReason.WRONG_FIELD_TYPE.code()))
            .when(text.rlike(BLANK), lit(RejectReason.EMPTY_TEXT.code()))
            .otherwise(lit(""));
    Column detail =
        when(blankLine, lit("blank line: not a JSON object"))
            .when(invalid, concat(lit("not a JSON object: "), excerpt(line)))
            .when(text.isNull(), lit("no \"text\" field (or \"text\": null)"))
            .when(
                wrongType,
                concat(
                    lit("\"text\" must be a JSON string, found "),
                    lower(textType),
                    lit(": "),
                    excerpt(text)))
            .when(text.rlike(BLANK), lit("\"text\" is empty or whitespace"))
            .otherwise(lit(""));
    Map<String, String> options =
        Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
    Dataset<Row> parsed =
        lines
            .withColumn(PARSED, when(candidate, from_json(line, JSON_SCHEMA, options)))
            .withColumn("_reason", when(candidate, reason).otherwise(col(TaggedText.REASON)))
            .withColumn("_detail", when(candidate, detail).otherwise(col(TaggedText.DETAIL)));
    Column accepted = candidate.and(col("_reason").equalTo(""));
    return parsed.select(
        accepted.as(TaggedText.OK),
        col(TaggedText.UNIT),
        col(TaggedText.PATH),
        col(TextExampleTable.DOC_ID),
        col(TextExampleTable.SPLIT),
        col(TextExampleTable.SHARD),
        col(TextExampleTable.SOURCE),
        coalesce(when(accepted, text), lit("")).as(TextExampleTable.TEXT),
        coalesce(col("_reason"), lit("")).as(TaggedText.REASON),
        coalesce(col("_detail"), lit("")).as(TaggedText.DETAIL),
        col(TaggedText.UNITS));
  }

  /** The first 80 characters of a line, for a person to recognise it. */
  private static Column excerpt(Column line) {
    return when(
            org.apache.spark.sql.functions.length(line).gt(80),
            concat(substring(line, 1, 80), lit("...")))
        .otherwise(line);
  }

  @Override
  public void close() {
    cached.forEach(dataset -> dataset.unpersist(false));
    cached.clear();
  }
}
