package dev.eventsync.push;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * The operator's push gateways ({@code eventsync.push.allowed-gateways}): the only addresses the
 * server ever connects to on a user's behalf. An entry ending in {@code /} allows the URLs that
 * start with it, any other entry only itself. Matching is on the exact text, so
 * {@code https://push.example.com/} never allows {@code https://push.example.com.evil.net/}.
 */
public final class GatewayAllowlist {

    private final List<String> entries;

    public GatewayAllowlist(List<String> entries) {
        for (String entry : entries) {
            requireGatewayEntry(entry);
        }
        this.entries = List.copyOf(entries);
    }

    public boolean allows(String gatewayUrl) {
        for (String entry : entries) {
            if (entry.endsWith("/") ? gatewayUrl.startsWith(entry) : gatewayUrl.equals(entry)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * An entry must name its host: a prefix such as {@code https://} (which ends in a slash)
     * would allow every address, the very thing the allowlist exists to prevent.
     */
    private static void requireGatewayEntry(String entry) {
        String problem = null;
        try {
            URI uri = new URI(entry);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                problem = "is not an http(s) URL";
            } else if (uri.getHost() == null || uri.getRawAuthority() == null) {
                problem = "names no host";
            } else if (uri.getRawUserInfo() != null) {
                problem = "holds user information";
            } else if (entry.endsWith("/") && (uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
                problem = "names no path";
            }
        } catch (URISyntaxException e) {
            problem = "is not a URL (" + e.getReason() + ")";
        }
        if (problem != null) {
            throw new IllegalArgumentException("eventsync.push.allowed-gateways: '" + entry + "' " + problem
                    + "; give each gateway as https://host[:port]/path (ending in / to allow every path under it)");
        }
    }
}
