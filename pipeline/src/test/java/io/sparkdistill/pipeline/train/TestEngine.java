package io.sparkdistill.pipeline.train;

/** Keeps the PyTorch engine small in tests: the machine's cores are shared with other builds. */
public final class TestEngine {
  private TestEngine() {}

  /** Sets one intra-op and one inter-op thread unless the build already chose; call first. */
  public static void configure() {
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "1");
    }
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    System.setProperty("ai.djl.offline", "true");
  }
}
