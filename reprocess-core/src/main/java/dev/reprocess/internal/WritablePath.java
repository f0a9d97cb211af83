package dev.reprocess.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The preflight of the file-based stores: whether a file or directory could be written, checked
 * without writing anything (the nearest existing ancestor must be a writable directory, an existing
 * file must be writable).
 */
public final class WritablePath {

  private WritablePath() {}

  /**
   * @param path a file or directory that the store writes (created when missing)
   * @param what what it is, for the message, e.g. {@code checkpoint directory}
   * @throws IllegalStateException naming the path when it cannot be written
   */
  public static void check(Path path, String what) {
    Path p = path.toAbsolutePath();
    if (Files.exists(p)) {
      if (!Files.isWritable(p)) {
        throw new IllegalStateException(what + " " + path + " is not writable");
      }
      return;
    }
    Path ancestor = p.getParent();
    while (ancestor != null && !Files.exists(ancestor)) {
      ancestor = ancestor.getParent();
    }
    if (ancestor == null || !Files.isDirectory(ancestor) || !Files.isWritable(ancestor)) {
      throw new IllegalStateException(what + " " + path + " cannot be created: "
          + (ancestor == null ? "no existing parent" : ancestor + " is not a writable directory"));
    }
  }
}
