/**
 * Test helpers that run Spark Distill's jobs the way a cluster does: a Spark home made of the jobs
 * module's jars, a standalone master and worker as child JVMs, spark-submit drivers, and generated
 * IDX datasets.
 */
package io.sparkdistill.jobs.cluster;
