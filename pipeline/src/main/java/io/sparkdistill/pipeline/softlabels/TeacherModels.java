package io.sparkdistill.pipeline.softlabels;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.teachers.ModelFiles;
import io.sparkdistill.pipeline.teachers.TeacherInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Teacher models loaded once per JVM (an executor, or the driver in local mode), shared by every
 * task of that JVM: DJL models are thread-safe for inference, and loading per task or per
 * partition would repeat the read and the native allocation thousands of times at scale.
 *
 * <p>Models stay loaded for the JVM's life; an executor ends with its application.
 */
public final class TeacherModels {
  private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();

  static {
    // Executors never download engines or models, even when started without our JVM flags.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }

  private TeacherModels() {}

  /** The teacher stored in {@code teacherDir} (with its {@code teacher.json}) on {@code device}. */
  public static Model get(String teacherDir, TeacherInfo info, Device device) {
    return MODELS.computeIfAbsent(teacherDir + "|" + device, key -> load(teacherDir, info, device));
  }

  private static Model load(String teacherDir, TeacherInfo info, Device device) {
    try {
      Path model = new Path(teacherDir, info.model());
      FileSystem fs = model.getFileSystem(new Configuration());
      java.nio.file.Path local = ModelFiles.readable(fs, model);
      return TeacherInfo.TORCHSCRIPT.equals(info.kind())
          ? ModelCheckpoint.loadTorchScript(local, device)
          : ModelCheckpoint.loadModel(local, device);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load teacher " + info.name() + " from " + teacherDir, e);
    }
  }
}
