package dev.reprocess.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The media type of a file, from its name: {@link Files#probeContentType} first (on Linux it reads
 * {@code ~/.mime.types} and {@code /etc/mime.types}, then the JDK's own table), then a small map
 * of extensions those tables often miss, else {@value #UNKNOWN}. Nothing is read from the file, so
 * detection costs microseconds; the type names follow IANA where one exists. Thread-safe.
 */
final class MediaTypes {
  /** The type of files whose name says nothing: {@value}. */
  static final String UNKNOWN = "application/octet-stream";

  private static final Map<String, String> EXTENSIONS = Map.ofEntries(
      Map.entry("svg", "image/svg+xml"),
      Map.entry("svgz", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("xpm", "image/x-xpixmap"),
      Map.entry("ico", "image/vnd.microsoft.icon"),
      Map.entry("webp", "image/webp"),
      Map.entry("md", "text/markdown"),
      Map.entry("txt", "text/plain"),
      Map.entry("rst", "text/x-rst"),
      Map.entry("py", "text/x-python"),
      Map.entry("pl", "text/x-perl"),
      Map.entry("pm", "text/x-perl"),
      Map.entry("sh", "text/x-sh"),
      Map.entry("json", "application/json"),
      Map.entry("yaml", "application/yaml"),
      Map.entry("yml", "application/yaml"),
      Map.entry("xml", "application/xml"),
      Map.entry("gz", "application/gzip"),
      Map.entry("xz", "application/x-xz"),
      Map.entry("bz2", "application/x-bzip2"),
      Map.entry("zst", "application/zstd"),
      Map.entry("ttf", "font/ttf"),
      Map.entry("otf", "font/otf"),
      Map.entry("woff", "font/woff"),
      Map.entry("woff2", "font/woff2"),
      Map.entry("ogg", "audio/ogg"),
      Map.entry("oga", "audio/ogg"),
      Map.entry("wav", "audio/wav"),
      Map.entry("mo", "application/x-gettext-translation"),
      Map.entry("jar", "application/java-archive"),
      Map.entry("class", "application/java-vm"));

  private MediaTypes() {}

  /** The media type of {@code file}, never null. */
  static String detect(Path file) {
    String type;
    try {
      type = Files.probeContentType(file);
    } catch (IOException | SecurityException e) {
      type = null;
    }
    if (type != null && !type.isBlank()) {
      return type.toLowerCase(Locale.ROOT);
    }
    return EXTENSIONS.getOrDefault(extension(file), UNKNOWN);
  }

  /** The lower-case extension of the file name without the dot, or "" when it has none. */
  static String extension(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return "";
    }
    String n = name.toString();
    int dot = n.lastIndexOf('.');
    return dot <= 0 || dot == n.length() - 1 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
