/**
 * The DAG of stages: which stage needs which, the manifests that mark a stage's output complete,
 * the runner that skips what is up to date, and the launcher that maps failures to exit codes.
 *
 * <p>A stage writes under {@code <run.root>/<stage>/} and commits {@code _MANIFEST.json} last;
 * without a manifest (a killed run) the output is incomplete and the stage is redone.
 */
package io.sparkdistill.pipeline.dag;
