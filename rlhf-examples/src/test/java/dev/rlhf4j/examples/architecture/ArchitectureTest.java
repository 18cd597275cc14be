package dev.rlhf4j.examples.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of DESIGN.md, enforced with ArchUnit over the main classes of every module
 * (this module's test classpath holds them all, rlhf-spark included as a test dependency): no module uses another module's {@code internal}
 * packages, dependencies point down the module list only, and {@code rlhf-api} touches neither DJL
 * nor ONNX Runtime. A module is identified by its root package ({@code dev.rlhf4j.<name>}).
 */
class ArchitectureTest {
  /** The modules in dependency order: each may use only the ones before it. */
  private static final List<String> MODULES =
      List.of(
          "api", "models", "losses", "training", "sampling", "reward", "iterative", "spark",
          "examples");

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.rlhf4j");
  }

  private static String root(String module) {
    return "dev.rlhf4j." + module + "..";
  }

  @Test
  void noModuleUsesAnotherModulesInternalPackages() {
    for (String module : MODULES) {
      List<String> foreignInternals = new ArrayList<>();
      for (String other : MODULES) {
        if (!other.equals(module)) {
          foreignInternals.add("dev.rlhf4j." + other + "..internal..");
        }
      }
      ArchRule rule =
          noClasses()
              .that()
              .resideInAPackage(root(module))
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(foreignInternals.toArray(String[]::new))
              .because("internal packages are a module's implementation (STYLE.md rule 1)");
      rule.check(classes);
    }
  }

  @Test
  void dependenciesPointDownTheModuleListOnly() {
    for (int i = 0; i < MODULES.size() - 1; i++) {
      List<String> later = new ArrayList<>();
      for (String upper : MODULES.subList(i + 1, MODULES.size())) {
        later.add(root(upper));
      }
      noClasses()
          .that()
          .resideInAPackage(root(MODULES.get(i)))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(later.toArray(String[]::new))
          .because("dependencies point down the module list only (DESIGN.md)")
          .check(classes);
    }
  }

  @Test
  void rlhfApiTouchesNeitherDjlNorOnnxRuntime() {
    noClasses()
        .that()
        .resideInAPackage(root("api"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("ai.djl..", "ai.onnxruntime..")
        .because("rlhf-api holds engine-free records and interfaces (DESIGN.md)")
        .check(classes);
  }

  @Test
  void importedEveryModule() {
    for (String module : MODULES) {
      org.assertj.core.api.Assertions.assertThat(
              classes.stream().anyMatch(c -> c.getPackageName().startsWith("dev.rlhf4j." + module)))
          .as("classes of rlhf-%s imported", module)
          .isTrue();
    }
  }
}
