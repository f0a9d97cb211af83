/**
 * Helpers for the host's own tests, in the spirit of Kafka's {@code MockProducer}: an in-memory
 * selector, a recording handler and sink, and a clock that moves only when told to.
 */
package dev.reprocess.testing;
