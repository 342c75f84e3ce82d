package io.sparkdistill.pipeline.spark;

import io.sparkdistill.pipeline.models.ModelFiles;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.models.ModelInfo;
import ai.djl.Device;
import ai.djl.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Trained models (teachers, students) loaded once per JVM (an executor, or the driver in local mode), shared by every
 * task of that JVM: DJL models are thread-safe for inference, and loading per task or per
 * partition would repeat the read and the native allocation thousands of times at scale.
 *
 * <p>Models stay loaded for the JVM's life; an executor ends with its application.
 */
public final class ModelCache {
  private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();

  static {
    // Executors never download engines or models, even when started without our JVM flags.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }

  private ModelCache() {}

  /** The teacher stored in {@code teacherDir} (with its {@code model.json}) on {@code device}. */
  public static Model get(String teacherDir, ModelInfo info, Device device) {
    return MODELS.computeIfAbsent(teacherDir + "|" + device, key -> load(teacherDir, info, device));
  }

  /** Loads the model described by {@code info} in {@code teacherDir}, uncached: the caller closes it. */
  public static Model load(String teacherDir, ModelInfo info, Device device) {
    try {
      Path model = new Path(teacherDir, info.model());
      FileSystem fs = model.getFileSystem(TaskHadoopConf.get());
      java.nio.file.Path local = ModelFiles.readable(fs, model);
      return ModelInfo.TORCHSCRIPT.equals(info.kind())
          ? ModelCheckpoint.loadTorchScript(local, device)
          : ModelCheckpoint.loadModel(local, device);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load teacher " + info.name() + " from " + teacherDir, e);
    }
  }

  /** The GPU Spark gave this task, if any, else the CPU. */
  public static Device taskDevice(TaskContext task) {
    if (task != null) {
      scala.Option<ResourceInformation> gpu = task.resources().get("gpu");
      if (gpu.isDefined() && gpu.get().addresses().length > 0) {
        return Device.gpu(Integer.parseInt(gpu.get().addresses()[0]));
      }
    }
    return Device.cpu();
  }

  /**
   * PyTorch's intra-op threads, sized to the task's cores before the engine starts in this JVM
   * (it reads the setting once), so that concurrent tasks do not oversubscribe the executor.
   */
  public static void sizeThreads(TaskContext task) {
    if (task != null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
      String cpus = String.valueOf(Math.max(1, task.cpus()));
      System.setProperty("ai.djl.pytorch.num_threads", cpus);
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
  }
}
