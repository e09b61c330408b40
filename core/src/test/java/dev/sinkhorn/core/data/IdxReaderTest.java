package dev.sinkhorn.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    private static DatasetFiles files;

    @BeforeAll
    static void fetch() throws IOException {
        files = TestData.resolver().locate(DatasetResolver.MNIST);
    }

    @Test
    void readsTheRealMnistTrainingSet() throws IOException {
        ImageSet train = IdxReader.read(files.trainImages(), files.trainLabels());
        assertEquals(60000, train.count());
        assertEquals(1, train.channels());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, labelCounts(train));
        // The first training image is a 5 whose centre pixel (14, 14) is ink.
        assertEquals(5, train.label(0));
        assertTrue((train.pixels()[14 * 28 + 14] & 0xff) > 0);
    }

    @Test
    void readsTheRealMnistTestSet() throws IOException {
        ImageSet test = IdxReader.read(files.testImages(), files.testLabels());
        assertEquals(10000, test.count());
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, labelCounts(test));
        assertEquals(7, test.label(0));
    }

    @Test
    void readsGzipCompressedCopiesIdentically(@TempDir Path dir) throws IOException {
        Path gz = dir.resolve("t10k-labels-idx1-ubyte.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(files.testLabels(), out);
        }
        assertArrayEquals(IdxReader.readLabels(files.testLabels()), IdxReader.readLabels(gz));
    }

    @Test
    void rejectsAWrongMagicNumber(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(files.testLabels());
        // A label file read as images: magic 0x801 where 0x803 is expected.
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(files.testLabels()));
        assertTrue(e.getMessage().contains("magic number 0x00000801"), e.getMessage());
        bytes[2] = 0x0d; // float data type
        Path bad = write(dir, "bad-type", bytes);
        IdxFormatException e2 = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(bad));
        assertTrue(e2.getMessage().contains("0x00000d01"), e2.getMessage());
    }

    @Test
    void rejectsATruncatedFile(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(files.testImages());
        Path cut = write(dir, "cut", Arrays.copyOf(bytes, bytes.length - 100));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(cut));
        assertTrue(e.getMessage().contains("truncated: header announces 7840000 data bytes, file holds 7839900"), e.getMessage());
        Path header = write(dir, "header", Arrays.copyOf(bytes, 10));
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(header)).getMessage()
                .contains("truncated header"));
    }

    @Test
    void rejectsWrongDimensions(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(files.testImages());
        byte[] zero = bytes.clone();
        zero[8] = zero[9] = zero[10] = zero[11] = 0; // rows = 0
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(write(dir, "zero", zero)));
        assertTrue(e.getMessage().contains("dimension 1 is 0"), e.getMessage());
        byte[] more = bytes.clone();
        more[11] = 27; // 27 rows announced: the file then holds more bytes than announced
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(write(dir, "more", more)));
        assertTrue(e.getMessage().contains("holds more"), e.getMessage());
        e = assertThrows(IdxFormatException.class, () -> IdxReader.read(files.testImages(), files.trainLabels()));
        assertTrue(e.getMessage().contains("60000 labels but"), e.getMessage());
    }

    private static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static int[] labelCounts(ImageSet set) {
        int[] counts = new int[10];
        for (int i = 0; i < set.count(); i++) {
            counts[set.label(i)]++;
        }
        return counts;
    }
}
