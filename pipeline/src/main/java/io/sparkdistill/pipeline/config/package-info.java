/**
 * Loading and validating HOCON run configurations into typed, immutable records.
 *
 * <p>Defaults live in {@code conf/reference.conf}, which the build packs into the jar. A key the
 * reference does not declare, a value of the wrong type or out of range fails at load time with
 * the key and the file (and line) it came from.
 */
package io.sparkdistill.pipeline.config;
