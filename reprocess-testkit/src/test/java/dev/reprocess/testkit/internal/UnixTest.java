package dev.reprocess.testkit.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class UnixTest {

    @TempDir
    Path dir;

    /** A user that owns nothing and is in no group of these files: only "others" bits apply. */
    private static final Unix.User STRANGER = new Unix.User("no-such-user-xyz", 64999, 64999, "no-such-group-xyz");

    @Test
    void aFolderClosedToOthersCannotBeTraversedByAnotherUser() throws Exception {
        Path closed = Files.createDirectories(dir.resolve("closed/inner"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(closed.getParent(), PosixFilePermissions.fromString("rwx------"));
        boolean parentsOpen = Unix.canTraverse(STRANGER, dir);
        assertThat(Unix.canTraverse(STRANGER, closed)).isFalse();
        Files.setPosixFilePermissions(closed.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Unix.canTraverse(STRANGER, closed)).isEqualTo(parentsOpen);
    }

    @Test
    void toolsAreFoundInTheUsualFolders() {
        assertThat(Unix.tool("sh")).isPresent();
        assertThat(Unix.tool("no-such-tool-xyz")).isEmpty();
    }
}
