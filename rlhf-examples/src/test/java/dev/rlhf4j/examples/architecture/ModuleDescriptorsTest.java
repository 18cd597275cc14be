package dev.rlhf4j.examples.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every library module that declares a {@code module-info.java} exports exactly its public
 * packages: all of them, none of its {@code internal} ones. Read from the descriptor compiled into
 * each module's classes (this module's test class path holds them all).
 */
class ModuleDescriptorsTest {
  /** A class of each named module, by module name. */
  private static final Map<String, Class<?>> MODULES =
      Map.of(
          "dev.rlhf4j.api", dev.rlhf4j.api.Prompt.class,
          "dev.rlhf4j.models", dev.rlhf4j.models.CausalLm.class,
          "dev.rlhf4j.losses", dev.rlhf4j.losses.PreferenceLoss.class,
          "dev.rlhf4j.training", dev.rlhf4j.training.Optimization.class,
          "dev.rlhf4j.sampling", dev.rlhf4j.sampling.generate.Generator.class,
          "dev.rlhf4j.reward", dev.rlhf4j.reward.RewardModels.class,
          "dev.rlhf4j.iterative", dev.rlhf4j.iterative.IterativeDpo.class);

  static Set<String> moduleNames() {
    return new TreeSet<>(MODULES.keySet());
  }

  @ParameterizedTest
  @MethodSource("moduleNames")
  void exportsItsPublicPackagesAndNoInternalOne(String name) throws URISyntaxException {
    Path location =
        Path.of(MODULES.get(name).getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleReference reference =
        ModuleFinder.of(location).findAll().stream().findFirst().orElseThrow();
    ModuleDescriptor descriptor = reference.descriptor();

    assertThat(descriptor.isAutomatic()).as("%s has a module-info", location).isFalse();
    assertThat(descriptor.name()).isEqualTo(name);
    Set<String> exported =
        descriptor.exports().stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> publicPackages =
        descriptor.packages().stream()
            .filter(p -> !p.endsWith(".internal") && !p.contains(".internal."))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(exported).as("packages %s exports", name).isEqualTo(publicPackages);
    assertThat(descriptor.exports()).noneMatch(e -> e.source().contains("internal"));
  }
}
