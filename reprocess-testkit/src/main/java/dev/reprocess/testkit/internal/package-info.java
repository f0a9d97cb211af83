/** Implementation of the testkit: process handling, artifact resolution, config writers. Not API. */
package dev.reprocess.testkit.internal;
