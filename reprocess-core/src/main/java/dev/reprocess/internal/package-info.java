/**
 * The engine's internals: the job spec the builder produces ({@link dev.reprocess.internal.JobSpec}),
 * the engine that reads it ({@link dev.reprocess.internal.JobRun} and its pieces), the in-process
 * sink, the retry decision, the throttle, the concurrency gate, the clock-driven timer, the meters,
 * and the option declarations. See reprocess-core/README.md for the engine's layout. Not API: may
 * change in any release; the public API never accepts or returns these types.
 */
package dev.reprocess.internal;
