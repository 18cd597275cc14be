package dev.rlhf4j.training.optim;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.training.optim.internal.OptimizerStateFiles;
import dev.rlhf4j.training.optim.internal.OptimizerStateFiles.Hyperparameters;
import dev.rlhf4j.training.optim.internal.OptimizerStateFiles.Moments;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter, "Decoupled Weight Decay
 * Regularization", 2019) on DJL {@link NDArray}s, with PyTorch's {@code torch.optim.AdamW}
 * update rule, two parameter groups and a state that can be saved and restored for an exact
 * resume.
 *
 * <p>At optimizer step {@code t} (1-based) with learning rate {@code lr = schedule.at(t − 1)},
 * gradient {@code g} and weight decay {@code λ} (0 for the {@link ParameterGroups no-decay
 * group}):
 *
 * <pre>
 *   p ← p · (1 − lr · λ)
 *   m ← β₁ · m + (1 − β₁) · g
 *   v ← β₂ · v + (1 − β₂) · g²
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * <p>{@link #step} takes the parameters as named {@code NDArray}s (Hugging Face tensor names) that
 * require gradients, reads each one's {@link NDArray#getGradient() gradient}, updates the
 * parameter in place and sets the gradient to zero, ready for the next accumulation (DJL's
 * gradient collectors never zero gradients; see the package documentation). Call it after the
 * {@link ai.djl.training.GradientCollector} of the last micro-batch is closed, and clip first with
 * {@link GradientClipping} if wanted.
 *
 * <p>The moments {@code m} and {@code v} are float32 arrays owned by this optimizer's own
 * {@link NDManager}, on each parameter's device. The update runs in place, using the gradient
 * (about to be zeroed) as scratch space, so that a step allocates two parameter-sized temporaries
 * per parameter rather than six; each step's temporaries are closed before {@code step} returns,
 * so the number of live native arrays stays flat. {@link
 * #close()} frees the moments.
 *
 * <p>Not thread-safe: one training thread drives an optimizer.
 */
public final class AdamW implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdamW.class);
  private static final NDIndex ALL = new NDIndex(":");

  private final LearningRateSchedule schedule;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private final ParameterGroups parameterGroups;
  private final NDManager manager;
  private final Map<String, ParameterState> states = new LinkedHashMap<>();
  private long stepCount;
  private boolean closed;

  private AdamW(Builder builder) {
    this.schedule = builder.schedule;
    this.beta1 = builder.beta1;
    this.beta2 = builder.beta2;
    this.epsilon = builder.epsilon;
    this.weightDecay = builder.weightDecay;
    this.parameterGroups = builder.parameterGroups;
    this.manager = NDManager.newBaseManager();
    this.manager.setName("AdamW state");
  }

  /**
   * A builder with PyTorch's defaults (β₁ 0.9, β₂ 0.999, ε 1e-8), weight decay 0 (the Hugging
   * Face Trainer's and TRL's default; PyTorch's {@code AdamW} class defaults to 0.01) and the
   * {@link ParameterGroups#defaults() default groups}.
   *
   * @param schedule the learning rate at each step
   * @return the builder
   * @throws IllegalArgumentException if {@code schedule} is null
   */
  public static Builder builder(LearningRateSchedule schedule) {
    return new Builder(schedule);
  }

  /** A builder holding this optimizer's settings (not its state). */
  public Builder toBuilder() {
    return new Builder(schedule)
        .betas(beta1, beta2)
        .epsilon(epsilon)
        .weightDecay(weightDecay)
        .parameterGroups(parameterGroups);
  }

  /**
   * Takes one optimizer step: updates every parameter in place from its gradient, then zeroes the
   * gradients.
   *
   * <p>Every step must see the same parameter names with the same shapes (the first step, or the
   * restored state, fixes them), because the bias correction counts steps for all parameters
   * together. A parameter that no backward pass reached counts as having a zero gradient (its
   * moments decay and it keeps moving); PyTorch would skip it.
   *
   * @param parameters the trainable parameters by tensor name: float32 arrays that {@linkplain
   *     NDArray#hasGradient() require gradients}
   * @return the learning rate this step used, {@code schedule.at(stepCount())} before the step
   * @throws IllegalArgumentException if {@code parameters} is empty, a parameter is not float32 or
   *     does not require gradients, or the names or shapes differ from the first step's
   * @throws IllegalStateException if the optimizer is closed or the schedule gives a learning rate
   *     that is negative or not finite
   */
  public double step(Map<String, NDArray> parameters) {
    checkState(!closed, "this AdamW is closed; build a new one");
    checkParameters(parameters);
    double learningRate = schedule.at(stepCount);
    checkState(
        learningRate >= 0 && Double.isFinite(learningRate),
        "the schedule gave learning rate %s at step %s; it must be finite and >= 0",
        Double.valueOf(learningRate),
        stepCount);
    long t = stepCount + 1;
    double stepSize = learningRate / (1 - Math.pow(beta1, t));
    double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    // the step's scalar operands, made once per device rather than once per parameter and
    // operation (DJL turns every scalar operand into a native array backed by a direct buffer)
    try (NDManager constants = manager.newSubManager()) {
      Map<Device, Scalars> scalars = new HashMap<>();
      for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
        NDArray parameter = entry.getValue();
        Scalars s =
            scalars.computeIfAbsent(
                parameter.getDevice(),
                device ->
                    Scalars.of(
                        constants, device, learningRate, stepSize, biasCorrection2Sqrt, this));
        update(parameter, states.get(entry.getKey()), s, learningRate);
      }
    }
    stepCount = t;
    return learningRate;
  }

  /** The scalar operands of one step on one device. */
  private record Scalars(
      NDArray decay,
      NDArray beta1,
      NDArray oneMinusBeta1,
      NDArray beta2,
      NDArray rescale,
      NDArray epsilon,
      NDArray stepSize,
      NDArray zero) {

    static Scalars of(
        NDManager constants,
        Device device,
        double learningRate,
        double stepSize,
        double biasCorrection2Sqrt,
        AdamW adamW) {
      NDManager on = constants.newSubManager(device);
      double b1 = adamW.beta1;
      double b2 = adamW.beta2;
      return new Scalars(
          on.create(1 - learningRate * adamW.weightDecay),
          on.create(b1),
          on.create(1 - b1),
          on.create(b2),
          // g ← g² · (1 − β₂)/(1 − β₁)² turns g = (1 − β₁)·g₀ into (1 − β₂)·g₀²
          on.create((1 - b2) / ((1 - b1) * (1 - b1))),
          // p ← p − (stepSize·c₂) · m / (√v + ε·c₂) with c₂ = √(1 − β₂ᵗ) is the same as
          // p − stepSize · m / (√v / c₂ + ε), with one pass fewer
          on.create(adamW.epsilon * biasCorrection2Sqrt),
          on.create(stepSize * biasCorrection2Sqrt),
          on.create(0f));
    }
  }

  private void update(
      NDArray parameter, ParameterState state, Scalars scalars, double learningRate) {
    NDArray m = state.moving(parameter).expAvg;
    NDArray v = state.expAvgSq;
    // Every handle is closed right here rather than in a sub-manager per parameter: a step then
    // creates a handful of Java objects per parameter, not a manager, and the garbage a step
    // leaves behind (which drives the JVM's heap sizing) stays small.
    // A detached view shares the parameter's storage; updating it in place is legal whatever
    // the thread's grad mode, whereas PyTorch refuses in-place updates of a leaf that requires
    // gradients while grad mode is on.
    try (NDArray gradient = parameter.getGradient();
        NDArray weight = parameter.stopGradient()) {
      if (state.decay && weightDecay > 0 && learningRate > 0) {
        weight.muli(scalars.decay());
      }
      // The gradient is zeroed at the end of the step, so it doubles as scratch space: every
      // full-size temporary avoided here is a fresh allocation (for the embedding and LM head,
      // tens of MB the C library maps and the kernel zeroes page by page) on every step.
      // g ← (1 − β₁)·g; m ← β₁·m + g
      m.muli(scalars.beta1()).addi(gradient.muli(scalars.oneMinusBeta1()));
      // g ← (1 − β₂)·g₀²; v ← β₂·v + g
      v.muli(scalars.beta2()).addi(gradient.muli(gradient).muli(scalars.rescale()));
      try (NDArray denominator = v.sqrt().addi(scalars.epsilon());
          NDArray change = m.div(denominator)) {
        weight.subi(change.muli(scalars.stepSize()));
      }
      fill(gradient, scalars.zero());
    }
  }

  private void checkParameters(Map<String, NDArray> parameters) {
    checkArgument(
        parameters != null && !parameters.isEmpty(), "parameters must name at least one array");
    for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
      String name = entry.getKey();
      NDArray parameter = entry.getValue();
      checkArgument(parameter != null, "parameter %s is null", name);
      checkArgument(
          parameter.getDataType() == DataType.FLOAT32,
          "parameter %s is %s; AdamW updates float32 parameters only",
          name,
          parameter.getDataType());
      checkArgument(
          parameter.hasGradient(),
          "parameter %s does not require gradients: call setRequiresGradient(true) on it, or leave"
              + " frozen parameters out of the map",
          name);
    }
    if (states.isEmpty()) {
      for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
        NDArray parameter = entry.getValue();
        Shape shape = parameter.getShape();
        boolean decay = !parameterGroups.noDecay(entry.getKey(), shape);
        NDArray m = manager.zeros(shape, DataType.FLOAT32, parameter.getDevice());
        NDArray v = manager.zeros(shape, DataType.FLOAT32, parameter.getDevice());
        states.put(entry.getKey(), new ParameterState(decay, m, v));
      }
      return;
    }
    if (!states.keySet().equals(parameters.keySet())) {
      TreeSet<String> missing = new TreeSet<>(states.keySet());
      missing.removeAll(parameters.keySet());
      TreeSet<String> unknown = new TreeSet<>(parameters.keySet());
      unknown.removeAll(states.keySet());
      throw new IllegalArgumentException(
          String.format(
              "parameters must be the same at every step; missing %s, unknown %s",
              missing, unknown));
    }
    for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
      Shape expected = states.get(entry.getKey()).expAvg.getShape();
      checkArgument(
          expected.equals(entry.getValue().getShape()),
          "parameter %s has shape %s but the optimizer state has %s",
          entry.getKey(),
          entry.getValue().getShape(),
          expected);
    }
  }

  /**
   * Sets the gradient of each parameter to zero, in place, so that the next backward pass starts
   * from zero; {@link #step} does this itself. Non-finite gradients are cleared too (a fill, where
   * {@code g − g} and {@code 0 · g} would leave NaN).
   *
   * @param parameters arrays that require gradients
   * @throws IllegalArgumentException if a parameter is null or does not require gradients
   */
  public static void zeroGradients(Collection<NDArray> parameters) {
    checkArgument(parameters != null, "parameters must not be null");
    for (NDArray parameter : parameters) {
      checkArgument(parameter != null, "parameters must not contain null");
      checkArgument(
          parameter.hasGradient(), "parameter %s does not require gradients", parameter.getName());
      try (NDArray gradient = parameter.getGradient()) {
        zero(gradient);
      }
    }
  }

  private static void zero(NDArray gradient) {
    // a fill costs one pass where pow costs several; the scalar is closed here because DJL's
    // set(index, Number) would leave its own in the gradient's manager
    try (NDArray zero = gradient.getManager().create(0f)) {
      fill(gradient, zero);
    }
  }

  /** Sets every element of {@code gradient} to the scalar {@code zero}, NaN and ±∞ included. */
  private static void fill(NDArray gradient, NDArray zero) {
    if (gradient.getShape().dimension() == 0) {
      gradient.powi(0f).subi(1f);
    } else {
      gradient.set(ALL, zero);
    }
  }

  /**
   * Writes the optimizer state (step count, hyperparameters, and each parameter's moments and
   * group) into {@code directory}, atomically; see {@link OptimizerStateFiles} for the format. The
   * parameters themselves are not written: save them with the model.
   *
   * @param directory the state directory; created if missing, a state already there is replaced
   * @throws IllegalStateException if the optimizer is closed or has not taken a step yet
   * @throws UncheckedIOException if the files cannot be written
   */
  public void saveState(Path directory) {
    checkState(!closed, "this AdamW is closed; build a new one");
    checkArgument(directory != null, "directory must not be null");
    checkState(!states.isEmpty(), "there is no state to save before the first step");
    List<Moments> moments = new ArrayList<>(states.size());
    states.forEach((name, s) -> moments.add(new Moments(name, s.decay, s.expAvg, s.expAvgSq)));
    OptimizerStateFiles.write(directory, stepCount, hyperparameters(), moments);
    LOG.debug("saved AdamW state at step {} to {}", stepCount, directory);
  }

  /**
   * Restores a state written by {@link #saveState}: the step count and each parameter's moments.
   * Together with the saved parameters and the same schedule, the next steps give bit for bit the
   * parameters of an uninterrupted run. The moments are created on the default device and moved
   * to each parameter's device at the first step.
   *
   * <p>Logs a warning when the saved β₁, β₂, ε or weight decay differ from this optimizer's, or
   * when this optimizer's {@link ParameterGroups} put a parameter in another group than the saved
   * state: the run then continues, but not exactly as it would have.
   *
   * @param directory the state directory
   * @throws IllegalStateException if the optimizer is closed or has already taken a step
   * @throws UncheckedIOException if the files cannot be read
   * @throws Rlhf4jException if the directory holds no valid state or the state is damaged
   */
  public void loadState(Path directory) {
    checkState(!closed, "this AdamW is closed; build a new one");
    checkArgument(directory != null, "directory must not be null");
    checkState(
        states.isEmpty() && stepCount == 0,
        "loadState must be called on a fresh AdamW, but this one has taken %s steps",
        stepCount);
    OptimizerStateFiles.State state = OptimizerStateFiles.read(directory, manager);
    if (!state.hyperparameters().equals(hyperparameters())) {
      LOG.warn(
          "optimizer state in {} was saved with {} but this AdamW has {}: the run will not"
              + " continue exactly",
          directory,
          state.hyperparameters(),
          hyperparameters());
    }
    for (Moments m : state.moments()) {
      boolean decay = !parameterGroups.noDecay(m.name(), m.expAvg().getShape());
      if (decay != m.decay()) {
        LOG.warn(
            "parameter {} was saved {} weight decay but these parameter groups give it {}",
            m.name(),
            m.decay() ? "with" : "without",
            decay ? "decay" : "none");
      }
      states.put(m.name(), new ParameterState(decay, m.expAvg(), m.expAvgSq()));
    }
    stepCount = state.step();
    LOG.debug("restored AdamW state at step {} from {}", stepCount, directory);
  }

  private Hyperparameters hyperparameters() {
    return new Hyperparameters(beta1, beta2, epsilon, weightDecay);
  }

  /** Optimizer steps taken (restored ones included). */
  public long stepCount() {
    return stepCount;
  }

  /**
   * The learning rate the next step will use: {@code schedule().at(stepCount())}. Read right after
   * step k, it is what the Hugging Face Trainer logs as {@code learning_rate} for step k (the
   * scheduler has already advanced when it logs); {@link #step} returns the rate actually used.
   */
  public double learningRate() {
    return schedule.at(stepCount);
  }

  /** The learning-rate schedule. */
  public LearningRateSchedule schedule() {
    return schedule;
  }

  /** β₁, the decay of the first moment. */
  public double beta1() {
    return beta1;
  }

  /** β₂, the decay of the second moment. */
  public double beta2() {
    return beta2;
  }

  /** ε, added to the denominator. */
  public double epsilon() {
    return epsilon;
  }

  /** The decoupled weight decay λ of the decay group. */
  public double weightDecay() {
    return weightDecay;
  }

  /** The rule that splits parameters into the decay and no-decay groups. */
  public ParameterGroups parameterGroups() {
    return parameterGroups;
  }

  /**
   * Whether the named parameter is in the decay group; known once a step has seen it or a state
   * was restored.
   *
   * @param name a parameter's tensor name
   * @return {@code true} for the decay group
   * @throws IllegalArgumentException if the optimizer has no state for {@code name}
   */
  public boolean decays(String name) {
    ParameterState state = states.get(name);
    checkArgument(state != null, "the optimizer has no state for parameter %s", name);
    return state.decay;
  }

  /** Frees the moments. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      states.clear();
      manager.close();
    }
  }

  @Override
  public String toString() {
    return String.format(
        "AdamW{schedule=%s, betas=(%s, %s), epsilon=%s, weightDecay=%s, step=%s}",
        schedule, beta1, beta2, epsilon, weightDecay, stepCount);
  }

  /** One parameter's group and moments; the moments belong to the optimizer's manager. */
  private static final class ParameterState {
    final boolean decay;
    NDArray expAvg;
    NDArray expAvgSq;

    ParameterState(boolean decay, NDArray expAvg, NDArray expAvgSq) {
      this.decay = decay;
      this.expAvg = expAvg;
      this.expAvgSq = expAvgSq;
    }

    /** Moves the moments to the parameter's device if they are elsewhere (after a restore). */
    ParameterState moving(NDArray parameter) {
      if (!expAvg.getDevice().equals(parameter.getDevice())) {
        NDArray m = expAvg.toDevice(parameter.getDevice(), true);
        NDArray v = expAvgSq.toDevice(parameter.getDevice(), true);
        expAvg.close();
        expAvgSq.close();
        expAvg = m;
        expAvgSq = v;
      }
      return this;
    }
  }

  /** Builds an {@link AdamW}; each setter checks its own value. Not thread-safe. */
  public static final class Builder {
    private final LearningRateSchedule schedule;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double epsilon = 1e-8;
    private double weightDecay = 0.0;
    private ParameterGroups parameterGroups = ParameterGroups.defaults();

    private Builder(LearningRateSchedule schedule) {
      checkArgument(schedule != null, "schedule must not be null");
      this.schedule = schedule;
    }

    /**
     * The decay rates of the first and second moments; default (0.9, 0.999).
     *
     * @param beta1 β₁, in [0, 1)
     * @param beta2 β₂, in [0, 1)
     * @return this builder
     * @throws IllegalArgumentException if a beta is outside [0, 1)
     */
    public Builder betas(double beta1, double beta2) {
      checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1) but was %s", beta1);
      checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1) but was %s", beta2);
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    /**
     * The term added to the denominator; default 1e-8.
     *
     * @param epsilon ε, finite and &gt; 0
     * @return this builder
     * @throws IllegalArgumentException if {@code epsilon} is not a finite number &gt; 0
     */
    public Builder epsilon(double epsilon) {
      checkArgument(
          epsilon > 0 && Double.isFinite(epsilon),
          "epsilon must be a finite number > 0 but was %s",
          epsilon);
      this.epsilon = epsilon;
      return this;
    }

    /**
     * The decoupled weight decay λ of the decay group: each step multiplies those parameters by
     * {@code 1 − lr · λ}; default 0.
     *
     * @param weightDecay λ, finite and ≥ 0
     * @return this builder
     * @throws IllegalArgumentException if {@code weightDecay} is not a finite number ≥ 0
     */
    public Builder weightDecay(double weightDecay) {
      checkArgument(
          weightDecay >= 0 && Double.isFinite(weightDecay),
          "weightDecay must be a finite number >= 0 but was %s",
          weightDecay);
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * Which parameters are exempt from weight decay; default {@link ParameterGroups#defaults()}.
     *
     * @param parameterGroups the rule
     * @return this builder
     * @throws IllegalArgumentException if {@code parameterGroups} is null
     */
    public Builder parameterGroups(ParameterGroups parameterGroups) {
      checkArgument(parameterGroups != null, "parameterGroups must not be null");
      this.parameterGroups = parameterGroups;
      return this;
    }

    /**
     * Builds the optimizer; it opens its own {@link NDManager} on the default engine and device.
     *
     * @return a new optimizer; close it to free its state
     */
    public AdamW build() {
      return new AdamW(this);
    }
  }
}
