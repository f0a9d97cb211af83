package dev.reprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's table of job options is the one the option declarations give: it cannot drift. */
class JobOptionsReadmeTest {

  private static final String SECTION = "## Job options";

  @Test
  void readmeTableOfJobOptionsMatchesTheDeclarations() throws IOException {
    String expected = JobOptions.markdownTable();
    String actual = tableUnder(SECTION, readme());
    if (!actual.equals(expected)) {
      fail("The table under '" + SECTION + "' in " + readmePath() + " differs from the option "
          + "declarations in dev.reprocess.JobOptions. Paste this table there:\n\n" + expected);
    }
  }

  @Test
  void theTableHasOneRowPerDeclaredOption() {
    List<String> rows = JobOptions.markdownTable().lines().toList();
    assertThat(rows).hasSize(2 + JobOptions.ALL.size());
    assertThat(rows.get(2)).startsWith("| `name` | String | required |");
    assertThat(rows).anyMatch(r -> r.startsWith("| `pageSize` | int | " + ReprocessJob.DEFAULT_PAGE_SIZE
        + " | 1 to " + ReprocessJob.MAX_PAGE_SIZE + " |"));
  }

  /** The first block of lines starting with '|' after the heading, each ending with a newline. */
  private static String tableUnder(String heading, List<String> lines) {
    int at = lines.indexOf(heading);
    assertThat(at).as("heading '%s' in %s", heading, readmePath()).isNotNegative();
    StringBuilder table = new StringBuilder();
    for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
      if (lines.get(i).startsWith("|")) {
        table.append(lines.get(i)).append('\n');
      } else if (table.length() > 0) {
        break;
      }
    }
    return table.toString();
  }

  private static List<String> readme() throws IOException {
    return Files.readAllLines(readmePath(), StandardCharsets.UTF_8);
  }

  /** The repository's root README: tests run in the module's directory. */
  private static Path readmePath() {
    return Path.of("").toAbsolutePath().getParent().resolve("README.md");
  }
}
