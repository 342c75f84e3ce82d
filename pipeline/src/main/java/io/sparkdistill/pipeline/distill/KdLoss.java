package io.sparkdistill.pipeline.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import io.sparkdistill.pipeline.train.Batch;
import io.sparkdistill.pipeline.train.LossParts;
import io.sparkdistill.pipeline.train.StepLoss;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Knowledge-distillation loss (Hinton, Vinyals and Dean 2015):
 *
 * <pre>
 *   loss = (1 - alpha) * CE(y, softmax(z)) + alpha * T^2 * KL(p_T || softmax(z / T))
 * </pre>
 *
 * where {@code z} are the student's logits, {@code y} the hard labels, {@code p_T} the teacher's
 * distribution at temperature {@code T} (from {@link SoftTargets}) and {@code KL(p || q) = sum p
 * (log p - log q)}, with {@code 0 log 0 = 0}. The {@code T^2} keeps the gradient scale of the soft
 * term independent of {@code T}. Both terms are averaged over the batch.
 *
 * <p>From {@code stopStep} on, the loss is the plain cross-entropy: distilling only during the
 * first part of training is what Blakeney et al. (2022) found best for BERT.
 *
 * <p>Parts reported: {@code ce} and {@code kd} (the {@code T^2 KL} term, 0 after the stop).
 *
 * <p>The rows need not be images: {@link #compute(NDArray, NDArray, int[], int)} takes any (rows,
 * classes) logits with their labels and target row ids, e.g. the masked positions of a batch of
 * sequences over the vocabulary (the masked-language-model student).
 */
public final class KdLoss implements StepLoss {
  /** Name of the distillation part. */
  public static final String KD = "kd";

  private final double temperature;
  private final double alpha;
  private final SoftTargets targets;
  private final int stopStep;
  private final Loss crossEntropy = Loss.softmaxCrossEntropyLoss(CE);

