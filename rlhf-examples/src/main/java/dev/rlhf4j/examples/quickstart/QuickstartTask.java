package dev.rlhf4j.examples.quickstart;

import dev.rlhf4j.api.GeneratedSample;
import dev.rlhf4j.api.PreferencePair;
import dev.rlhf4j.api.Prompt;
import dev.rlhf4j.api.feedback.PreferenceModel;
import dev.rlhf4j.api.feedback.RewardModel;
import dev.rlhf4j.examples.sorting.SortingTask;
import dev.rlhf4j.examples.synthetic.Demonstration;
import dev.rlhf4j.examples.synthetic.SyntheticTask;
import dev.rlhf4j.iterative.train.SftExample;
import dev.rlhf4j.models.config.ModelConfig;
import java.nio.file.Path;
import java.util.List;

/** What the quickstart needs of a built-in task: one view over both of them. */
interface QuickstartTask {
  /** The task's tokenizer, written into {@code dir}. */
  Path writeTokenizer(Path dir);

  /** The policy's configuration. */
  ModelConfig modelConfig();

  /** {@code n} training prompts. */
  List<Prompt> trainPrompts(int n);

  /** {@code n} held-out prompts. */
  List<Prompt> heldOutPrompts(int n);

  /** {@code n} demonstrations. */
  List<SftExample> sftExamples(int n);

  /** {@code n} offline, labelled, unscored pairs. */
  List<PreferencePair> offlinePreferences(int n);

  /** The gold reward (evaluation only). */
  RewardModel goldReward();

  /** The simulated labeller that labelled the offline pairs. */
  PreferenceModel labeller();

  /** The mean gold reward of every response. */
  double meanGoldReward(List<GeneratedSample> samples);

  /** The gold win rate against {@code baseline}, ties ½. */
  double goldWinRate(List<GeneratedSample> policy, List<GeneratedSample> baseline);

  /** The list task. */
  static QuickstartTask of(SyntheticTask task) {
    return new QuickstartTask() {
      @Override
      public Path writeTokenizer(Path dir) {
        return task.writeTokenizer(dir);
      }

      @Override
      public ModelConfig modelConfig() {
        return task.modelConfig();
      }

      @Override
      public List<Prompt> trainPrompts(int n) {
        return task.trainPrompts(n);
      }

      @Override
      public List<Prompt> heldOutPrompts(int n) {
        return task.heldOutPrompts(n);
      }

      @Override
      public List<SftExample> sftExamples(int n) {
        return task.sftDemonstrations(n).stream()
            .map((Demonstration d) -> SftExample.of(d.prompt(), d.response()))
            .toList();
      }

      @Override
      public List<PreferencePair> offlinePreferences(int n) {
        return task.offlinePreferences(n);
      }

      @Override
      public RewardModel goldReward() {
        return task.goldReward();
      }

      @Override
      public PreferenceModel labeller() {
        return task.labeller();
      }

      @Override
      public double meanGoldReward(List<GeneratedSample> samples) {
        return task.meanGoldReward(samples);
      }

      @Override
      public double goldWinRate(List<GeneratedSample> policy, List<GeneratedSample> baseline) {
        return task.goldWinRate(policy, baseline);
      }

      @Override
      public String toString() {
        return task.toString();
      }
    };
  }

  /** The sorting task. */
  static QuickstartTask of(SortingTask task) {
    return new QuickstartTask() {
      @Override
      public Path writeTokenizer(Path dir) {
        return task.writeTokenizer(dir);
      }

      @Override
      public ModelConfig modelConfig() {
        return task.modelConfig();
      }

      @Override
      public List<Prompt> trainPrompts(int n) {
        return task.trainPrompts(n);
      }

      @Override
      public List<Prompt> heldOutPrompts(int n) {
        return task.heldOutPrompts(n);
      }

      @Override
      public List<SftExample> sftExamples(int n) {
        return task.sftExamples(n);
      }

      @Override
      public List<PreferencePair> offlinePreferences(int n) {
        return task.offlinePreferences(n);
      }

      @Override
      public RewardModel goldReward() {
        return task.goldReward();
      }

      @Override
      public PreferenceModel labeller() {
        return task.labeller();
      }

      @Override
      public double meanGoldReward(List<GeneratedSample> samples) {
        return task.goldReward().meanReward(samples);
      }

      @Override
      public double goldWinRate(List<GeneratedSample> policy, List<GeneratedSample> baseline) {
        return task.goldReward().winRate(policy, baseline);
      }

      @Override
      public String toString() {
        return task.toString();
      }
    };
  }
}
