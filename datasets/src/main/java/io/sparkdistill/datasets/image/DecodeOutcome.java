package io.sparkdistill.datasets.image;

import io.sparkdistill.datasets.examples.RejectReason;
import java.util.Objects;

/** The result of {@link ImageDecoder#decode}: pixels in the target shape, or why there are none. */
public sealed interface DecodeOutcome permits DecodeOutcome.Decoded, DecodeOutcome.Failed {

  /**
   * A decoded image, already fitted to the decoder's {@link ImageShape}.
   *
   * @param pixels {@code height * width * channels} unsigned bytes, row-major HWC (RGB or luma)
   */
  record Decoded(byte[] pixels) implements DecodeOutcome {
    public Decoded {
      Objects.requireNonNull(pixels, "pixels");
    }
  }

  /**
   * Bytes that did not yield an image.
   *
   * @param reason the code stored in the rejected table
   * @param detail a human explanation naming what was found (format, first bytes, decoder message)
   */
  record Failed(RejectReason reason, String detail) implements DecodeOutcome {
    public Failed {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
