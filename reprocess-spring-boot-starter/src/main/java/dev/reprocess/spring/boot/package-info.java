/**
 * Spring Boot auto-configuration for Reprocess: {@link
 * dev.reprocess.spring.boot.ReprocessCassandraAutoConfiguration} (a checkpoint store on the
 * application's {@code CqlSession}) and {@link dev.reprocess.spring.boot.ReprocessAutoConfiguration}
 * (the {@link dev.reprocess.spring.boot.ReprocessJobRegistry} of the {@code ReprocessJob} beans and
 * of the {@code reprocess.jobs.*} properties, see {@link dev.reprocess.spring.boot.JobProperties}).
 * Every bean backs off when the application defines its own.
 */
package dev.reprocess.spring.boot;
