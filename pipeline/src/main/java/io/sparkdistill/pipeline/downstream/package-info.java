/**
 * The downstream task of the text path, in the spirit of GLUE: fine-tune a pre-trained
 * masked-language model (or, as the reference, a randomly initialised one of the same shape) on a
 * labelled text classification set and report its test accuracy. Engine-level, no Spark here.
 *
 * <p>{@link io.sparkdistill.pipeline.downstream.ClassificationData} turns labelled texts (the rows
 * of {@code LabelledTextTable}) into BERT inputs, {@code [CLS] a [SEP] (b [SEP])} padded to the
 * encoder's sequence length; {@link io.sparkdistill.pipeline.downstream.ClassifierBlock} puts a
 * linear layer on the encoder's {@code [CLS]} hidden state; {@link
 * io.sparkdistill.pipeline.downstream.FineTuner} trains all of it with AdamW (warm-up, cosine) and
 * evaluates it, returning a {@link io.sparkdistill.pipeline.downstream.FineTuneResult}.
 */
package io.sparkdistill.pipeline.downstream;
