import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes an ImageNet-layout JPEG tree for the ingest benchmark:
 * {@code java bin/bench/MakeJpegTree.java DIR CLASSES TRAIN_PER_CLASS VAL_PER_CLASS WIDTH HEIGHT}.
 * Images are gradients with noise, so that JPEG sizes and decode costs resemble photographs more
 * than flat colours would.
 */
public class MakeJpegTree {
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]);
    int classes = Integer.parseInt(args[1]);
    int trainPerClass = Integer.parseInt(args[2]);
    int valPerClass = Integer.parseInt(args[3]);
    int width = Integer.parseInt(args[4]);
    int height = Integer.parseInt(args[5]);
    Random random = new Random(42);
    for (int c = 0; c < classes; c++) {
      String wnid = String.format("n%08d", c);
      write(root.resolve("train").resolve(wnid), wnid, trainPerClass, width, height, random);
      write(root.resolve("val").resolve(wnid), wnid + "_val", valPerClass, width, height, random);
    }
  }

  private static void write(Path folder, String prefix, int count, int width, int height, Random random)
      throws IOException {
    Files.createDirectories(folder);
    for (int i = 0; i < count; i++) {
      BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = image.createGraphics();
      g.setPaint(new GradientPaint(0, 0, new Color(random.nextInt()), width, height, new Color(random.nextInt())));
      g.fillRect(0, 0, width, height);
      for (int n = 0; n < 200; n++) {
        g.setColor(new Color(random.nextInt()));
        g.fillOval(random.nextInt(width), random.nextInt(height), 4 + random.nextInt(30), 4 + random.nextInt(30));
      }
      g.dispose();
      ImageIO.write(image, "jpg", folder.resolve(prefix + "_" + i + ".JPEG").toFile());
    }
  }
}
