package io.sparkdistill.pipeline.spark;

import io.sparkdistill.pipeline.models.ModelInfo;
import ai.djl.Device;
import ai.djl.Model;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Trained models for inference in Spark tasks, one instance per concurrent user: a task borrows a
 * model for a batch and gives it back, so a JVM holds as many copies as it runs tasks at once
 * (executor cores), each loaded once and reused by later tasks for the JVM's life.
 *
 * <p>Why not {@link ModelCache}, which shares one instance between all tasks: DJL's transformer
 * blocks are not thread-safe for inference. {@code IdEmbedding} (BERT's token and type
 * embeddings) temporarily attaches the shared embedding table to its own per-call scope
 * ({@code NDManager.tempAttachAll}) and re-attaches it when that scope closes; two concurrent
 * forward passes then race on the table's owner and one of them closes it ("Native resource has
 * been released already", seen at {@code local[2]} on the Brown corpus). The masked-language
 * models of the text path therefore run through this pool; image models (convolutions, batch
 * norm) share {@link ModelCache}'s instance.
 */
public final class ModelPool {
  private static final Map<String, Deque<Model>> IDLE = new ConcurrentHashMap<>();

  private ModelPool() {}

  /**
   * A model borrowed for one use: close it (try-with-resources) to give the model back. Do not
   * close the {@link #model()} itself.
   *
   * @param key the pool it returns to
   * @param model the model, used by this borrower only until it is returned
   */
  public record Lease(String key, Model model) implements AutoCloseable {
    @Override
    public void close() {
      IDLE.get(key).push(model);
    }
  }

  /**
   * An idle instance of the model stored in {@code modelDir} (with its {@code model.json}) on
   * {@code device}, loaded ({@link ModelCache#load}) when every loaded instance is in use.
   *
   * @param modelDir the folder of the model's {@code model.json}
   * @param info its {@code model.json}
   * @param device where the parameters live
   * @return the lease; close it to return the model
   */
  public static Lease borrow(String modelDir, ModelInfo info, Device device) {
    String key = modelDir + "|" + device;
    Deque<Model> idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
    Model model = idle.poll();
    return new Lease(key, model != null ? model : ModelCache.load(modelDir, info, device));
  }
}
