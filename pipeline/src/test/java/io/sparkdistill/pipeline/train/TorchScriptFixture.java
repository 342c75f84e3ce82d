package io.sparkdistill.pipeline.train;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a minimal TorchScript archive by hand, as {@code torch.jit.save} lays it out (a stored zip
 * with {@code data.pkl}, {@code constants.pkl}, {@code version} and the module's TorchScript source
 * in {@code code/__torch__.py}), so tests can load a real TorchScript model without Python. The
 * module has no parameters: its {@code forward} is the given TorchScript code.
 */
public final class TorchScriptFixture {
  private TorchScriptFixture() {}

  /**
   * Writes {@code file}.
   *
   * @param file the {@code .pt} file to write
   * @param className the module's class name
   * @param forwardBody body of {@code forward(self, x: Tensor) -> Tensor}, lines indented by 4
   */
  public static void write(Path file, String className, String forwardBody) throws IOException {
    String code =
        "class "
            + className
            + "(Module):\n"
            + "  __parameters__ = []\n"
            + "  __buffers__ = []\n"
            + "  training : bool\n"
            + "  def forward(self: __torch__."
            + className
            + ",\n"
            + "    x: Tensor) -> Tensor:\n"
            + forwardBody;
    // pickle protocol 2: GLOBAL '__torch__ <class>', EMPTY_TUPLE, NEWOBJ, {'training': True}, BUILD
    byte[] name = className.getBytes(StandardCharsets.US_ASCII);
    byte[] head = "\u0080\u0002c__torch__\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] tail =
        "\n)\u0081}(X\u0008\u0000\u0000\u0000training\u0088ub."
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] data = new byte[head.length + name.length + tail.length];
    System.arraycopy(head, 0, data, 0, head.length);
    System.arraycopy(name, 0, data, head.length, name.length);
    System.arraycopy(tail, 0, data, head.length + name.length, tail.length);
    String root = className.toLowerCase() + "/";
    try (OutputStream out = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      stored(zip, root + "data.pkl", data);
      stored(zip, root + "code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
      stored(zip, root + "constants.pkl", "\u0080\u0002).".getBytes(StandardCharsets.ISO_8859_1));
      stored(zip, root + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(bytes);
    zip.closeEntry();
  }
}
