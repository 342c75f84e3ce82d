import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.spark.ModelCache;
import io.sparkdistill.pipeline.distill.TopK;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.train.Evaluation;
import io.sparkdistill.pipeline.train.ImageArrays;
import io.sparkdistill.pipeline.views.View;
import io.sparkdistill.pipeline.views.ViewRenderer;
import io.sparkdistill.pipeline.views.ViewSampler;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * The baseline of the soft-label benchmark: the same work as the soft-labels stage (read the
 * examples, render the same views, run the same teacher in batches of the same size, take the
 * top-k and pack the logits) in one plain loop, with no Spark.
 *   java -cp 'jobs/target/jars/*' bin/bench/PlainSoftLabels.java RUN_ROOT TEACHER VIEWS TOP_K BATCH
 * Prints "plain_examples_per_second=<n> rows=<n> seconds=<s>".
 */
public class PlainSoftLabels {
  public static void main(String[] args) throws Exception {
    String root = args[0];
    String teacherName = args[1];
    int views = Integer.parseInt(args[2]);
    int topK = Integer.parseInt(args[3]);
    int batch = Integer.parseInt(args[4]);
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Path teacherDir = new Path(root, "train-teachers/" + teacherName);
    ModelInfo teacher = ModelInfo.read(fs, teacherDir);
    // Examples first, so that the timed part is the same as the stage's.
    List<Group> examples = new ArrayList<>();
    for (String split : List.of("train", "test")) {
      File folder = new File(root, "ingest/examples/split=" + split);
      for (File file : folder.listFiles((d, n) -> n.endsWith(".parquet"))) {
        try (ParquetReader<Group> reader =
            ParquetReader.builder(new GroupReadSupport(), new Path(file.toURI())).build()) {
          for (Group g = reader.read(); g != null; g = reader.read()) {
            examples.add(g);
          }
        }
      }
    }
    ViewSampler sampler = new ViewSampler(views, 0.35, true, 7);
    int h = teacher.inputHeight(), w = teacher.inputWidth(), c = teacher.inputChannels();
    int bytes = h * w * c;
    long t0 = System.nanoTime();
    Model model = ModelCache.get(teacherDir.toString(), teacher, Device.cpu());
    long rows = 0;
    long packed = 0;
    byte[] pixels = new byte[(batch + views + 1) * bytes];
    int filled = 0;
    int index = 0;
    while (index < examples.size() || filled > 0) {
      while (filled < batch && index < examples.size()) {
        Group example = examples.get(index++);
        byte[] image = example.getBinary("pixels", 0).getBytes();
        String id = example.getString("example_id", 0);
        boolean train = example.getString("source", 0).contains("train");
        List<View> exampleViews = train ? sampler.viewsOf(id, h, w) : List.of(View.identity(h, w));
        for (View view : exampleViews) {
          System.arraycopy(ViewRenderer.render(image, h, w, c, view), 0, pixels, filled * bytes, bytes);
          filled++;
        }
      }
      ImageArrays arrays = new ImageArrays(java.util.Arrays.copyOf(pixels, filled * bytes), new int[filled], h, w, c);
      for (float[] logits : Evaluation.logits(model, arrays, teacher.normalization(), filled)) {
        TopK top = TopK.of(logits, topK == 0 ? logits.length : topK);
        packed += (long) LogitPrecision.FP16.round(top.logits()).length * Float.BYTES;
        rows++;
      }
      filled = 0;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("plain_examples_per_second=%.1f rows=%d seconds=%.2f packed_bytes=%d%n",
        examples.size() / seconds, rows, seconds, packed);
  }
}
