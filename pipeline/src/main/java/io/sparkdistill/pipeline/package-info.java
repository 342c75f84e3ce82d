/**
 * The Spark Distill library: run configuration ({@code config}), the DAG of stages and their
 * manifests ({@code dag}), the Spark session ({@code spark}) and one package per stage
 * ({@code ingest}, ...).
 */
package io.sparkdistill.pipeline;