  private KdLoss(Builder builder) {
    this.temperature = builder.temperature;
    this.alpha = builder.alpha;
    this.targets = builder.targets;
    this.stopStep = builder.stopStep;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public LossParts compute(NDArray logits, Batch batch, int step) {
    return compute(logits, batch.labels(), batch.indices(), step);
  }

  /**
   * The loss over rows of logits.
   *
   * @param logits (N, classes) student logits, no softmax applied (log-probabilities work too:
   *     both terms are invariant to a per-row shift)
   * @param labels (N) integer class ids
   * @param rows for each row, its id in the {@link SoftTargets} (an example index for images, a
   *     masked-position row for sequences)
   * @param step 0-based training step
   * @return the total and the parts {@code ce} and {@code kd}
   */
  public LossParts compute(NDArray logits, NDArray labels, int[] rows, int step) {
    NDArray ce = crossEntropy.evaluate(new NDList(labels), new NDList(logits));
    NDManager manager = logits.getManager();
    Map<String, NDArray> parts = new LinkedHashMap<>();
    parts.put(CE, ce);
    if (step >= stopStep || alpha == 0) {
      parts.put(KD, manager.zeros(ce.getShape()));
      return new LossParts(ce, parts);
    }
    // Float scalars: a Java double would promote the arrays to float64. They are PyTorch-owned
    // arrays, not NDArray.mul/div(Number): see scalar().
    NDArray logQ = logits.div(scalar(manager, temperature)).logSoftmax(1);
    SoftTargets.Sparse sparse = targets.sparseForBatch(rows, step);
    NDArray kl = sparse != null ? sparseKl(manager, logQ, sparse) : denseKl(manager, logQ, targets.forBatch(rows, step));
    NDArray kd = kl.mul(scalar(manager, temperature * temperature));
    parts.put(KD, kd);
    NDArray total =
        ce.mul(scalar(manager, 1 - alpha)).add(kd.mul(scalar(manager, alpha)));
    return new LossParts(total, parts);
  }

  /** Mean over rows of KL(p || q), p given for every class. */
  private static NDArray denseKl(NDManager manager, NDArray logQ, float[][] teacher) {
    NDArray p = manager.create(teacher);
    // p * log(max(p, tiny)) is 0 where p is 0, which is the limit of p log p.
    NDArray pLogP = p.mul(p.maximum(1e-30f).log());
    return pLogP.sub(p.mul(logQ)).sum(new int[] {1}).mean();
  }

  /**
   * The same KL with p sparse: {@code kept} at the k stored ids, {@code rest} at each of the other
   * C - k classes. {@code sum_c p_c log q_c = sum_kept p_i log q_i + rest * (sum_all log q_c -
   * sum_kept log q_i)}, so the (rows, C) teacher matrix is never built: over a 5,000-token
   * vocabulary that matrix, not the student, was most of a distilled step's extra time.
   */
  private static NDArray sparseKl(NDManager manager, NDArray logQ, SoftTargets.Sparse sparse) {
    int rows = sparse.ids().length;
    long[][] ids = new long[rows][];
    float[] entropy = new float[rows]; // sum_c p_c log p_c, a constant of the teacher
    for (int r = 0; r < rows; r++) {
      int[] row = sparse.ids()[r];
      ids[r] = new long[row.length];
      double sum = 0;
      for (int j = 0; j < row.length; j++) {
        ids[r][j] = row[j];
        sum += xLogX(sparse.kept()[r][j]);
      }
      sum += (double) (sparse.classes() - row.length) * xLogX(sparse.rest()[r]);
      entropy[r] = (float) sum;
    }
    NDArray atKept = logQ.gather(manager.create(ids), 1); // (rows, k)
    NDArray kept = manager.create(sparse.kept());
    NDArray rest = manager.create(sparse.rest());
    NDArray others = logQ.sum(new int[] {1}).sub(atKept.sum(new int[] {1}));
    NDArray cross = kept.mul(atKept).sum(new int[] {1}).add(rest.mul(others));
    return manager.create(entropy).sub(cross).mean();
  }

  private static double xLogX(float p) {
    return p > 0 ? p * Math.log(p) : 0;
  }

  /**
   * A FLOAT32 scalar in memory PyTorch owns. On DJL's PyTorch engine, {@code NDArray.mul(Number)}
   * and {@code div(Number)} (and {@code manager.create(float)}) wrap a Java direct buffer without
   * copying it and close it at once; autograd keeps that scalar for the backward pass, so a GC
   * before {@code backward} frees the memory the gradient is then computed from.
   */
  static NDArray scalar(NDManager manager, double value) {
    return manager.full(new Shape(), (float) value, DataType.FLOAT32);
  }

  /** Builder: {@code set} = required, {@code opt} = optional. */
  public static final class Builder {
    private double temperature = Double.NaN;
    private double alpha = Double.NaN;
    private SoftTargets targets;
    private int stopStep = Integer.MAX_VALUE;

    private Builder() {}

    /** Softening temperature {@code T > 0}; the targets must be at the same temperature. */
    public Builder setTemperature(double temperature) {
      this.temperature = temperature;
      return this;
    }

    /** Weight of the distillation term, in [0, 1]. */
    public Builder setAlpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    public Builder setTargets(SoftTargets targets) {
      this.targets = targets;
      return this;
    }

    /** First step trained on the plain loss (default: never). */
    public Builder optStopStep(int stopStep) {
      this.stopStep = stopStep;
      return this;
    }

    public KdLoss build() {
      if (!(temperature > 0) || Double.isInfinite(temperature)) {
        throw new IllegalArgumentException("temperature must be positive, got " + temperature);
      }
      if (!(alpha >= 0 && alpha <= 1)) {
        throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
      }
      if (targets == null) {
        throw new IllegalArgumentException("targets must be set");
      }
      if (stopStep < 0) {
        throw new IllegalArgumentException("stopStep must be at least 0, got " + stopStep);
      }
      return new KdLoss(this);
    }
  }
}
