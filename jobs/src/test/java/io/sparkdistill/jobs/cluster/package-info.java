/**
 * Test helpers that run Spark Distill's jobs the way a cluster does: a Spark home made of Spark's
 * own jars, a standalone master and worker as child JVMs, spark-submit drivers started through
 * Spark's launcher, and the README's spark-submit commands parsed into words ({@link
 * io.sparkdistill.jobs.cluster.SubmitLine}).
 */
package io.sparkdistill.jobs.cluster;
