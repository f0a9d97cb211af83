/**
 * Internals of {@code reprocess-cassandra}: identifier parsing, schema checks, driver error
 * translation, timeuuid arithmetic, the paginators and their cursors. Not API: the public classes
 * of {@code dev.reprocess.cassandra} never expose these types, and they may change at any time.
 */
package dev.reprocess.cassandra.internal;
