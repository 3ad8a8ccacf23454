package dev.eventsync.push;

import dev.eventsync.proto.v1.Pusher;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * A well-formed pusher (API.md v1.1, PushService): non-empty app_id and pushkey within their
 * sizes, an absolute http(s) gateway URL, a known format (unspecified reads as FULL). Anything
 * else is INVALID_ARGUMENT, before the allowlist is consulted.
 */
public record PusherRegistration(PusherKey key, String gatewayUrl, Pusher.Format format,
                                 String deviceDisplayName, String lang) {

    static final int MAX_GATEWAY_URL_BYTES = 2048;
    static final int MAX_DEVICE_DISPLAY_NAME_BYTES = 256;
    static final int MAX_LANG_BYTES = 64;

    public static PusherRegistration of(Pusher pusher) {
        PusherKey key = PusherKey.of(pusher.getAppId(), pusher.getPushkey());
        String url = pusher.getGatewayUrl();
        if (!isHttpUrl(url)) {
            throw PusherKey.invalid("gateway_url must be an absolute http(s) URL with a host (the gateway's"
                    + " …/_matrix/push/v1/notify), at most " + MAX_GATEWAY_URL_BYTES + " bytes");
        }
        Pusher.Format format = switch (pusher.getFormat()) {
            case FORMAT_UNSPECIFIED, FULL -> Pusher.Format.FULL;
            case EVENT_ID_ONLY -> Pusher.Format.EVENT_ID_ONLY;
            case UNRECOGNIZED -> throw PusherKey.invalid("format " + pusher.getFormatValue() + " is unknown (1 FULL, 2 EVENT_ID_ONLY)");
        };
        PusherKey.requireAtMost("device_display_name", pusher.getDeviceDisplayName(), MAX_DEVICE_DISPLAY_NAME_BYTES);
        PusherKey.requireAtMost("lang", pusher.getLang(), MAX_LANG_BYTES);
        return new PusherRegistration(key, url, format, pusher.getDeviceDisplayName(), pusher.getLang());
    }

    public Pusher toProto() {
        return Pusher.newBuilder().setAppId(key.appId()).setPushkey(key.pushkey()).setGatewayUrl(gatewayUrl)
                .setFormat(format).setDeviceDisplayName(deviceDisplayName).setLang(lang).build();
    }

    private static boolean isHttpUrl(String url) {
        if (url.getBytes(StandardCharsets.UTF_8).length > MAX_GATEWAY_URL_BYTES) {
            return false;
        }
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
