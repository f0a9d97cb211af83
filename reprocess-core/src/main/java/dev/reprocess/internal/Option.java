package dev.reprocess.internal;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One builder option declared once: its name, type, default, rule and doc (the idea of Kafka's
 * {@code ConfigDef.define(name, type, default, validator, importance, doc)}). The builder's checks,
 * their messages ({@code <name> is <value>: <rule>}), the built object's {@code toString} and the
 * README's table of options all come from the declaration. Immutable and thread-safe.
 *
 * @param <T> the option's value type
 */
public final class Option<T> {

  /**
   * What an option's value must satisfy.
   *
   * @param <T> the value type
   */
  public interface Rule<T> {
    /** Why the value is refused, as the end of the message ({@code it must be ...}); null if valid. */
    String problem(T value);

    /** The rule for the reference table, e.g. {@code 1 to 100000}. */
    String text();

    /** A rule with this table text and this check. */
    static <T> Rule<T> of(String text, Function<T, String> problem) {
      return new Rule<>() {
        @Override
        public String problem(T value) {
          return problem.apply(value);
        }

        @Override
        public String text() {
          return text;
        }
      };
    }

    /** Any value, null included. */
    static <T> Rule<T> any() {
      return of("any", v -> null);
    }

    /** Not null; {@code problem} says what to do instead, e.g. {@code pass a clock}. */
    static <T> Rule<T> notNull(String text, String problem) {
      return of(text, v -> v == null ? problem : null);
    }

    /** An int from {@code min} to {@code max}, both included. */
    static Rule<Integer> between(int min, int max) {
      return of(min + " to " + max,
          v -> v == null || v < min || v > max ? "it must be between " + min + " and " + max : null);
    }
  }

  private final String name;
  private final String type;
  private final Supplier<? extends T> defaultValue;
  private final String defaultText;
  private final Rule<? super T> rule;
  private final String doc;
  private final Function<? super T, String> describer;

  private Option(String name, String type, Supplier<? extends T> defaultValue, String defaultText,
      Rule<? super T> rule, String doc, Function<? super T, String> describer) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
    this.defaultText = Objects.requireNonNull(defaultText, "defaultText");
    this.rule = Objects.requireNonNull(rule, "rule");
    this.doc = Objects.requireNonNull(doc, "doc");
    this.describer = Objects.requireNonNull(describer, "describer");
  }

  /**
   * Declares an option.
   *
   * @param name the builder method's name, used in messages and {@code toString}
   * @param type the type as the table shows it
   * @param defaultValue gives the value when the option is not set (called once per build)
   * @param defaultText the default as the table shows it
   * @param rule what a value must satisfy
   * @param doc one sentence for the table
   */
  public static <T> Option<T> define(String name, String type, Supplier<? extends T> defaultValue,
      String defaultText, Rule<? super T> rule, String doc) {
    return new Option<>(name, type, defaultValue, defaultText, rule, doc, String::valueOf);
  }

  /** This option, shown in {@code toString} by {@code describer} (null hides the option). */
  public Option<T> describedBy(Function<? super T, String> describer) {
    return new Option<>(name, type, defaultValue, defaultText, rule, doc, describer);
  }

  public String name() {
    return name;
  }

  /** The value when the option was not set. */
  public T defaultValue() {
    return defaultValue.get();
  }

  /** Returns the value if the rule holds; otherwise throws naming the option, the value and the rule. */
  public T check(T value) {
    return check(value, name);
  }

  /**
   * As {@link #check(Object)}, naming the value {@code label} (e.g. {@code listener #2}).
   *
   * @throws IllegalArgumentException {@code <label> is <value>: <rule>}
   */
  public T check(T value, String label) {
    String problem = rule.problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(label + " is " + show(value) + ": " + problem);
    }
    return value;
  }

  /** The checked value set in {@code values}, or the default when the option was not set. */
  @SuppressWarnings("unchecked")
  public T resolve(Map<Option<?>, Object> values) {
    return check(values.containsKey(this) ? (T) values.get(this) : defaultValue());
  }

  /** {@code name=value} for a {@code toString}, or null when the value is null or hidden. */
  @SuppressWarnings("unchecked")
  public String describe(Object value) {
    String shown = value == null ? null : describer.apply((T) value);
    return shown == null ? null : name + "=" + shown;
  }

  private String show(T value) {
    return value instanceof String || (value == null && "String".equals(type))
        ? "'" + value + "'" : String.valueOf(value);
  }

  /** The options as a Markdown table: option, type, default, rule, description. */
  public static String markdownTable(List<Option<?>> options) {
    StringBuilder table = new StringBuilder("| option | type | default | rule | description |\n")
        .append("| --- | --- | --- | --- | --- |\n");
    for (Option<?> o : options) {
      table.append("| `").append(o.name).append("` | ").append(o.type).append(" | ")
          .append(o.defaultText).append(" | ").append(o.rule.text()).append(" | ").append(o.doc)
          .append(" |\n");
    }
    return table.toString();
  }
}
