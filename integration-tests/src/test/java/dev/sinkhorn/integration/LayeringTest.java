package dev.sinkhorn.integration;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.sinkhorn.testing.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the modules, read from their compiled classes (not from the classpath: the
 * services are not on this module's). Core is framework-free; the shared gRPC and Kafka halves stay
 * apart; no service imports another; the CLI talks to the services only through the contracts;
 * only the gRPC adapters extend the generated service bases, and they stay thin.
 */
class LayeringTest {
    private static final List<String> MODULES = List.of("core", "service-grpc", "service-kafka", "matcher-service",
            "inference-service", "trainer-service", "cli", "local-kafka");
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        Path root = Repository.root();
        ClassFileImporter importer = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
        List<Path> folders = MODULES.stream().map(m -> root.resolve(m).resolve("target/classes")).toList();
        folders.forEach(f -> assertTrue(Files.isDirectory(f), f + " is missing: build the modules first"));
        classes = importer.importPaths(folders);
        assertTrue(classes.stream().anyMatch(c -> c.getPackageName().equals("dev.sinkhorn.trainer")), "trainer classes imported");
    }

    @Test
    void coreKnowsNothingOfFrameworksTransportsOrContracts() {
        noClasses().that().resideInAPackage("dev.sinkhorn.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "io.quarkus..", "jakarta..", "org.apache.kafka..",
                        "dev.sinkhorn.v1..", "dev.sinkhorn.service..", "io.micrometer..", "io.smallrye..")
                .check(classes);
    }

    @Test
    void noServiceImportsAnother() {
        for (String service : List.of("matcher", "inference", "trainer")) {
            noClasses().that().resideInAPackage("dev.sinkhorn." + service + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(List.of("matcher", "inference", "trainer").stream()
                            .filter(s -> !s.equals(service)).map(s -> "dev.sinkhorn." + s + "..").toArray(String[]::new))
                    .check(classes);
        }
    }

    @Test
    void theCliIsAClientOfTheContractsOnly() {
        noClasses().that().resideInAPackage("dev.sinkhorn.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.sinkhorn.matcher..", "dev.sinkhorn.inference..",
                        "dev.sinkhorn.trainer..", "dev.sinkhorn.service..", "io.quarkus..")
                .check(classes);
    }

    @Test
    void theGrpcAndKafkaHalvesStayApart() {
        noClasses().that().resideInAPackage("dev.sinkhorn.service.grpc..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "dev.sinkhorn.service.kafka..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.sinkhorn.service.kafka..")
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "dev.sinkhorn.service.grpc..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.sinkhorn.matcher..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "dev.sinkhorn.service.kafka..")
                .check(classes);
    }

    @Test
    void onlyAdaptersServeTheContracts() {
        classes().that().areAssignableTo("io.grpc.BindableService").and().resideOutsideOfPackage("io.grpc..")
                .should().haveSimpleNameEndingWith("GrpcService")
                .check(classes);
        noClasses().that().haveSimpleNameEndingWith("GrpcService")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..", "org.apache.kafka..")
                .check(classes);
    }

    @Test
    void onlyAdaptersAndClientsSpeakInStatusCodes() {
        DescribedPredicate<JavaClass> adapterOrClient = new DescribedPredicate<>("part of a *GrpcService or *Client") {
            @Override
            public boolean test(JavaClass c) {
                JavaClass top = c;
                while (top.getEnclosingClass().isPresent()) {
                    top = top.getEnclosingClass().get();
                }
                return top.getSimpleName().endsWith("GrpcService") || top.getSimpleName().endsWith("Client");
            }
        };
        noClasses().that().resideInAnyPackage("dev.sinkhorn.matcher..", "dev.sinkhorn.inference..", "dev.sinkhorn.trainer..")
                .and(DescribedPredicate.not(adapterOrClient))
                .should().dependOnClassesThat().haveFullyQualifiedName("io.grpc.Status")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.grpc.StatusRuntimeException")
                .check(classes);
    }
}
