package dev.reprocess.kafka.internal;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The size limits of a topic, read with the admin client. Stateless and thread-safe. */
public final class TopicLimits {

  private static final Logger log = LoggerFactory.getLogger(TopicLimits.class);

  private TopicLimits() {}

  /**
   * The topic's {@code max.message.bytes} (its own or the broker's default), or empty when it
   * cannot be read (no DescribeConfigs permission, timeout), which is logged at WARN.
   */
  public static OptionalInt maxMessageBytes(Admin admin, String topic, Duration timeout) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      Config config = admin.describeConfigs(List.of(resource),
              new DescribeConfigsOptions().timeoutMs((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())))
          .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
      ConfigEntry entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (entry != null && entry.value() != null) {
        return OptionalInt.of(Integer.parseInt(entry.value().trim()));
      }
      return OptionalInt.empty();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("cannot read {} of topic '{}' ({}); dead letters are cut to the producer's max.request.size only",
          TopicConfig.MAX_MESSAGE_BYTES_CONFIG, topic, e.getCause() != null ? e.getCause().toString() : e.toString());
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }
}
