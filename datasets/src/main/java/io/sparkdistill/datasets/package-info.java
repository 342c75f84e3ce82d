/**
 * Raw datasets to canonical example rows.
 *
 * <p>Each source ({@code idx}, {@code imagefolder}) turns files in its native layout into two
 * DataFrames: examples in the {@link io.sparkdistill.datasets.examples.ExampleTable} schema and
 * rejected inputs in the {@link io.sparkdistill.datasets.examples.RejectedTable} schema. Nothing is
 * dropped silently: every input is either an example or a rejected row with its reason.
 */
package io.sparkdistill.datasets;
