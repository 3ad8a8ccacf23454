package dev.eventsync.client;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the user uuid ({@code sub}) out of a JWT without checking it: the server does that. */
public final class BearerToken {

    private static final Pattern SUBJECT = Pattern.compile("\"sub\"\\s*:\\s*\"([^\"]*)\"");

    private BearerToken() {}

    /** The token's {@code sub} claim; IllegalArgumentException when the token is not a readable JWT. */
    public static String subject(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a JWT (expected three dot-separated parts)");
        }
        String payload;
        try {
            payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a JWT (payload is not base64url)", e);
        }
        Matcher matcher = SUBJECT.matcher(payload);
        if (!matcher.find()) {
            throw new IllegalArgumentException("the token has no sub claim");
        }
        return matcher.group(1);
    }
}
