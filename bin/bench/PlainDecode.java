import io.sparkdistill.datasets.image.DecodeOutcome;
import io.sparkdistill.datasets.image.ImageDecoder;
import io.sparkdistill.datasets.image.ImageShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The per-core anchor of bin/bench-ingest: ingest's own decoder (read bytes, decode, centre-crop
 * resize) over every file of an image tree in one thread, without Spark or Parquet, twice (the
 * first pass warms the JIT and the page cache). Prints "plain_images_per_second=<n> images=<n>
 * seconds=<s>" for the second pass.
 *   java -cp "jobs/target/jars/*" bin/bench/PlainDecode.java TREE SIZE
 */
public class PlainDecode {
  public static void main(String[] args) throws Exception {
    Path tree = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(tree)) {
      files = walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".csv")).sorted().toList();
    }
    ImageDecoder decoder = new ImageDecoder(new ImageShape(size, size, 3, ImageShape.ResizeMode.CENTER_CROP));
    double seconds = 0;
    int decoded = 0;
    for (int pass = 0; pass < 2; pass++) {
      long t0 = System.nanoTime();
      decoded = 0;
      for (Path file : files) {
        if (decoder.decode(Files.readAllBytes(file)) instanceof DecodeOutcome.Decoded) {
          decoded++;
        }
      }
      seconds = (System.nanoTime() - t0) / 1e9;
    }
    System.out.printf("plain_images_per_second=%.1f images=%d seconds=%.2f%n", decoded / seconds, decoded, seconds);
  }
}
