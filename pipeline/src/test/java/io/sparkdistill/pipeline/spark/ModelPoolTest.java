package io.sparkdistill.pipeline.spark;

import io.sparkdistill.pipeline.train.TestEngine;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.models.ModelInfo;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import io.sparkdistill.pipeline.models.MlmSpec;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Borrowers at the same time get their own instance; a returned one is reused, not reloaded. */
class ModelPoolTest {
  @TempDir Path dir;

  @Test
  void concurrentBorrowersGetDistinctInstancesAndReturnedOnesAreReused() throws Exception {
    TestEngine.configure();
    MlmSpec spec = new MlmSpec(8, 8, 1, 2, 16, 6, 0.0);
    try (Model model = spec.newModel("m", Device.cpu())) {
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, spec.initializationShapes());
      ModelCheckpoint.save(model, spec, dir.resolve("model"), Map.of());
    }
    ModelInfo info = ModelInfo.ofMlm("m", spec, 0, true);
    info.write(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(dir.toUri()));

    Model first;
    Model second;
    try (ModelPool.Lease a = ModelPool.borrow(dir.toString(), info, Device.cpu());
        ModelPool.Lease b = ModelPool.borrow(dir.toString(), info, Device.cpu())) {
      first = a.model();
      second = b.model();
      assertThat(first).isNotSameAs(second);
    }
    // Both are idle again: two borrowers get those two back (null info: loading would fail).
    try (ModelPool.Lease c = ModelPool.borrow(dir.toString(), null, Device.cpu());
        ModelPool.Lease d = ModelPool.borrow(dir.toString(), null, Device.cpu())) {
      assertThat(java.util.List.of(c.model(), d.model())).containsExactlyInAnyOrder(first, second);
    }
  }
}
