package io.sparkdistill.pipeline.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exports and restores the state of a DJL optimiser (update counts, Adam's moments, SGD's
 * momentum), so that a resumed run continues exactly where the checkpoint left it.
 *
 * <p>DJL 0.32 keeps this state in private fields and offers no API for it, so they are read and
 * written by reflection, by name: {@code updateCounts} and {@code numUpdate} on {@link Optimizer},
 * {@code means}/{@code variances} on {@code Adam} and {@code AdamW}, {@code momentumStates} on
 * {@code Sgd}. A DJL upgrade that renames them fails loudly here (the field lookup), never silently.
 * State is keyed by parameter id, a random UUID per {@link Parameter} instance; it is stored under
 * the parameter's path in the block instead, which a rebuilt block shares.
 */
public final class OptimizerState {

  /**
   * @param counts update count per parameter path
   * @param numUpdate the optimiser's overall update count
   * @param arrays state arrays keyed {@code <field>/<parameter path>}, copied to the CPU
   */
  public record Snapshot(Map<String, Integer> counts, int numUpdate, Map<String, float[]> arrays, Map<String, long[]> shapes) {}

  private OptimizerState() {}

  /** Copies the state of {@code optimizer} for the parameters of {@code block}. */
  public static Snapshot export(Optimizer optimizer, Block block) {
    Map<String, String> pathOfId = new HashMap<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      pathOfId.put(p.getValue().getId(), p.getKey());
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    updateCounts(optimizer).forEach((id, count) -> counts.put(path(pathOfId, id), count));
    Map<String, float[]> arrays = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String field : stateFields(optimizer)) {
      stateField(optimizer, field).forEach(
          (id, byDevice) -> {
            NDArray array = byDevice.values().iterator().next();
            String key = field + "/" + path(pathOfId, id);
            arrays.put(key, array.toFloatArray());
            shapes.put(key, array.getShape().getShape());
          });
    }
    return new Snapshot(counts, getInt(optimizer, "numUpdate"), arrays, shapes);
  }

  /**
   * Puts {@code snapshot} into a fresh {@code optimizer} (one that has made no update) for the
   * parameters of {@code block}; state arrays are created in {@code manager} on the parameters'
   * device.
   */
  public static void restore(Optimizer optimizer, Block block, Snapshot snapshot, NDManager manager) {
    Map<String, Parameter> byPath = new HashMap<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      byPath.put(p.getKey(), p.getValue());
    }
    Map<String, Integer> counts = updateCounts(optimizer);
    counts.clear();
    snapshot.counts().forEach((path, count) -> counts.put(parameter(byPath, path).getId(), count));
    setInt(optimizer, "numUpdate", snapshot.numUpdate());
    for (Map.Entry<String, float[]> entry : snapshot.arrays().entrySet()) {
      String key = entry.getKey();
      int slash = key.indexOf('/');
      String field = key.substring(0, slash);
      Parameter parameter = parameter(byPath, key.substring(slash + 1));
      if (!stateFields(optimizer).contains(field)) {
        throw new IllegalStateException(
            "checkpoint holds optimiser state '" + field + "' that " + optimizer.getClass().getSimpleName()
                + " does not have: was it saved with another optimiser type?");
      }
      Map<String, Map<Device, NDArray>> state = stateField(optimizer, field);
      NDArray array =
          manager.create(entry.getValue(), new ai.djl.ndarray.types.Shape(snapshot.shapes().get(key)));
      Device device = parameter.getArray().getDevice();
      NDArray placed = array.toDevice(device, false);
      placed.detach(); // as DJL does for its own state: it lives as long as the optimiser
      Map<Device, NDArray> byDevice = new ConcurrentHashMap<>();
      byDevice.put(device, placed);
      state.put(parameter.getId(), byDevice);
    }
  }

  private static String path(Map<String, String> pathOfId, String id) {
    String path = pathOfId.get(id);
    if (path == null) {
      throw new IllegalStateException("optimiser state for parameter " + id + " that is not in the block");
    }
    return path;
  }

  private static Parameter parameter(Map<String, Parameter> byPath, String path) {
    Parameter parameter = byPath.get(path);
    if (parameter == null) {
      throw new IllegalStateException(
          "checkpoint has optimiser state for parameter '" + path + "', which this model does not have");
    }
    return parameter;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Integer> updateCounts(Optimizer optimizer) {
    return (Map<String, Integer>) read(field(Optimizer.class, "updateCounts"), optimizer);
  }

  /**
   * The state fields of the optimisers {@link Optimizers} builds. Another optimiser is refused
   * rather than checkpointed without its state (a resumed run would restart its moments from zero).
   */
  static List<String> stateFields(Optimizer optimizer) {
    String type = optimizer.getClass().getSimpleName();
    return switch (type) {
      case "Adam", "AdamW" -> List.of("means", "variances");
      case "Sgd" -> List.of("momentumStates");
      default -> throw new IllegalStateException(
          "the state of DJL optimiser " + optimizer.getClass().getName() + " cannot be checkpointed:"
              + " only Adam, AdamW and Sgd are known");
    };
  }

  /** A state field the optimiser must have; missing (DJL renamed it) fails here, not silently. */
  @SuppressWarnings("unchecked")
  private static Map<String, Map<Device, NDArray>> stateField(Optimizer optimizer, String name) {
    for (Class<?> c = optimizer.getClass(); c != Optimizer.class; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        Object state = read(f, optimizer);
        if (state == null) {
          throw new IllegalStateException(
              "DJL's " + optimizer.getClass().getSimpleName() + "." + name + " is null; optimiser state"
                  + " cannot be checkpointed");
        }
        return (Map<String, Map<Device, NDArray>>) state;
      } catch (NoSuchFieldException e) {
        // try the superclass
      }
    }
    throw new IllegalStateException(
        "DJL's " + optimizer.getClass().getSimpleName() + " has no field '" + name + "' (DJL version"
            + " changed?); optimiser state cannot be checkpointed");
  }

  private static int getInt(Optimizer optimizer, String name) {
    return (Integer) read(field(Optimizer.class, name), optimizer);
  }

  private static void setInt(Optimizer optimizer, String name, int value) {
    try {
      field(Optimizer.class, name).setInt(optimizer, value);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot set " + name + " of the DJL optimiser", e);
    }
  }

  private static Field field(Class<?> owner, String name) {
    try {
      Field f = owner.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(
          "DJL's " + owner.getSimpleName() + " has no field '" + name + "' (DJL version changed?);"
              + " optimiser state cannot be checkpointed", e);
    }
  }

  private static Object read(Field f, Object target) {
    try {
      return f.get(target);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read " + f.getName() + " of the DJL optimiser", e);
    }
  }
}
