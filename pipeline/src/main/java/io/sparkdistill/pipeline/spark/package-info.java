/** The one place a SparkSession is built from a run configuration. */
package io.sparkdistill.pipeline.spark;
