package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.datasets.text.Masking;
import io.sparkdistill.datasets.text.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A language with learnable structure for MLM tests: {@code [CLS] t1 .. t14 [SEP]} where t1 is
 * random and each next token is {@code f(previous)}, f a fixed permutation of the learned ids, so a
 * masked token follows from either neighbour. Masked with the project's {@link Masking} (BERT's 15
 * %, 80/10/10): two positions per sequence.
 */
final class SyntheticLanguage {
  static final int VOCABULARY = 50;
  static final int LENGTH = 16;
  static final int LEARNED = VOCABULARY - Vocabulary.FIRST_LEARNED_ID;

  private SyntheticLanguage() {}

  /** The successor of learned token {@code t}: a permutation (7 is prime to 45). */
  static int next(int t) {
    return Vocabulary.FIRST_LEARNED_ID + ((t - Vocabulary.FIRST_LEARNED_ID) * 7 + 3) % LEARNED;
  }

  /** {@code n} masked sequences; {@code seed} draws the first tokens and the masking. */
  static MlmData generate(int n, long seed) {
    Random random = new Random(seed);
    Masking masking = new Masking(Masking.Options.bert(seed), VOCABULARY);
    List<Masking.Masked> views = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int[] ids = new int[LENGTH];
      ids[0] = Vocabulary.CLS_ID;
      ids[1] = Vocabulary.FIRST_LEARNED_ID + random.nextInt(LEARNED);
      for (int p = 2; p < LENGTH - 1; p++) {
        ids[p] = next(ids[p - 1]);
      }
      ids[LENGTH - 1] = Vocabulary.SEP_ID;
      views.add(masking.mask("s" + seed + "-" + i, 0, ids));
    }
    return MlmData.of(views);
  }
}
