package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.models.MlmBlock;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.sparkdistill.pipeline.train.Evaluation;
import java.util.function.Consumer;

/**
 * Held-out masked-language-model quality after a training step: accuracy (the arg-max token is the
 * original one) and perplexity {@code exp(mean over masked positions of -log p(original token))}.
 * Chance accuracy is about {@code 1 / learned tokens}; a uniform model has perplexity equal to the
 * vocabulary size.
 *
 * <p>Models run as in {@code train.Evaluation}: {@code block.forward(parameterStore, inputs,
 * false)} in a per-batch sub-manager (dropout off, batch norm on its running statistics).
 *
 * @param step 0-based step after which it was measured (-1 outside training)
 * @param accuracy fraction of masked positions predicted right
 * @param perplexity exp of the mean negative log-likelihood
 * @param positions number of masked positions evaluated
 */
public record MlmEvaluation(int step, double accuracy, double perplexity, long positions) {

  /**
   * Evaluates {@code model} on every masked position of {@code data}.
   *
   * @param model a model holding an initialised {@link MlmBlock}
   * @param data held-out sequences
   * @param batchSize sequences per forward pass
   * @param step the step to record
   * @return the evaluation
   */
  public static MlmEvaluation of(Model model, MlmData data, int batchSize, int step) {
    int[] labels = data.rowLabels();
    Loss nll = Loss.softmaxCrossEntropyLoss();
    long[] correct = {0};
    double[] sumNll = {0};
    int[] row = {0};
    forEachBatch(
        model,
        data,
        batchSize,
        logProbs -> {
          long n = logProbs.getShape().get(0);
          long[] predicted = logProbs.argMax(1).toLongArray();
          long[] want = new long[(int) n];
          for (int k = 0; k < n; k++) {
            want[k] = labels[row[0] + k];
            if (predicted[k] == want[k]) {
              correct[0]++;
            }
          }
          NDArray target = logProbs.getManager().create(want);
          // The MLM head's output is already log-softmaxed; the loss's own log-softmax leaves it as is.
          sumNll[0] += nll.evaluate(new NDList(target), new NDList(logProbs)).getFloat() * n;
          row[0] += (int) n;
        });
    int n = labels.length;
    return new MlmEvaluation(step, (double) correct[0] / n, Math.exp(sumNll[0] / n), n);
  }

  /**
   * Calls {@code consumer} with the (rows, vocabulary) log-probabilities at the masked positions of
   * consecutive batches of sequences, so the rows arrive in row order. They are closed after the
   * call.
   *
   * @param model a model holding an initialised {@link MlmBlock}
   * @param data the sequences
   * @param batchSize sequences per forward pass, at least 1
   * @param consumer receives each batch's log-probabilities
   */
  public static void forEachBatch(
      Model model, MlmData data, int batchSize, Consumer<NDArray> consumer) {
    Evaluation.forEachBatch(
        model,
        data.size(),
        batchSize,
        (batchManager, forward, indices) -> {
          MlmBatch batch = data.batch(batchManager, indices);
          consumer.accept(batch.atMaskedPositions(forward.apply(batch.inputs()).singletonOrThrow()));
        });
  }
}
