/**
 * {@link dev.reprocess.json.EventJson}: the one JSON form of events and dead letters that every
 * transport shares; pinned by a golden test.
 */
package dev.reprocess.json;
