/** Implementation of {@code dev.reprocess.kafka}; not an API, may change at any time. */
package dev.reprocess.kafka.internal;
