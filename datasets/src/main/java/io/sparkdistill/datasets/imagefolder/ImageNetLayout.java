package io.sparkdistill.datasets.imagefolder;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.RejectReason;
import io.sparkdistill.datasets.examples.RejectedTable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The rules of the ImageNet layout as column expressions over the {@link FileListing} rows, so
 * that every file is placed, labelled and checked on the executors without collecting the
 * listing.
 *
 * <p>Adds, step by step, the internal columns {@link #REL} (path relative to the root), {@link
 * #SPLIT}, {@link #LABEL_NAME}, {@link #LABEL} and the pre-decode verdict {@link #REASON} / {@link
 * #DETAIL} (null when the file is still a candidate example).
 */
final class ImageNetLayout {
  static final String TRAIN_DIR = "train";
  static final String VAL_DIR = "val";
  static final String VAL_LABELS_FILE = "LOC_val_solution.csv";
  static final String TRAIN_SPLIT = "train";
  static final String TEST_SPLIT = "test";

  /** The name Hadoop's copy commands give a file until the copy completes. */
  static final String COPYING_SUFFIX = "._COPYING_";

  static final String REL = "_rel";
  static final String SPLIT = "_split";
  static final String LABEL_NAME = "_label_name";
  static final String LABEL = "_label";
  static final String REASON = "_reason";
  static final String DETAIL = "_detail";
  private static final String FOLDER_CLASS = "_folder_class";
  private static final String FLAT = "_flat";
  private static final String IMAGE_ID = "_image_id";
  private static final String CSV_CLASS = "_csv_class";
  private static final String LABEL_INDEX = "_label_index";
  private static final String VAL_ID = "_val_id";
  /** The image id column of {@link #labelsWithoutFile}. */
  static final String IMAGE_ID_COLUMN = "_missing_image_id";

  private final String rootPrefix;
  private final boolean hasValLabels;

  /**
   * @param qualifiedRoot the root as Hadoop qualifies it ({@code file:/data/imagenet}), which is
   *     how Spark spells the start of every listed path
   * @param hasValLabels whether {@code LOC_val_solution.csv} exists
   */
  ImageNetLayout(String qualifiedRoot, boolean hasValLabels) {
    this.rootPrefix = qualifiedRoot.endsWith("/") ? qualifiedRoot : qualifiedRoot + "/";
    this.hasValLabels = hasValLabels;
  }

  /**
   * Places each listed file: its relative path, split, folder class and whether its depth fits the
   * layout ({@code train/<class>/<file>}; {@code val/<class>/<file>} or {@code val/<file>}).
   */
  Dataset<Row> locate(Dataset<Row> listing) {
    Column path = col("path");
    Column rel =
        when(
                path.startsWith(rootPrefix),
                substring(path, rootPrefix.length() + 1, Integer.MAX_VALUE))
            .otherwise(path);
    Column parts = split(col(REL), "/");
    Column depth = size(parts);
    Column train = parts.getItem(0).equalTo(TRAIN_DIR);
    Column flat = not(train).and(depth.equalTo(2));
    Column trainOutside = train.and(depth.notEqual(3));
    Column valOutside = not(train).and(depth.notEqual(3)).and(depth.notEqual(2));
    Column flatUnlabelled = flat.and(lit(!hasValLabels));
    Column empty = col(FileListing.LENGTH).equalTo(0L);
    Column copying = path.endsWith(COPYING_SUFFIX);
    return listing
        .withColumn(REL, rel)
        .withColumn(SPLIT, when(train, TRAIN_SPLIT).otherwise(TEST_SPLIT))
        .withColumn(FOLDER_CLASS, when(depth.equalTo(3), parts.getItem(1)))
        .withColumn(FLAT, flat)
        .withColumn(IMAGE_ID, when(flat, regexp_replace(parts.getItem(1), "\\.[^.]*$", "")))
        .withColumn(
            REASON,
            when(trainOutside.or(valOutside), RejectReason.OUTSIDE_LAYOUT.code())
                .when(copying, RejectReason.INCOMPLETE_COPY.code())
                .when(empty, RejectReason.EMPTY_FILE.code())
                .when(flatUnlabelled, RejectReason.NO_LABEL.code()))
        .withColumn(
            DETAIL,
            when(trainOutside, concat(lit("expected train/<class>/<image>, found "), col(REL)))
                .when(
                    valOutside,
                    concat(lit("expected val/<class>/<image> or val/<image>, found "), col(REL)))
                .when(
                    copying,
                    concat(
                        col(REL),
                        lit(
                            ": a copy in progress or interrupted (hadoop fs -put / -cp name its"
                                + " target *" + COPYING_SUFFIX + " until it completes)")))
                .when(empty, concat(col(REL), lit(" is empty (0 bytes)")))
                .when(
                    flatUnlabelled,
                    concat(
                        col(REL),
                        lit(
                            " is directly under val/ but the root has no "
                                + VAL_LABELS_FILE
                                + " to label it"))));
  }

  /**
   * Fits the class index on the folders of the train files that fit the layout, in alphabetical
   * order (ImageNet's sorted-wnid convention). A folder without such files gets no index. The model
   * maps any other name (and null) to {@code classes.size()}, which {@link #indexClasses} turns
   * into a rejection.
   */
  static StringIndexerModel fitClasses(Dataset<Row> located) {
    Dataset<Row> trainClasses =
        located
            .filter(col(SPLIT).equalTo(TRAIN_SPLIT).and(col(REASON).isNull()))
            .select(col(FOLDER_CLASS).as(LABEL_NAME));
    return new StringIndexer()
        .setInputCol(LABEL_NAME)
        .setOutputCol(LABEL_INDEX)
        .setStringOrderType("alphabetAsc")
        .setHandleInvalid("keep")
        .fit(trainClasses);
  }

  /**
   * Adds {@link #LABEL_NAME}: the folder for files in class folders, the CSV label for flat val
   * files ({@code valLabels} from {@link #readValLabels}, or null when there is no CSV). A flat
   * file the CSV does not mention becomes {@link RejectReason#NO_LABEL}.
   */
  Dataset<Row> labelFlatVal(Dataset<Row> located, Dataset<Row> valLabels) {
    Dataset<Row> joined =
        valLabels == null
            ? located.withColumn(CSV_CLASS, lit(null).cast("string"))
            : located
                .join(
                    functions.broadcast(valLabels),
                    located.col(IMAGE_ID).equalTo(valLabels.col(IMAGE_ID)),
                    "left_outer")
                .drop(valLabels.col(IMAGE_ID));
    Column missing = col(FLAT).and(col(CSV_CLASS).isNull()).and(col(REASON).isNull());
    return joined
        .withColumn(LABEL_NAME, coalesce(col(FOLDER_CLASS), col(CSV_CLASS)))
        .withColumn(
            DETAIL,
            coalesce(
                col(DETAIL),
                when(
                    missing,
                    concat(
                        col(REL),
                        lit(" (image id "),
                        col(IMAGE_ID),
                        lit(") has no label in " + VAL_LABELS_FILE)))))
        .withColumn(REASON, coalesce(col(REASON), when(missing, RejectReason.NO_LABEL.code())));
  }

  /**
   * Adds the integer {@link #LABEL} from {@link #fitClasses}; a test file whose class is not a
   * train class becomes {@link RejectReason#UNKNOWN_CLASS}.
   */
  static Dataset<Row> indexClasses(Dataset<Row> labelled, StringIndexerModel classes) {
    int known = classes.labelsArray()[0].length;
    Dataset<Row> indexed = classes.transform(labelled);
    Column unknown =
        col(REASON).isNull().and(col(LABEL_NAME).isNotNull()).and(col(LABEL_INDEX).geq(known));
    Column origin = when(col(FLAT), lit(VAL_LABELS_FILE)).otherwise(lit("its folder"));
    return indexed
        .withColumn(LABEL, col(LABEL_INDEX).cast("int"))
        .withColumn(
            DETAIL,
            coalesce(
                col(DETAIL),
                when(
                    unknown,
                    concat(
                        lit("class "),
                        col(LABEL_NAME),
                        lit(" of "),
                        col(REL),
                        lit(" (from "),
                        origin,
                        lit(") is not among the " + known + " train classes")))))
        .withColumn(
            REASON, coalesce(col(REASON), when(unknown, RejectReason.UNKNOWN_CLASS.code())));
  }

  /**
   * The labels of {@code valLabels} (from {@link #readValLabels}) whose image id names no file under
   * {@code val/}, flat or in a class folder (the id is a file name without its extension), as
   * {@link RejectedTable} rows of the test split with reason {@link
   * RejectReason#VAL_LABELS_WITHOUT_FILE}, plus the image id in {@link #IMAGE_ID_COLUMN}. Their
   * source is {@code <labels file>#<image id>}.
   */
  static Dataset<Row> labelsWithoutFile(
      Dataset<Row> located, Dataset<Row> valLabels, String labelsFile) {
    Column name = element_at(split(col(REL), "/"), -1);
    Dataset<Row> valIds =
        located
            .filter(col(SPLIT).equalTo(TEST_SPLIT))
            .select(regexp_replace(name, "\\.[^.]*$", "").as(VAL_ID))
            .distinct();
    Column id = coalesce(col(IMAGE_ID), lit(""));
    return valLabels
        .join(valIds, valLabels.col(IMAGE_ID).equalTo(valIds.col(VAL_ID)), "left_anti")
        .select(
            id.as(IMAGE_ID_COLUMN),
            lit(TEST_SPLIT).as(RejectedTable.SPLIT),
            concat(lit(labelsFile + "#"), id).as(RejectedTable.SOURCE),
            lit(RejectReason.VAL_LABELS_WITHOUT_FILE.code()).as(RejectedTable.REASON),
            concat(
                    lit(VAL_LABELS_FILE + " labels image id "),
                    id,
                    lit(" (class "),
                    coalesce(col(CSV_CLASS), lit("")),
                    lit(") but val/ holds no file "),
                    id,
                    lit(".* (flat or in a class folder)"))
                .as(RejectedTable.DETAIL));
  }

  /**
   * Reads {@code LOC_val_solution.csv} ({@code ImageId,PredictionString}; the first token of the
   * prediction string is the class) into one row per image id. Should an id appear twice, the
   * alphabetically first class wins, so that the result does not depend on file order.
   */
  static Dataset<Row> readValLabels(SparkSession spark, String csvPath) {
    Dataset<Row> csv = spark.read().option("header", "true").csv(csvPath);
    List<String> columns = Arrays.asList(csv.columns());
    if (!columns.contains("ImageId") || !columns.contains("PredictionString")) {
      throw new DatasetException(
          csvPath + ": expected the header ImageId,PredictionString, found " + columns);
    }
    Column label = substring_index(trim(col("PredictionString")), " ", 1);
    return csv.select(col("ImageId").as(IMAGE_ID), when(length(label).gt(0), label).as(CSV_CLASS))
        .filter(col(CSV_CLASS).isNotNull())
        .groupBy(IMAGE_ID)
        .agg(min(CSV_CLASS).as(CSV_CLASS));
  }
}
