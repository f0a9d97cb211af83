/**
 * The engine's internals ({@link dev.reprocess.internal.JobRun}, the throttle, the concurrency gate,
 * the clock-driven timer, the meters). Not API: may change in any release; the public API never
 * accepts or returns these types.
 */
package dev.reprocess.internal;
