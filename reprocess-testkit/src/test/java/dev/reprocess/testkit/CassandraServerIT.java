package dev.reprocess.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared Cassandra is a real server: schema, 1,000 timeuuid rows written, paged back newest first. */
@ExtendWith(TestBackends.class)
class CassandraServerIT {

    private static final int ROWS = 1_000;
    private static final int PAGE_SIZE = 100;

    @Test
    void writesAThousandRowsAndPagesThemBackInClusteringOrder(CassandraBackend cassandra) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_INTERVAL, Duration.ofMillis(50))
                .build();
        try (CqlSession session = CqlSession.builder().addContactPoint(cassandra.contactPoint())
                .withLocalDatacenter(cassandra.localDatacenter()).withConfigLoader(config).build()) {
            session.execute("CREATE KEYSPACE IF NOT EXISTS testkit_it WITH replication ="
                    + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("DROP TABLE IF EXISTS testkit_it.assets_by_type_bucket");
            session.execute("CREATE TABLE testkit_it.assets_by_type_bucket (asset_type text, bucket text,"
                    + " asset_id timeuuid, size bigint, PRIMARY KEY ((asset_type, bucket), asset_id))"
                    + " WITH CLUSTERING ORDER BY (asset_id DESC)");

            PreparedStatement insert = session.prepare("INSERT INTO testkit_it.assets_by_type_bucket"
                    + " (asset_type, bucket, asset_id, size) VALUES (?, ?, ?, ?)");
            List<UUID> written = new ArrayList<>();
            for (int i = 0; i < ROWS; i += 50) {
                BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED);
                for (int j = i; j < i + 50; j++) {
                    UUID id = Uuids.timeBased();
                    written.add(id);
                    batch = batch.add(insert.bind("image/png", "2024-06-01", id, (long) j));
                }
                session.execute(batch);
            }

            List<UUID> read = new ArrayList<>();
            int pages = 0;
            ByteBuffer pagingState = null;
            do {
                SimpleStatement select = SimpleStatement.newInstance("SELECT asset_id FROM"
                                + " testkit_it.assets_by_type_bucket WHERE asset_type = ? AND bucket = ?",
                                "image/png", "2024-06-01")
                        .setPageSize(PAGE_SIZE).setPagingState(pagingState);
                ResultSet rs = session.execute(select);
                int inPage = rs.getAvailableWithoutFetching();
                for (int k = 0; k < inPage; k++) {
                    Row row = rs.one();
                    read.add(row.getUuid("asset_id"));
                }
                if (inPage > 0) {
                    pages++;
                }
                pagingState = rs.getExecutionInfo().getPagingState();
            } while (pagingState != null);

            List<UUID> newestFirst = new ArrayList<>(written);
            Collections.reverse(newestFirst);
            assertThat(read).hasSize(ROWS).doesNotHaveDuplicates().containsExactlyElementsOf(newestFirst);
            assertThat(pages).isEqualTo(ROWS / PAGE_SIZE);
            long count = session.execute("SELECT count(*) FROM testkit_it.assets_by_type_bucket"
                    + " WHERE asset_type = 'image/png' AND bucket = '2024-06-01'").one().getLong(0);
            assertThat(count).isEqualTo(ROWS);
        }
    }
}
