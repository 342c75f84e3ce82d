/**
 * The DAG of stages: which stage needs which, the manifests that mark a stage's output complete,
 * the runner that skips what is up to date, and the launcher that maps failures to exit codes.
 *
 * <p>A stage writes under {@code <run.root>/<stage>/} and commits {@code _MANIFEST.json} last;
 * without a manifest (a killed run) the output is incomplete and the stage is redone. The manifest
 * lists the stage's files with their sizes, and {@link io.sparkdistill.pipeline.dag.OutputCheck}
 * compares them with the folder before the output is skipped or read. One run at a time holds a
 * root ({@link io.sparkdistill.pipeline.dag.RunLock}).
 */
package io.sparkdistill.pipeline.dag;
