/**
 * The masked language modelling task ({@code dataset.format} brown, c4 or text): {@link
 * io.sparkdistill.pipeline.maskedlm.MaskedLanguageModeling} and its parts, corpus ingest into a
 * vocabulary and masked sequences ({@code CorpusIngest}, {@link
 * io.sparkdistill.pipeline.maskedlm.CorpusTables}), BERT-style teachers ({@code MaskedLmTeachers}),
 * soft labels per masked position ({@code MaskedLmSoftLabels}, {@code MaskedPositionLabels}),
 * students ({@code MaskedLmStudents}) and masked-token scoring with the downstream task ({@code
 * MaskedLmScoring}).
 *
 * <p>Engine-level pieces: {@link io.sparkdistill.pipeline.maskedlm.MlmData} holds masked sequences
 * in memory (the rows of {@code SequenceTable}) and builds the BERT block's input arrays; {@link
 * io.sparkdistill.pipeline.maskedlm.MlmTrainLoop} trains with the MLM cross-entropy or, with soft
 * targets, {@link io.sparkdistill.pipeline.distill.KdLoss} over the masked positions; {@link
 * io.sparkdistill.pipeline.maskedlm.MlmSoftLabels} turns a teacher's outputs at the masked positions
 * into the top-k rows of the soft-label store and back into targets. The network itself ({@code
 * MlmSpec}, {@code MlmBlock}) is in {@code models}.
 *
 * <p>Rows: every masked position of every sequence is one row, numbered in sequence order, then
 * position order ({@link io.sparkdistill.pipeline.maskedlm.MlmData#rowOffset(int)}); soft labels and
 * distillation targets are indexed by that row number.
 */
package io.sparkdistill.pipeline.maskedlm;
