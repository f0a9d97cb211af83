/**
 * The {@code reprocess} Actuator endpoint ({@link dev.reprocess.spring.boot.actuate.ReprocessEndpoint})
 * and health indicator, configured when Actuator is on the class path.
 */
package dev.reprocess.spring.boot.actuate;
