/** The canonical example and rejected-input tables that every source produces, and example ids. */
package io.sparkdistill.datasets.examples;
