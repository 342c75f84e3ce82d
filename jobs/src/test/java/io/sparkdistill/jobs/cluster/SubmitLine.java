package io.sparkdistill.jobs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code spark-submit} command as the README writes it, split into words the way bash splits
 * them, so that a test can run exactly the README's command (with the few values it must change,
 * each by name: {@link #withOption}, {@link #withConf}, {@link #withAppJar}, {@link #withAppArg},
 * {@link #withSetting}).
 *
 * <p>A README block is marked by an HTML comment on the line before its fence, e.g. {@code <!--
 * standalone-submit -->}. The shell syntax understood is what a copyable command needs: words
 * separated by blanks, single and double quotes, backslash escapes, backslash-newline
 * continuations and {@code #} comments; one command per line otherwise. Anything the test could
 * not reproduce without a shell ({@code $} expansions, backquotes, {@code ; | & < > ( )}) is
 * refused, so the README cannot hold a command that only works when typed.
 *
 * @param options spark-submit's options before the application jar, in order
 * @param appJar the application jar, as written
 * @param appArgs the application's arguments
 */
public record SubmitLine(List<Option> options, String appJar, List<String> appArgs) {
  /** spark-submit options that take no value. */
  private static final Set<String> FLAGS =
      Set.of("--verbose", "-v", "--supervise", "--help", "-h", "--version");

  /**
   * One option.
   *
   * @param flag e.g. {@code --master}
   * @param value its value, or null for an option without one ({@code --verbose})
   */
  public record Option(String flag, String value) {}

  public SubmitLine {
    options = List.copyOf(options);
    appArgs = List.copyOf(appArgs);
  }

  /** The commands of the fenced block that follows {@code <!-- marker -->} in {@code readme}. */
  public static List<SubmitLine> fromReadme(Path readme, String marker) {
    try {
      return parseBlock(block(Files.readString(readme, StandardCharsets.UTF_8), marker));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body of the first fenced block after the line {@code <!-- marker -->}. */
  public static String block(String markdown, String marker) {
    String tag = "<!-- " + marker + " -->";
    List<String> lines = markdown.lines().toList();
    int at = lines.indexOf(tag);
    if (at < 0) {
      throw new IllegalArgumentException("no line '" + tag + "' in the README");
    }
    int open = at + 1;
    if (open >= lines.size() || !lines.get(open).startsWith("```")) {
      throw new IllegalArgumentException("'" + tag + "' is not followed by a fenced block");
    }
    StringBuilder body = new StringBuilder();
    for (int i = open + 1; i < lines.size(); i++) {
      if (lines.get(i).startsWith("```")) {
        return body.toString();
      }
      body.append(lines.get(i)).append('\n');
    }
    throw new IllegalArgumentException("the block after '" + tag + "' is not closed");
  }

  /** Every command of a block; each must be a {@code spark-submit} command. */
  public static List<SubmitLine> parseBlock(String block) {
    List<SubmitLine> lines = new ArrayList<>();
    for (List<String> words : commands(block)) {
      lines.add(of(words));
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("no command in the block:\n" + block);
    }
    return lines;
  }

  /** A command from its words: {@code spark-submit [options] app.jar [app arguments]}. */
  static SubmitLine of(List<String> words) {
    if (words.isEmpty() || !words.get(0).equals("spark-submit")) {
      throw new IllegalArgumentException("not a spark-submit command: " + words);
    }
    List<Option> options = new ArrayList<>();
    int i = 1;
    while (i < words.size() && words.get(i).startsWith("-")) {
      String word = words.get(i++);
      int eq = word.indexOf('=');
      if (word.startsWith("--") && eq > 0) {
        options.add(new Option(word.substring(0, eq), word.substring(eq + 1)));
      } else if (FLAGS.contains(word)) {
        options.add(new Option(word, null));
      } else if (i < words.size()) {
        options.add(new Option(word, words.get(i++)));
      } else {
        throw new IllegalArgumentException("option " + word + " has no value: " + words);
      }
    }
    if (i >= words.size()) {
      throw new IllegalArgumentException("no application jar: " + words);
    }
    return new SubmitLine(options, words.get(i), words.subList(i + 1, words.size()));
  }

  /**
   * Splits a block into commands and words as bash would (see the class comment); refuses what
   * needs a shell to mean anything.
   */
  static List<List<String>> commands(String text) {
    List<List<String>> commands = new ArrayList<>();
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\n' || c == ' ' || c == '\t') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        if (c == '\n' && !words.isEmpty()) {
          commands.add(words);
          words = new ArrayList<>();
        }
        i++;
      } else if (c == '#' && word == null) {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '\\') {
        if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i += 2; // a continuation: the command goes on
        } else if (i + 1 < text.length()) {
          word = append(word, text.charAt(i + 1));
          i += 2;
        } else {
          throw new IllegalArgumentException("a backslash ends the block");
        }
      } else if (c == '\'') {
        int end = text.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed ' in: " + text);
        }
        word = append(word, text.substring(i + 1, end));
        i = end + 1;
      } else if (c == '"') {
        word = append(word, "");
        i++;
        while (true) {
          if (i >= text.length()) {
            throw new IllegalArgumentException("unclosed \" in: " + text);
          }
          char d = text.charAt(i);
          if (d == '"') {
            i++;
            break;
          }
          if (d == '$' || d == '`') {
            throw refused(d, text, i);
          }
          if (d == '\\' && i + 1 < text.length() && "\"\\$`\n".indexOf(text.charAt(i + 1)) >= 0) {
            if (text.charAt(i + 1) != '\n') {
              word.append(text.charAt(i + 1));
            }
            i += 2;
          } else {
            word.append(d);
            i++;
          }
        }
      } else if ("$`;|&<>()".indexOf(c) >= 0) {
        throw refused(c, text, i);
      } else {
        word = append(word, c);
        i++;
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    if (!words.isEmpty()) {
      commands.add(words);
    }
    return commands;
  }

  private static StringBuilder append(StringBuilder word, Object text) {
    return (word == null ? new StringBuilder() : word).append(text);
  }

  private static IllegalArgumentException refused(char c, String text, int at) {
    int from = text.lastIndexOf('\n', at) + 1;
    int to = text.indexOf('\n', at);
    String line = text.substring(from, to < 0 ? text.length() : to);
    return new IllegalArgumentException(
        "'" + c + "' needs a shell; the README's commands must run as written: " + line.strip());
  }

  /** The value of {@code flag}; the option must be there once. */
  public String option(String flag) {
    List<Option> found = options.stream().filter(o -> o.flag().equals(flag)).toList();
    if (found.size() != 1) {
      throw new IllegalArgumentException(
          flag + " appears " + found.size() + " times (not once) in " + this);
    }
    return found.get(0).value();
  }

  public String mainClass() {
    return option("--class");
  }

  /** The {@code --conf key=value} pairs, in order. */
  public Map<String, String> confs() {
    Map<String, String> confs = new LinkedHashMap<>();
    for (Option o : options) {
      if (o.flag().equals("--conf")) {
        int eq = o.value().indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--conf " + o.value() + " is not key=value");
        }
        confs.put(o.value().substring(0, eq), o.value().substring(eq + 1));
      }
    }
    return confs;
  }

  /** The same command with {@code flag}'s value replaced; the option must be there once. */
  public SubmitLine withOption(String flag, String value) {
    option(flag);
    List<Option> changed = new ArrayList<>();
    for (Option o : options) {
      changed.add(o.flag().equals(flag) ? new Option(flag, value) : o);
    }
    return new SubmitLine(changed, appJar, appArgs);
  }

  /** The same command with {@code --conf key=value}, replacing the key's value or added last. */
  public SubmitLine withConf(String key, String value) {
    List<Option> changed = new ArrayList<>();
    boolean replaced = false;
    for (Option o : options) {
      if (o.flag().equals("--conf") && o.value().startsWith(key + "=")) {
        changed.add(new Option("--conf", key + "=" + value));
        replaced = true;
      } else {
        changed.add(o);
      }
    }
    if (!replaced) {
      changed.add(new Option("--conf", key + "=" + value));
    }
    return new SubmitLine(changed, appJar, appArgs);
  }

  public SubmitLine withAppJar(String jar) {
    return new SubmitLine(options, jar, appArgs);
  }

  /** The same command with the application argument {@code current} (which must be there) replaced. */
  public SubmitLine withAppArg(String current, String replacement) {
    if (!appArgs.contains(current)) {
      throw new IllegalArgumentException("no argument '" + current + "' in " + appArgs);
    }
    return new SubmitLine(
        options, appJar, appArgs.stream().map(a -> a.equals(current) ? replacement : a).toList());
  }

  /**
   * The same command with the value of its {@code --set key=...} (which must be there) replaced
   * by {@code hoconValue}.
   */
  public SubmitLine withSetting(String key, String hoconValue) {
    List<String> args = new ArrayList<>(appArgs);
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals("--set") && args.get(i + 1).startsWith(key + "=")) {
        args.set(i + 1, key + "=" + hoconValue);
        return new SubmitLine(options, appJar, args);
      }
    }
    throw new IllegalArgumentException("no '--set " + key + "=...' in " + appArgs);
  }

  /** The value of {@code --set key=...} as written (HOCON syntax). */
  public String setting(String key) {
    for (int i = 0; i + 1 < appArgs.size(); i++) {
      if (appArgs.get(i).equals("--set") && appArgs.get(i + 1).startsWith(key + "=")) {
        return appArgs.get(i + 1).substring(key.length() + 1);
      }
    }
    throw new IllegalArgumentException("no '--set " + key + "=...' in " + appArgs);
  }

  /** spark-submit's arguments (everything after the word {@code spark-submit}). */
  public List<String> arguments() {
    List<String> args = new ArrayList<>();
    for (Option o : options) {
      args.add(o.flag());
      if (o.value() != null) {
        args.add(o.value());
      }
    }
    args.add(appJar);
    args.addAll(appArgs);
    return args;
  }

  @Override
  public String toString() {
    return "spark-submit " + String.join(" ", arguments());
  }
}
