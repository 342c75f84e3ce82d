/** Decoding image bytes to pixels and resizing them to the configured shape. */
package io.sparkdistill.datasets.image;
