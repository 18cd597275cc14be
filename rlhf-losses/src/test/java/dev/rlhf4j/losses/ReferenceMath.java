package dev.rlhf4j.losses;

import java.util.Random;

/**
 * Plain-Java, double-precision implementations of every formula in this module and of their
 * analytic derivatives, written straight from the papers' equations, independent of DJL.
 */
final class ReferenceMath {
  private ReferenceMath() {}

  static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  static double logSigmoid(double x) {
    return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
  }

  /** σ'(x) = σ(x)σ(−x). */
  static double sigmoidPrime(double x) {
    return sigmoid(x) * sigmoid(-x);
  }

  static double[] logSoftmax(double[] row) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : row) {
      sum += Math.exp(v - max);
    }
    double logSum = max + Math.log(sum);
    double[] out = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = row[i] - logSum;
    }
    return out;
  }

  /** Per-sequence sum of completion-token log-probabilities. */
  static double[] sequenceSums(double[][][] logits, long[][] labels, boolean[][] mask) {
    double[] sums = new double[logits.length];
    for (int b = 0; b < logits.length; b++) {
      for (int t = 0; t < logits[b].length; t++) {
        if (mask[b][t]) {
          sums[b] += logSoftmax(logits[b][t])[(int) labels[b][t]];
        }
      }
    }
    return sums;
  }

  static double[] counts(boolean[][] mask) {
    double[] counts = new double[mask.length];
    for (int b = 0; b < mask.length; b++) {
      for (boolean m : mask[b]) {
        counts[b] += m ? 1 : 0;
      }
    }
    return counts;
  }

  /** d sum[b] / d logits[b][t][v] = mask·(1[v = label] − softmax_v). */
  static double[][][] sequenceSumGradient(double[][][] logits, long[][] labels, boolean[][] mask) {
    double[][][] grad = new double[logits.length][][];
    for (int b = 0; b < logits.length; b++) {
      grad[b] = new double[logits[b].length][];
      for (int t = 0; t < logits[b].length; t++) {
        double[] row = new double[logits[b][t].length];
        if (mask[b][t]) {
          double[] logProbs = logSoftmax(logits[b][t]);
          for (int v = 0; v < row.length; v++) {
            row[v] = (v == labels[b][t] ? 1 : 0) - Math.exp(logProbs[v]);
          }
        }
        grad[b][t] = row;
      }
    }
    return grad;
  }

  /** A per-pair loss value and its partial derivatives in c and r. */
  record PairValue(double loss, double dc, double dr) {}

  /** ℓ(c, r) and its derivatives for each variant, from the equations in the Javadoc. */
  static PairValue pair(PreferenceLoss loss, double c, double r) {
    double beta = loss.beta();
    double z = beta * (c - r);
    if (loss instanceof PreferenceLoss.Rpo rpo) {
      return pair(rpo.base(), c, r);
    }
    if (loss instanceof PreferenceLoss.Weighted weighted) {
      double value = 0;
      double dc = 0;
      double dr = 0;
      for (PreferenceLoss.Weighted.Term t : weighted.terms()) {
        PairValue v = pair(t.loss(), c, r);
        value += t.weight() * v.loss();
        dc += t.weight() * v.dc();
        dr += t.weight() * v.dr();
      }
      return new PairValue(value, dc, dr);
    }
    if (loss instanceof PreferenceLoss.Sigmoid s) {
      double e = s.labelSmoothing();
      double value = -(1 - e) * logSigmoid(z) - e * logSigmoid(-z);
      double dz = -(1 - e) * sigmoid(-z) + e * sigmoid(z);
      return new PairValue(value, beta * dz, -beta * dz);
    }
    if (loss instanceof PreferenceLoss.Robust s) {
      double e = s.labelSmoothing();
      double value = (-(1 - e) * logSigmoid(z) + e * logSigmoid(-z)) / (1 - 2 * e);
      double dz = (-(1 - e) * sigmoid(-z) - e * sigmoid(z)) / (1 - 2 * e);
      return new PairValue(value, beta * dz, -beta * dz);
    }
    if (loss instanceof PreferenceLoss.Hinge) {
      double dz = z < 1 ? -1 : 0;
      return new PairValue(Math.max(0, 1 - z), beta * dz, -beta * dz);
    }
    if (loss instanceof PreferenceLoss.Ipo) {
      double h = c - r - 1 / (2 * beta);
      return new PairValue(h * h, 2 * h, -2 * h);
    }
    if (loss instanceof PreferenceLoss.SppoHard) {
      double a = c - 0.5 / beta;
      double b = r + 0.5 / beta;
      return new PairValue(a * a + b * b, 2 * a, 2 * b);
    }
    if (loss instanceof PreferenceLoss.NcaPair) {
      double bc = beta * c;
      double br = beta * r;
      double value = -logSigmoid(bc) - 0.5 * logSigmoid(-bc) - 0.5 * logSigmoid(-br);
      double dc = beta * (-sigmoid(-bc) + 0.5 * sigmoid(bc));
      double dr = beta * 0.5 * sigmoid(br);
      return new PairValue(value, dc, dr);
    }
    if (loss instanceof PreferenceLoss.BcoPair bco) {
      double u = beta * c - bco.delta();
      double w = beta * r - bco.delta();
      double value = -logSigmoid(u) - logSigmoid(-w);
      return new PairValue(value, -beta * sigmoid(-u), beta * sigmoid(w));
    }
    if (loss instanceof PreferenceLoss.ApoZero) {
      double value = 1 - sigmoid(beta * c) + sigmoid(beta * r);
      return new PairValue(value, -beta * sigmoidPrime(beta * c), beta * sigmoidPrime(beta * r));
    }
    if (loss instanceof PreferenceLoss.ApoDown) {
      double value = sigmoid(beta * c) + 1 - sigmoid(z);
      double dc = beta * sigmoidPrime(beta * c) - beta * sigmoidPrime(z);
      return new PairValue(value, dc, beta * sigmoidPrime(z));
    }
    if (loss instanceof PreferenceLoss.DiscoPop d) {
      double tau = d.tau();
      double m = sigmoid(z / tau);
      double mPrime = sigmoidPrime(z / tau) / tau;
      double value = -logSigmoid(z) * (1 - m) + Math.exp(-z) * m;
      double dz = -sigmoid(-z) * (1 - m) + logSigmoid(z) * mPrime
          - Math.exp(-z) * m + Math.exp(-z) * mPrime;
      return new PairValue(value, beta * dz, -beta * dz);
    }
    if (loss instanceof PreferenceLoss.ExoPair exo) {
      double e = exo.epsilon();
      double value = sigmoid(z) * (logSigmoid(z) - Math.log(1 - e))
          + sigmoid(-z) * (logSigmoid(-z) - Math.log(e));
      double dz = sigmoidPrime(z) * (z - Math.log((1 - e) / e));
      return new PairValue(value, beta * dz, -beta * dz);
    }
    if (loss instanceof PreferenceLoss.SigmoidNorm) {
      double dz = -sigmoid(-z);
      return new PairValue(-logSigmoid(z), beta * dz, -beta * dz);
    }
    throw new AssertionError("no reference for " + loss);
  }

  /** The batch loss and its gradient in the policy's chosen and rejected log-probabilities. */
  record BatchValue(double loss, double[] dPolicyChosen, double[] dPolicyRejected) {}

  static BatchValue batch(PreferenceLoss loss, Batch batch) {
    int n = batch.size();
    boolean tokenMean = loss.reduction() == PreferenceLoss.Reduction.TOKEN_MEAN;
    double total = 0;
    double[] dChosen = new double[n];
    double[] dRejected = new double[n];
    for (int i = 0; i < n; i++) {
      double scaleC = tokenMean ? 1 / batch.chosenCounts[i] : 1;
      double scaleR = tokenMean ? 1 / batch.rejectedCounts[i] : 1;
      double c = (batch.policyChosen[i] - batch.referenceChosen[i]) * scaleC;
      double r = (batch.policyRejected[i] - batch.referenceRejected[i]) * scaleR;
      PairValue value = pair(loss, c, r);
      total += value.loss() / n;
      dChosen[i] = value.dc() * scaleC / n;
      dRejected[i] = value.dr() * scaleR / n;
    }
    if (loss instanceof PreferenceLoss.Rpo rpo) {
      double w = rpo.nllWeight();
      for (int i = 0; i < n; i++) {
        total += w * (-batch.policyChosen[i] / batch.chosenCounts[i]) / n;
        dChosen[i] += -w / (batch.chosenCounts[i] * n);
      }
    }
    return new BatchValue(total, dChosen, dRejected);
  }

  /** Host values of one batch of pairs. */
  record Batch(
      double[] policyChosen,
      double[] policyRejected,
      double[] referenceChosen,
      double[] referenceRejected,
      double[] chosenCounts,
      double[] rejectedCounts) {
    int size() {
      return policyChosen.length;
    }

    /** Log-probabilities like a real model's: about −1 nat per token, with noise. */
    static Batch random(Random random, int n) {
      double[] pc = new double[n];
      double[] pr = new double[n];
      double[] rc = new double[n];
      double[] rr = new double[n];
      double[] nc = new double[n];
      double[] nr = new double[n];
      for (int i = 0; i < n; i++) {
        nc[i] = 1 + random.nextInt(20);
        nr[i] = 1 + random.nextInt(20);
        rc[i] = -nc[i] * (0.5 + random.nextDouble());
        rr[i] = -nr[i] * (0.5 + random.nextDouble());
        pc[i] = rc[i] + 4 * random.nextGaussian();
        pr[i] = rr[i] + 4 * random.nextGaussian();
      }
      return new Batch(pc, pr, rc, rr, nc, nr);
    }

    Batch select(int[] rows) {
      return new Batch(
          pick(policyChosen, rows),
          pick(policyRejected, rows),
          pick(referenceChosen, rows),
          pick(referenceRejected, rows),
          pick(chosenCounts, rows),
          pick(rejectedCounts, rows));
    }

    Batch swapped() {
      return new Batch(
          policyRejected,
          policyChosen,
          referenceRejected,
          referenceChosen,
          rejectedCounts,
          chosenCounts);
    }

    private static double[] pick(double[] values, int[] rows) {
      double[] out = new double[rows.length];
      for (int i = 0; i < rows.length; i++) {
        out[i] = values[rows[i]];
      }
      return out;
    }
  }
}
