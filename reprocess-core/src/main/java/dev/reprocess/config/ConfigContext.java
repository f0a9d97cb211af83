package dev.reprocess.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The objects a job configuration refers to but cannot hold as text: the handler, a selector or
 * sink built in code, the Cassandra session a selector reads with, the checkpoint store, the meter
 * registry. Properties name an object ({@code handler=backfillHandler}) or a backend takes the one
 * object of a type (a selector kind takes the application's {@code CqlSession}).
 *
 * <p>{@link #of(Map)} serves applications without a container; the Spring Boot starter answers
 * from the application context. Implementations must be thread-safe if shared between threads.
 */
public interface ConfigContext {

  /**
   * The one object of a type, when there is exactly one.
   *
   * @return empty when there is none
   * @throws IllegalArgumentException when there are several (the message names them)
   */
  <T> Optional<T> find(Class<T> type);

  /**
   * The object of a name, when it exists and has the type.
   *
   * @return empty when there is no object of that name
   * @throws IllegalArgumentException when the object of that name has another type
   */
  <T> Optional<T> named(String name, Class<T> type);

  /**
   * A context over named objects, e.g. {@code Map.of("backfillHandler", handler, "session",
   * session)}: {@link #named} looks a name up, {@link #find} takes the one value of a type.
   *
   * @param objects the objects by name; copied, no null keys or values
   */
  static ConfigContext of(Map<String, ?> objects) {
    Map<String, Object> copy = new LinkedHashMap<>();
    objects.forEach((name, object) -> copy.put(Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(object, () -> "object named " + name)));
    return new ConfigContext() {
      @Override
      public <T> Optional<T> find(Class<T> type) {
        Map<String, T> matches = new LinkedHashMap<>();
        copy.forEach((name, object) -> {
          if (type.isInstance(object)) {
            matches.put(name, type.cast(object));
          }
        });
        if (matches.size() > 1) {
          throw new IllegalArgumentException("there are " + matches.size() + " objects of type "
              + type.getName() + " (" + String.join(", ", matches.keySet()) + "): name one");
        }
        return matches.values().stream().findFirst();
      }

      @Override
      public <T> Optional<T> named(String name, Class<T> type) {
        Object object = copy.get(name);
        if (object == null) {
          return Optional.empty();
        }
        if (!type.isInstance(object)) {
          throw new IllegalArgumentException("the object named '" + name + "' is a "
              + object.getClass().getName() + ", not a " + type.getName());
        }
        return Optional.of(type.cast(object));
      }
    };
  }
}
