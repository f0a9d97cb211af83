/**
 * Jobs from configuration: {@link dev.reprocess.config.JobConfiguration} turns a properties map
 * into a {@link dev.reprocess.ReprocessJob}, with the builders' rules and messages naming the
 * property key; backend modules contribute their selector kinds through {@link
 * dev.reprocess.config.SelectorProvider}.
 */
package dev.reprocess.config;
