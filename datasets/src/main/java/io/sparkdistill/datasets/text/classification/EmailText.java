package io.sparkdistill.datasets.text.classification;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The text a classifier sees of a raw e-mail (RFC 822: headers, a blank line, the body): its {@code
 * Subject} and its body, with the other headers, MIME structure and HTML markup removed crudely.
 * Routing headers would let a model learn the mail servers of the 2002 corpus rather than the
 * language of spam; base64 lines and markup are noise to a word tokenizer.
 *
 * <p>Crude on purpose: no MIME parsing, no charset or quoted-printable decoding beyond soft line
 * breaks; MIME part headers, boundary lines and base64-looking lines are dropped, {@code <style>}
 * and {@code <script>} blocks and tags become spaces, the common entities are decoded, whitespace
 * is collapsed.
 *
 * @param subject the unfolded Subject header ("" when absent)
 * @param body the cleaned body ("" when empty)
 * @param hasBody whether a blank line ends the headers at all
 */
record EmailText(String subject, String body, boolean hasBody) {
  private static final Pattern CONTINUATION = Pattern.compile("\n[ \t]+");
  private static final Pattern BLOCKS =
      Pattern.compile("(?is)<(style|script|head)\\b.*?</\\1\\s*>");
  private static final Pattern COMMENTS = Pattern.compile("(?s)<!--.*?-->");
  private static final Pattern TAGS = Pattern.compile("<[^<>]{0,2000}>");
  private static final Pattern ENTITIES =
      Pattern.compile("&(nbsp|#160|#xa0);", Pattern.CASE_INSENSITIVE);
  private static final Pattern OTHER_ENTITIES = Pattern.compile("&#?[a-zA-Z0-9]{1,8};");
  private static final Pattern SOFT_BREAK = Pattern.compile("=\n");
  private static final Pattern MIME_LINE =
      Pattern.compile(
          "(?im)^(--\\S+|content-[a-z-]+:.*|\\s+(boundary|charset|name|filename)=.*|[A-Za-z0-9+/]{40,}={0,2}|This"
              + " is a multi-part message in MIME format\\.?)[ \t]*$");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  /** Splits and cleans {@code raw}. */
  static EmailText of(String raw) {
    String text = raw.replace("\r\n", "\n").replace('\r', '\n');
    int end = text.indexOf("\n\n");
    String headers = end < 0 ? text : text.substring(0, end);
    String subject = subject(CONTINUATION.matcher(headers).replaceAll(" "));
    if (end < 0) {
      return new EmailText(subject, "", false);
    }
    return new EmailText(subject, clean(text.substring(end + 2)), true);
  }

  /** What the classifier reads: the subject, a line break, the body. */
  String text() {
    return subject.isEmpty() ? body : subject + "\n" + body;
  }

  private static String subject(String unfolded) {
    for (String line : unfolded.split("\n")) {
      if (line.regionMatches(true, 0, "Subject:", 0, 8)) {
        return WHITESPACE.matcher(line.substring(8)).replaceAll(" ").trim();
      }
    }
    return "";
  }

  static String clean(String body) {
    String text = SOFT_BREAK.matcher(body).replaceAll("");
    text = MIME_LINE.matcher(text).replaceAll(" ");
    text = COMMENTS.matcher(text).replaceAll(" ");
    text = BLOCKS.matcher(text).replaceAll(" ");
    text = TAGS.matcher(text).replaceAll(" ");
    text = ENTITIES.matcher(text).replaceAll(" ");
    text =
        OTHER_ENTITIES
            .matcher(text)
            .replaceAll(
                m ->
                    switch (m.group().toLowerCase(Locale.ROOT)) {
                      case "&amp;" -> "&";
                      case "&lt;" -> "<";
                      case "&gt;" -> ">";
                      case "&quot;" -> "\"";
                      default -> " ";
                    });
    return WHITESPACE.matcher(text).replaceAll(" ").trim();
  }
}
