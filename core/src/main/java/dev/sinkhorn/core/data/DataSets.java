package dev.sinkhorn.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line: fetches and checks data sets as the services would, and says where they are.
 *
 * <pre>
 *   java -cp ... dev.sinkhorn.core.data.DataSets [--copy-to DIR] NAME...
 * </pre>
 *
 * With {@code --copy-to}, the four checked files of each set are also copied into DIR/NAME/ (the
 * container build bundles MNIST this way; see SINKHORN_DATA_BUNDLE in {@link DatasetResolver}).
 */
public final class DataSets {
    private DataSets() {
    }

    public static void main(String[] args) throws IOException {
        Path copyTo = null;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--copy-to") && i + 1 < args.length) {
                copyTo = Path.of(args[++i]);
            } else {
                names.add(args[i]);
            }
        }
        if (names.isEmpty()) {
            System.err.println("usage: DataSets [--copy-to DIR] NAME... (mnist, fashion-mnist, idx:<dir>)");
            System.exit(2);
        }
        DatasetResolver resolver = DatasetResolver.fromEnvironment(System.err::println);
        for (String name : names) {
            DatasetFiles files = resolver.locate(name);
            List<Path> all = List.of(files.trainImages(), files.trainLabels(), files.testImages(), files.testLabels());
            for (Path p : all) {
                System.out.println(name + " " + p);
            }
            if (copyTo != null) {
                Path dir = Files.createDirectories(copyTo.resolve(name));
                for (Path p : all) {
                    Files.copy(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
