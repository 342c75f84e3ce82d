import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * A generated corpus in C4's layout for bin/bench-c4-ingest: FILES train files
 * c4-train.0000N-of-0000F.json.gz and one c4-validation.00000-of-00001.json.gz, JSON lines with
 * text, url and timestamp, about MB megabytes of JSON per train file (a tenth of that for
 * validation). The text is sentences of pseudo-words (syllable strings) drawn from a Zipf law over
 * a 40,000-word vocabulary, so that a learned vocabulary and its [UNK] share behave as on prose.
 *   java bin/bench/MakeC4Corpus.java OUT_DIR FILES MB SEED
 */
public class MakeC4Corpus {
  private static final String[] SYLLABLES = {
    "ka", "lo", "mi", "ne", "ru", "ta", "ve", "so", "di", "an", "er", "in", "ol", "us", "ba", "fe",
    "gu", "hi", "jo", "pe", "qui", "sa", "te", "wo", "ya", "ze", "th", "str", "ch", "ion"
  };

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    int files = Integer.parseInt(args[1]);
    long bytesPerFile = Long.parseLong(args[2]) << 20;
    Random random = new Random(Long.parseLong(args[3]));
    String[] words = new String[40_000];
    for (int i = 0; i < words.length; i++) {
      StringBuilder w = new StringBuilder();
      int n = 1 + Math.min(4, (int) Math.round(Math.log(i + 2) / Math.log(8)));
      for (int s = 0; s < n; s++) {
        w.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
      }
      words[i] = w.toString();
    }
    double[] cumulative = new double[words.length];
    double total = 0;
    for (int i = 0; i < words.length; i++) {
      total += 1.0 / Math.pow(i + 1, 1.1);
      cumulative[i] = total;
    }
    Files.createDirectories(out);
    for (int f = 0; f <= files; f++) {
      boolean validation = f == files;
      String name = validation
          ? "c4-validation.00000-of-00001.json.gz"
          : String.format("c4-train.%05d-of-%05d.json.gz", f, files);
      long target = validation ? bytesPerFile / 10 : bytesPerFile;
      long written = 0;
      long doc = 0;
      try (BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(
          new GZIPOutputStream(Files.newOutputStream(out.resolve(name)), 1 << 16), StandardCharsets.UTF_8))) {
        while (written < target) {
          StringBuilder text = new StringBuilder();
          int sentences = 1 + random.nextInt(12);
          for (int s = 0; s < sentences; s++) {
            int length = 4 + random.nextInt(20);
            for (int w = 0; w < length; w++) {
              String word = words[draw(cumulative, total, random)];
              text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
              text.append(w == length - 1 ? ". " : " ");
            }
            if (random.nextInt(4) == 0) {
              text.append("\\n");
            }
          }
          String line = "{\"text\":\"" + text.toString().trim() + "\",\"timestamp\":\"2019-04-25T12:57:54Z\","
              + "\"url\":\"https://example.org/" + f + "/" + doc++ + "\"}";
          writer.write(line);
          writer.write('\n');
          written += line.length() + 1;
        }
      }
      System.err.printf("%s: %d documents, %d MB of JSON%n", name, doc, written >> 20);
    }
  }

  private static int draw(double[] cumulative, double total, Random random) {
    double u = random.nextDouble() * total;
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
