package dev.rlhf4j.iterative.internal;

import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.io.Fingerprint;
import dev.rlhf4j.iterative.run.RunLayout;
import dev.rlhf4j.iterative.run.RunSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of a run in {@code run.json}, by content, and the check of a resumed run against them.
 *
 * <p>The initial policy π0 (also the DPO reference under {@code ReferencePolicy.INITIAL}) is
 * recorded as one entry per file, {@code initial_policy/<file>: "sha256:<hex>, <n> bytes"}
 * ({@link Fingerprint#ofPath}); a reward or preference model as its class name under {@code
 * reward_model} / {@code preference_model} and its {@link
 * dev.rlhf4j.api.feedback.RewardModel#fingerprint() fingerprint} parts under {@code reward_model/}
 * / {@code preference_model/}. A model without a fingerprint is recorded by its description with
 * {@code <name>/unverified}, and a warning is logged. The offline pairs and the prompts are already
 * recorded as content hashes. Entries under {@code info/} (where π0 was, each model's {@code
 * toString()}) are written for people and not compared, so a run whose directory or models moved
 * still resumes while a model whose files changed does not.
 */
final class RunManifest {
  /** The run.json format that records models by content. */
  static final String FORMAT = "rlhf4j-run/2";

  /** The format before, which recorded π0 by absolute path and models by description. */
  static final String FORMAT_1 = "rlhf4j-run/1";

  /** Where {@link #upgradeFile} is offered for a format-1 run.json. */
  static final String UPGRADE_FILE = RunLayout.RUN_JSON + ".new";

  private static final String INFO = "info/";
  private static final Set<String> FORMAT_1_MODEL_KEYS =
      Set.of("format", "initial_policy", "reward_model", "preference_model");
  private static final Logger LOG = LoggerFactory.getLogger("dev.rlhf4j.iterative");

  private RunManifest() {}

  /**
   * The entries of {@code run.json} that identify the run's models (see the class documentation).
   * Hashes every file of π0 and, on their first call, the models' files.
   *
   * @throws IllegalArgumentException if π0 does not exist or holds no file
   * @throws Rlhf4jException if a file cannot be read
   */
  static Map<String, String> models(LoopSpec spec, Path runDirectory) {
    Map<String, String> out = new LinkedHashMap<>();
    long start = System.nanoTime();
    Fingerprint policy;
    try {
      policy = Fingerprint.ofPath(spec.initialPolicy());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("initialPolicy: " + e.getMessage(), e);
    }
    policy.parts().forEach((name, value) -> out.put("initial_policy/" + name, value));
    model(out, "reward_model", spec.rewardModel().orElse(null),
        spec.rewardModel().flatMap(m -> m.fingerprint()));
    model(out, "preference_model", spec.preferenceModel().orElse(null),
        spec.preferenceModel().flatMap(m -> m.fingerprint()));
    out.put(INFO + "initial_policy", location(spec.initialPolicy(), runDirectory));
    spec.rewardModel().ifPresent(m -> out.put(INFO + "reward_model", m.toString()));
    spec.preferenceModel().ifPresent(m -> out.put(INFO + "preference_model", m.toString()));
    LOG.debug("fingerprinted the models in {} ms", (System.nanoTime() - start) / 1_000_000);
    return out;
  }

  private static void model(
      Map<String, String> out, String key, Object model, Optional<Fingerprint> fingerprint) {
    if (model == null) {
      out.put(key, "none");
    } else if (fingerprint.isPresent()) {
      out.put(key, model.getClass().getName());
      fingerprint.get().parts().forEach((name, value) -> out.put(key + "/" + name, value));
    } else {
      out.put(key, Describe.component(model));
      out.put(key + "/unverified", "it has no fingerprint(): a changed model is not detected");
      LOG.warn(
          "the {} {} has no fingerprint(), so resuming this run cannot detect that it was"
              + " replaced; implement fingerprint() (e.g. Fingerprint.ofPath of its files)",
          key.replace('_', ' '),
          Describe.component(model));
    }
  }

  /** {@code path} relative to the run directory when inside it, otherwise as given. */
  static String location(Path path, Path runDirectory) {
    Path absolute = path.toAbsolutePath().normalize();
    Path root = runDirectory.toAbsolutePath().normalize();
    if (absolute.startsWith(root) && !absolute.equals(root)) {
      return slashes(root.relativize(absolute));
    }
    return path.toString();
  }

  static String slashes(Path relative) {
    StringBuilder out = new StringBuilder();
    for (Path name : relative) {
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(name);
    }
    return out.toString();
  }

  /**
   * The compared settings that differ between {@code now} and {@code recorded}, one line each
   * ({@link RunSettings#differencesFrom}), {@code info/} entries left out.
   *
   * @throws Rlhf4jException if {@code recorded} is of format 1 (see {@link #checkFormat})
   */
  static List<String> differences(RunLayout layout, RunSettings now, RunSettings recorded) {
    checkFormat(layout, now, recorded);
    return compared(now).differencesFrom(compared(recorded));
  }

  /** A hint for the message when a model's entries differ, or "". */
  static String hint(List<String> differences) {
    boolean models =
        differences.stream()
            .anyMatch(
                d ->
                    d.startsWith("initial_policy/")
                        || d.startsWith("reward_model/")
                        || d.startsWith("preference_model/"));
    return models
        ? "\nThe initial_policy/, reward_model/ and preference_model/ entries are the SHA-256 of"
            + " the models' files and their settings: the model given now is not the one the run"
            + " started with. Put the original back, or start the run in another directory."
        : "";
  }

  private static RunSettings compared(RunSettings settings) {
    Map<String, String> out = new LinkedHashMap<>(settings.values());
    out.keySet().removeIf(k -> k.startsWith(INFO));
    return new RunSettings(out);
  }

  /**
   * Refuses a {@code run.json} of format 1, which recorded π0 by path and the models by
   * description: nothing says that the files there now are the ones the run started with. When
   * every other setting matches, writes {@value #UPGRADE_FILE} with today's entries next to it and
   * says how to accept it.
   */
  private static void checkFormat(RunLayout layout, RunSettings now, RunSettings recorded) {
    if (!FORMAT_1.equals(recorded.values().get("format"))) {
      return;
    }
    Map<String, String> before = new LinkedHashMap<>(recorded.values());
    before.keySet().removeAll(FORMAT_1_MODEL_KEYS);
    Map<String, String> after = new LinkedHashMap<>(compared(now).values());
    after.keySet().removeIf(k -> FORMAT_1_MODEL_KEYS.contains(k)
        || k.startsWith("initial_policy/") || k.startsWith("reward_model/")
        || k.startsWith("preference_model/"));
    List<String> other = new RunSettings(after).differencesFrom(new RunSettings(before));
    String why =
        layout.runJson() + " was written by an earlier rlhf4j (format " + FORMAT_1 + "), which"
            + " recorded the initial policy by path (" + recorded.values().get("initial_policy")
            + ") and the models by description, so this version cannot check that they are the"
            + " ones the run started with.";
    if (!other.isEmpty()) {
      throw new Rlhf4jException(
          why + " Besides, the run was created with other settings:\n  "
              + String.join("\n  ", other)
              + "\nUse another run directory, or run with the recorded settings.");
    }
    Path upgrade = layout.root().resolve(UPGRADE_FILE);
    RunFiles.writeSettings(upgrade, now.values());
    throw new Rlhf4jException(
        why + " If the initial policy at " + now.values().get(INFO + "initial_policy")
            + " and the reward or preference model are the ones it started with, replace "
            + RunLayout.RUN_JSON + " with " + upgrade + " (written just now, with their"
            + " fingerprints) and run again; otherwise start the run in another directory.");
  }
}
