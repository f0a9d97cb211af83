package dev.reprocess.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Versions of the servers and helper artifacts, read from {@code versions.properties}, which Maven filters from the
 * root pom's {@code cassandra-server.version}, {@code kafka-server.version} and {@code elasticsearch-server.version}.
 */
public final class Versions {

    private static final Properties PROPERTIES = load();

    private Versions() {
    }

    public static String cassandra() {
        return get("cassandra");
    }

    public static String kafka() {
        return get("kafka");
    }

    public static String elasticsearch() {
        return get("elasticsearch");
    }

    public static String slf4j() {
        return get("slf4j");
    }

    public static String dependencyPlugin() {
        return get("dependency-plugin");
    }

    static String get(String key) {
        String value = PROPERTIES.getProperty(key);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("versions.properties has no filtered value for '" + key
                    + "' (got '" + value + "'): build reprocess-testkit with Maven so resources are filtered");
        }
        return value.trim();
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("dev/reprocess/testkit/internal/versions.properties is missing from the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
