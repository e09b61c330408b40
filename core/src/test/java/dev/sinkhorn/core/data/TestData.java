package dev.sinkhorn.core.data;

/** The real data sets for tests, fetched and checked once per JVM into the normal cache folder. */
public final class TestData {
    private static final DatasetResolver RESOLVER = DatasetResolver.fromEnvironment(m -> System.out.println("[data] " + m));

    private TestData() {
    }

    public static DatasetResolver resolver() {
        return RESOLVER;
    }

    public static Dataset mnist() {
        return RESOLVER.load(DatasetResolver.MNIST);
    }
}
