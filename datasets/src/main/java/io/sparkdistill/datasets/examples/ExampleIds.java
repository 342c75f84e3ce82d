package io.sparkdistill.datasets.examples;

import java.nio.charset.StandardCharsets;

/**
 * Stable example ids and the shard each id belongs to.
 *
 * <p>The shard is a pure function of the id (64-bit FNV-1a over its UTF-8 bytes), so any tool in
 * any language can recompute it, and it does not change when the dataset is re-ingested on a
 * different cluster or with a different number of partitions.
 */
public final class ExampleIds {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private ExampleIds() {}

  /** 64-bit FNV-1a hash of the id's UTF-8 bytes. */
  public static long fnv1a64(String id) {
    long hash = FNV_OFFSET;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      hash ^= (b & 0xff);
      hash *= FNV_PRIME;
    }
    return hash;
  }

  /** The shard of {@code id} among {@code shards}, in {@code [0, shards)}. */
  public static int shardOf(String id, int shards) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, got " + shards);
    }
    return (int) Long.remainderUnsigned(fnv1a64(id), shards);
  }
}
