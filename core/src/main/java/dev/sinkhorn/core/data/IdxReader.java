package dev.sinkhorn.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format): a 4-byte magic {@code 0x00 0x00 type ndims}, ndims big-endian
 * int32 dimensions, then the data. Only unsigned-byte data (type 0x08) is accepted. Files may be
 * raw or gzip-compressed (detected from the content, not the name).
 *
 * <ul>
 *   <li>idx1: labels, dims [N];</li>
 *   <li>idx3: grayscale images, dims [N, H, W] (read as 1 channel);</li>
 *   <li>idx4: images with channels, dims [N, C, H, W].</li>
 * </ul>
 * Every violation (wrong magic, zero or huge dimensions, missing or extra bytes) is an
 * {@link IdxFormatException} naming the file and what is wrong.
 */
public final class IdxReader {
    private static final int UBYTE = 0x08;
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private IdxReader() {
    }

    /** Reads an idx3 (or idx4) image file. */
    public static ImageSet readImages(Path file) throws IOException {
        try (InputStream in = open(file)) {
            int[] dims = readHeader(in, file, 3, 4);
            int count = dims[0];
            int channels = dims.length == 4 ? dims[1] : 1;
            int height = dims[dims.length - 2];
            int width = dims[dims.length - 1];
            byte[] pixels = readBody(in, file, (long) count * channels * height * width);
            return new ImageSet(count, channels, height, width, pixels, null);
        }
    }

    /** Reads an idx1 label file. */
    public static byte[] readLabels(Path file) throws IOException {
        try (InputStream in = open(file)) {
            int[] dims = readHeader(in, file, 1, 1);
            return readBody(in, file, dims[0]);
        }
    }

    /** Reads an image file and its label file into one set; their counts must agree. */
    public static ImageSet read(Path images, Path labels) throws IOException {
        ImageSet set = readImages(images);
        byte[] l = readLabels(labels);
        if (l.length != set.count()) {
            throw new IdxFormatException(labels + ": " + l.length + " labels but " + images + " holds "
                    + set.count() + " images");
        }
        return new ImageSet(set.count(), set.channels(), set.height(), set.width(), set.pixels(), l);
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    }

    private static int[] readHeader(InputStream raw, Path file, int minDims, int maxDims) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(file + ": truncated header (fewer than 4 bytes)");
        }
        int type = (magic >>> 8) & 0xff;
        int ndims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != UBYTE || ndims < minDims || ndims > maxDims) {
            throw new IdxFormatException(String.format(
                    "%s: magic number 0x%08x is not an unsigned-byte IDX file with %s dimensions (expected 0x%08x%s)",
                    file, magic, minDims == maxDims ? String.valueOf(minDims) : minDims + " to " + maxDims,
                    (UBYTE << 8) | minDims, minDims == maxDims ? "" : String.format(" to 0x%08x", (UBYTE << 8) | maxDims)));
        }
        int[] dims = new int[ndims];
        long total = 1;
        for (int d = 0; d < ndims; d++) {
            try {
                dims[d] = in.readInt();
            } catch (EOFException e) {
                throw new IdxFormatException(file + ": truncated header (dimension " + d + " of " + ndims + " missing)");
            }
            if (dims[d] <= 0) {
                throw new IdxFormatException(file + ": dimension " + d + " is " + dims[d] + ", must be positive");
            }
            total *= dims[d];
            if (total > MAX_BYTES) {
                throw new IdxFormatException(file + ": dimensions " + java.util.Arrays.toString(dims)
                        + " describe more than " + MAX_BYTES + " bytes");
            }
        }
        return dims;
    }

    private static byte[] readBody(InputStream in, Path file, long length) throws IOException {
        byte[] data = new byte[(int) length];
        int n = in.readNBytes(data, 0, data.length);
        if (n < data.length) {
            throw new IdxFormatException(file + ": truncated: header announces " + length + " data bytes, file holds " + n);
        }
        if (in.read() != -1) {
            throw new IdxFormatException(file + ": " + length + " data bytes announced but the file holds more");
        }
        return data;
    }
}
