package io.sparkdistill.pipeline.config;

import java.util.List;

/**
 * The {@code dataset} section: where the raw data is and in which layout.
 *
 * @param name short name for reports
 * @param format source layout
 * @param installHint how to obtain the files, shown when they are missing
 * @param idx the IDX files (format {@code idx})
 * @param imageFolderRoot dataset root (format {@code image-folder})
 */
public record DatasetSettings(
    String name, Format format, String installHint, IdxFiles idx, String imageFolderRoot) {

  /** Raw dataset layouts that ingest reads. */
  public enum Format {
    IDX,
    IMAGE_FOLDER
  }

  /**
   * The four files of an IDX dataset, as full paths, and the name of each label value.
   */
  public record IdxFiles(
      String trainImages,
      String trainLabels,
      String testImages,
      String testLabels,
      List<String> classNames) {
    public IdxFiles {
      classNames = List.copyOf(classNames);
    }
  }

  static DatasetSettings from(ConfigReader reader) {
    Format format = reader.enumValue("dataset.format", Format.class);
    String dir = reader.string("dataset.idx.dir");
    IdxFiles idx =
        new IdxFiles(
            under(dir, reader.nonEmptyString("dataset.idx.train-images")),
            under(dir, reader.nonEmptyString("dataset.idx.train-labels")),
            under(dir, reader.nonEmptyString("dataset.idx.test-images")),
            under(dir, reader.nonEmptyString("dataset.idx.test-labels")),
            reader.nonEmptyStringList("dataset.idx.class-names"));
    if (idx.classNames().size() > 256) {
      throw reader.invalid(
          "dataset.idx.class-names", "IDX labels are single bytes: at most 256 classes");
    }
    String folderRoot = reader.string("dataset.image-folder.root");
    if (format == Format.IMAGE_FOLDER && folderRoot.isBlank()) {
      throw reader.invalid(
          "dataset.image-folder.root", "must name the dataset root when dataset.format = image-folder");
    }
    if (format == Format.IDX && dir.isBlank()) {
      throw reader.invalid("dataset.idx.dir", "must name the IDX folder when dataset.format = idx");
    }
    return new DatasetSettings(
        reader.nonEmptyString("dataset.name"),
        format,
        reader.string("dataset.install-hint"),
        idx,
        folderRoot);
  }

  private static String under(String dir, String file) {
    if (file.startsWith("/") || file.contains(":/") || dir.isBlank()) {
      return file;
    }
    return dir.endsWith("/") ? dir + file : dir + "/" + file;
  }
}
