package dev.reprocess.spring.boot;

import dev.reprocess.config.ConfigContext;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.BeanNotOfRequiredTypeException;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The application context as a {@link ConfigContext}: names are bean names; the one object of a
 * type is the unique bean of that type, or the primary one. Objects the starter made for a job
 * (Kafka sinks) are looked up by name before the beans.
 */
final class BeanFactoryConfigContext implements ConfigContext {

  private final ListableBeanFactory beans;
  private final Map<String, Object> extra;

  BeanFactoryConfigContext(ListableBeanFactory beans, Map<String, Object> extra) {
    this.beans = beans;
    this.extra = extra;
  }

  @Override
  public <T> Optional<T> find(Class<T> type) {
    T unique = beans.getBeanProvider(type).getIfUnique();
    String[] names = beans.getBeanNamesForType(type);
    if (unique == null && names.length > 1) {
      throw new IllegalArgumentException("there are several beans of type " + type.getName() + " "
          + Arrays.toString(names) + " and none is @Primary: name one");
    }
    return Optional.ofNullable(unique);
  }

  @Override
  public <T> Optional<T> named(String name, Class<T> type) {
    Object object = extra.get(name);
    if (object != null) {
      return Optional.of(type.cast(object));
    }
    if (!beans.containsBean(name)) {
      return Optional.empty();
    }
    try {
      return Optional.of(beans.getBean(name, type));
    } catch (BeanNotOfRequiredTypeException e) {
      throw new IllegalArgumentException("the bean named '" + name + "' is a "
          + e.getActualType().getName() + ", not a " + type.getName());
    }
  }
}
