package dev.sinkhorn.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** PNG pictures: images side by side (scrambled | reconstructed) and loss curves. */
final class Pictures {
    static final int SCALE = 8;
    static final int GAP = 8;

    private Pictures() {
    }

    /** One image [C, H, W] with pixels in [0, 1] (first channel, or RGB for 3) drawn at (x, y), SCALE times larger. */
    static void draw(BufferedImage target, float[] image, int channels, int height, int width, int x, int y) {
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                int rgb;
                if (channels >= 3) {
                    rgb = (level(image[r * width + c]) << 16) | (level(image[height * width + r * width + c]) << 8)
                            | level(image[2 * height * width + r * width + c]);
                } else {
                    int v = level(image[r * width + c]);
                    rgb = (v << 16) | (v << 8) | v;
                }
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) {
                        target.setRGB(x + c * SCALE + dx, y + r * SCALE + dy, rgb);
                    }
                }
            }
        }
    }

    private static int level(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255)));
    }

    /** Rows of image pairs: each row shows pairs.get(i)[0] and pairs.get(i)[1] side by side. */
    static BufferedImage pairs(List<float[][]> rows, int channels, int height, int width) {
        int w = 2 * width * SCALE + 3 * GAP;
        int h = rows.size() * (height * SCALE + GAP) + GAP;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40, 90, 160));
        g.fillRect(0, 0, w, h);
        g.dispose();
        for (int i = 0; i < rows.size(); i++) {
            int y = GAP + i * (height * SCALE + GAP);
            draw(img, rows.get(i)[0], channels, height, width, GAP, y);
            draw(img, rows.get(i)[1], channels, height, width, 2 * GAP + width * SCALE, y);
        }
        return img;
    }

    static void write(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(image, "png", file.toFile());
    }

    /** A loss curve: mean loss per image at each epoch's end, and the progress reports between them. */
    static void lossCurve(List<double[]> progress, List<double[]> epochs, String title, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("epoch")
                .yAxisTitle("loss per image (sum of squared errors)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        if (!progress.isEmpty()) {
            chart.addSeries("progress", progress.stream().mapToDouble(p -> p[0]).toArray(), progress.stream().mapToDouble(p -> p[1]).toArray());
        }
        if (!epochs.isEmpty()) {
            chart.addSeries("epoch mean", epochs.stream().mapToDouble(p -> p[0]).toArray(), epochs.stream().mapToDouble(p -> p[1]).toArray());
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Reads a PNG as [C, H, W] floats in [0, 1]: gray (mean of RGB) when channels = 1, RGB when 3. */
    static float[] readImage(Path file, int channels, int size) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException(file + " is not an image ImageIO can read");
        }
        if (img.getWidth() != size || img.getHeight() != size) {
            throw new IOException(file + " is " + img.getWidth() + "x" + img.getHeight() + " but the model expects " + size + "x" + size);
        }
        float[] out = new float[channels * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = img.getRGB(x, y);
                float r = ((rgb >> 16) & 0xff) / 255f;
                float gr = ((rgb >> 8) & 0xff) / 255f;
                float b = (rgb & 0xff) / 255f;
                if (channels == 1) {
                    out[y * size + x] = (r + gr + b) / 3f;
                } else {
                    out[y * size + x] = r;
                    out[size * size + y * size + x] = gr;
                    out[2 * size * size + y * size + x] = b;
                }
            }
        }
        return out;
    }
}
