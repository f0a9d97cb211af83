/**
 * Ready-made {@link dev.reprocess.CheckpointStore}s: {@link
 * dev.reprocess.checkpoint.InMemoryCheckpointStore} (the default; one JVM) and {@link
 * dev.reprocess.checkpoint.FileCheckpointStore} (one JSON file per job, replaced atomically, so it
 * survives a crash). The Cassandra store lives in {@code reprocess-cassandra}.
 */
package dev.reprocess.checkpoint;
