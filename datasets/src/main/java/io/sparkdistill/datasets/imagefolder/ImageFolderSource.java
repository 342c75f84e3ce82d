package io.sparkdistill.datasets.imagefolder;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.ExampleSource;
import io.sparkdistill.datasets.examples.RejectReason;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.examples.SourceResult;
import io.sparkdistill.datasets.examples.TaggedRows;
import io.sparkdistill.datasets.image.ImageDecoder;
import io.sparkdistill.datasets.image.ImageShape;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Reads an image dataset in the ImageNet folder layout into example rows: the driver lists the
 * files ({@link FileListing}, Hadoop {@code FileSystem}), spreads them round-robin over {@code
 * partitions} tasks, and the executors read and decode them in parallel.
 *
 * <h2>Layout</h2>
 *
 * <ul>
 *   <li><b>train</b> (split {@code train}): {@code <root>/train/<class>/<any file name>}; the
 *       class is the folder name (a WordNet id for ImageNet). Any other depth ({@code
 *       train/readme.txt}, {@code train/a/b/c.JPEG}) is rejected as {@code outside-layout}.
 *   <li><b>val</b> (split {@code test}): a file in a class folder, {@code
 *       <root>/val/<class>/<file>}, is labelled by its folder; a file directly in {@code
 *       <root>/val/} is labelled by {@code <root>/LOC_val_solution.csv} (header {@code
 *       ImageId,PredictionString}; the first token of the prediction string is the class; the
 *       image id is the file name without extension). Both layouts may coexist and neither
 *       overrides the other: <em>the position of each file decides</em>, and the CSV is never
 *       consulted for a file in a class folder. So after the usual script has moved the val
 *       images into class folders, a leftover CSV is harmless. A flat file the CSV does not
 *       mention, or any flat file when there is no CSV, is {@code no-label}; a CSV row whose
 *       image id names no file under {@code val/} (flat or in a class folder) is an input of
 *       the test split, rejected as {@code val-labels-without-file} (a warning names the first); a class that is not a
 *       train class is {@code unknown-class}; deeper files are {@code outside-layout}. Without a
 *       {@code val/} folder the test split is empty and a warning says so.
 *   <li>Anything else under the root (ImageNet's {@code test/}, synset mapping files) is not read.
 *       Hidden files and folders (a name starting with {@code .} or {@code _}) are not inputs;
 *       every other file under {@code train/} and {@code val/} is, including the zero-length
 *       files and {@code ._COPYING_} files that Spark's file sources would skip silently.
 * </ul>
 *
 * <h2>Classes</h2>
 *
 * The classes are the train folders that directly hold at least one file, indexed with MLlib's
 * {@code StringIndexer} in alphabetical order (ImageNet's sorted-wnid convention). A class keeps
 * its index even if every one of its files fails to decode, so indices depend only on the folder
 * tree, never on decoder behaviour. A folder without files gets no index and a warning.
 *
 * <h2>Rows</h2>
 *
 * {@code example_id} is the path relative to the root with forward slashes ({@code
 * train/n01440764/n01440764_10026.JPEG}), {@code source} the full path as Spark lists it. Layout
 * and label checks come first: a file rejected by them ({@code outside-layout}, {@code
 * incomplete-copy} for a {@code ._COPYING_} name, {@code empty-file} for 0 bytes, {@code
 * no-label}, {@code unknown-class}) is not read. {@code inputsBySplit}
 * counts every listed file, so for each split inputs = examples + rejected.
 *
 * <h2>Caching and {@link #close()}</h2>
 *
 * The files are decoded once, in {@code mapPartitions} with the {@link ImageDecoder} (serialised
 * to every task), into one tagged dataset persisted
 * {@code MEMORY_AND_DISK}; the examples (repartitioned to {@code partitions}) and the rejected rows
 * are filters of it. Call {@link #close()} after both have been written to release the cache
 * (afterwards they are still valid but would decode again). At ImageNet scale the cache is about
 * {@code height * width * channels} bytes per image and mostly spills to executor disks.
 */
public final class ImageFolderSource implements ExampleSource {
  /** How many missing files a warning names. */
  private static final int FIRST_NAMES = 5;

  private final String root;
  private final ImageDecoder decoder;
  private final int shards;
  private final int partitions;
  private final List<Dataset<Row>> cached = new ArrayList<>();

  /**
   * @param root dataset root holding train/ and val/ (Hadoop path string: file:/..., hdfs://..., or
   *     a local path)
   * @param shape size and channels of every stored image
   * @param shards number of shards example ids are hashed into
   * @param partitions number of partitions of the examples DataFrame
   */
  public ImageFolderSource(String root, ImageShape shape, int shards, int partitions) {
    this(root, new ImageDecoder(shape), shards, partitions);
  }

  /**
   * @param root dataset root holding train/ and val/ (Hadoop path string: file:/..., hdfs://..., or
   *     a local path)
   * @param decoder decodes every file (its shape: size and channels of every stored image; its
   *     alpha policy)
   * @param shards number of shards example ids are hashed into
   * @param partitions number of partitions of the examples DataFrame
   */
  public ImageFolderSource(String root, ImageDecoder decoder, int shards, int partitions) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("image folder root must be a non-empty path");
    }
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, got " + shards);
    }
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    this.root = root;
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.shards = shards;
    this.partitions = partitions;
  }

  /**
   * Lists, labels and decodes the dataset; splits {@code train} and {@code test}.
   *
   * <p>Runs small Spark jobs over the file listing (input counts, the class index; these read no
   * file contents); the decoding itself runs when the returned DataFrames are first used.
   *
   * @throws DatasetException when the root has no {@code train/} folder, no train class folder
   *     holds a file, or {@code LOC_val_solution.csv} lacks its header
   */
  public SourceResult read(SparkSession spark) {
    Path rootPath = new Path(root);
    FileSystem fs;
    Path qualified;
    try {
      fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      qualified = fs.makeQualified(rootPath);
    } catch (IOException | IllegalArgumentException e) {
      throw new DatasetException("cannot open image folder root " + root + ": " + e, e);
    }
    Path train = new Path(qualified, ImageNetLayout.TRAIN_DIR);
    Path val = new Path(qualified, ImageNetLayout.VAL_DIR);
    Path valLabels = new Path(qualified, ImageNetLayout.VAL_LABELS_FILE);
    boolean hasVal = isDirectory(fs, val);
    boolean hasValLabels = isFile(fs, valLabels);
    if (!isDirectory(fs, train)) {
      throw new DatasetException(
          "no train/ folder under " + qualified + " (expected train/<class>/<image>)");
    }

    List<Path> dirs = hasVal ? List.of(train, val) : List.of(train);
    Dataset<Row> listing = FileListing.spread(spark, FileListing.list(fs, dirs), partitions);
    ImageNetLayout layout = new ImageNetLayout(qualified.toString(), hasValLabels);
    Dataset<Row> located = layout.locate(listing);

    Map<String, Long> inputs = countInputs(located);
    StringIndexerModel classes = ImageNetLayout.fitClasses(located);
    List<String> classNames = Arrays.asList(classes.labelsArray()[0]);
    if (classNames.isEmpty()) {
      throw new DatasetException("no class folder under " + train + " holds any file");
    }
    List<String> warnings = new ArrayList<>(emptyClassFolders(fs, train, classNames));
    if (!hasVal) {
      warnings.add(
          "no val/ folder under "
              + qualified
              + ": the test split is empty"
              + (hasValLabels
                  ? " (" + ImageNetLayout.VAL_LABELS_FILE + " is present but unused)"
                  : ""));
    } else if (inputs.get(ImageNetLayout.TEST_SPLIT) == 0) {
      warnings.add("val/ under " + qualified + " holds no files: the test split is empty");
    }

    Dataset<Row> valLabelRows =
        hasValLabels ? ImageNetLayout.readValLabels(spark, valLabels.toString()) : null;
    Dataset<Row> labelsWithoutFile = noLabelsWithoutFile(spark);
    if (hasVal && hasValLabels) {
      labelsWithoutFile =
          ImageNetLayout.labelsWithoutFile(located, valLabelRows, valLabels.toString()).cache();
      cached.add(labelsWithoutFile);
      long missing = labelsWithoutFile.count();
      if (missing > 0) {
        inputs.merge(ImageNetLayout.TEST_SPLIT, missing, Long::sum);
        List<String> first =
            labelsWithoutFile
                .select(ImageNetLayout.IMAGE_ID_COLUMN)
                .orderBy(ImageNetLayout.IMAGE_ID_COLUMN)
                .limit(FIRST_NAMES)
                .as(Encoders.STRING())
                .collectAsList();
        warnings.add(
            missing
                + " label(s) in "
                + ImageNetLayout.VAL_LABELS_FILE
                + " name no image file under val/ (rejected as "
                + RejectReason.VAL_LABELS_WITHOUT_FILE.code()
                + "; first: "
                + String.join(", ", first)
                + (missing > first.size() ? ", ..." : "")
                + ")");
      }
    }
    Dataset<Row> labelled = layout.labelFlatVal(located, valLabelRows);
    Dataset<Row> decoded =
        ImageNetLayout.indexClasses(labelled, classes)
            .select(
                col(ImageNetLayout.REL),
                col(ImageNetLayout.SPLIT),
                col(ImageNetLayout.LABEL_NAME),
                col(ImageNetLayout.LABEL),
                col(ImageNetLayout.REASON),
                col(ImageNetLayout.DETAIL),
                col(FileListing.PATH),
                col(FileListing.LENGTH))
            .mapPartitions(
                new DecodePartition(
                    decoder, shards, new HadoopConf(spark.sparkContext().hadoopConfiguration())),
                Encoders.row(TaggedRows.SCHEMA))
            .persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(decoded);

    // the listing already spreads the files over `partitions` partitions; the decoded rows keep them
    Dataset<Row> examples = TaggedRows.examples(decoded);
    Dataset<Row> rejected =
        TaggedRows.rejected(decoded)
            .unionByName(labelsWithoutFile.select(columns(RejectedTable.SCHEMA)));
    return new SourceResult(examples, rejected, inputs, classNames, warnings);
  }

  @Override
  public void close() {
    for (Dataset<Row> dataset : cached) {
      dataset.unpersist(false);
    }
    cached.clear();
  }

  /** An empty frame of {@link #labelsWithoutFile}'s columns, for trees without a labels file. */
  private static Dataset<Row> noLabelsWithoutFile(SparkSession spark) {
    StructType schema = RejectedTable.SCHEMA.add(ImageNetLayout.IMAGE_ID_COLUMN, DataTypes.StringType, false);
    return spark.createDataFrame(List.of(), schema);
  }

  private static Column[] columns(StructType schema) {
    return Arrays.stream(schema.fieldNames()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
  }

  /** Files per split, counted by Spark from the listing (no file is read). */
  private static Map<String, Long> countInputs(Dataset<Row> located) {
    Map<String, Long> inputs = new LinkedHashMap<>();
    inputs.put(ImageNetLayout.TRAIN_SPLIT, 0L);
    inputs.put(ImageNetLayout.TEST_SPLIT, 0L);
    for (Row row : located.groupBy(ImageNetLayout.SPLIT).count().collectAsList()) {
      inputs.put(row.getString(0), row.getLong(1));
    }
    return inputs;
  }

  /**
   * Train folders that did not become a class: the file listing has no row for an empty folder,
   * so the train folder's children are listed directly (one level, one call).
   */
  private static List<String> emptyClassFolders(
      FileSystem fs, Path train, List<String> classNames) {
    Set<String> indexed = new HashSet<>(classNames);
    List<String> warnings = new ArrayList<>();
    try {
      FileStatus[] children = fs.listStatus(train);
      Arrays.sort(children);
      for (FileStatus child : children) {
        String name = child.getPath().getName();
        if (child.isDirectory()
            && !name.startsWith(".")
            && !name.startsWith("_")
            && !indexed.contains(name)) {
          warnings.add("empty class folder train/" + name + " (no examples; class not indexed)");
        }
      }
    } catch (IOException e) {
      warnings.add("could not list " + train + " to find empty class folders: " + e);
    }
    return warnings;
  }

  private static boolean isDirectory(FileSystem fs, Path path) {
    FileStatus status = status(fs, path);
    return status != null && status.isDirectory();
  }

  private static boolean isFile(FileSystem fs, Path path) {
    FileStatus status = status(fs, path);
    return status != null && status.isFile();
  }

  /** The status of {@code path}, or null when it does not exist. */
  private static FileStatus status(FileSystem fs, Path path) {
    try {
      return fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new DatasetException("cannot inspect " + path + ": " + e, e);
    }
  }


}
