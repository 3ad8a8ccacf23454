package dev.eventsync.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's allowlist: prefixes only with a trailing slash, exact text otherwise, no entry that allows everything. */
class GatewayAllowlistTest {

    final GatewayAllowlist allowlist = new GatewayAllowlist(List.of(
            "https://push.example.com/", "http://10.0.0.5:5000/_matrix/push/v1/notify"));

    @Test
    void anEntryEndingInASlashAllowsTheUrlsUnderIt() {
        assertThat(allowlist.allows("https://push.example.com/_matrix/push/v1/notify")).isTrue();
        assertThat(allowlist.allows("https://push.example.com/")).isTrue();
    }

    @Test
    void aPrefixDoesNotAllowAnotherHostThatStartsLikeIt() {
        assertThat(allowlist.allows("https://push.example.com.evil.net/_matrix/push/v1/notify")).isFalse();
        assertThat(allowlist.allows("https://push.example.com:8443/_matrix/push/v1/notify")).isFalse();
        assertThat(allowlist.allows("http://push.example.com/_matrix/push/v1/notify")).isFalse();
    }

    @Test
    void anyOtherEntryAllowsOnlyItself() {
        assertThat(allowlist.allows("http://10.0.0.5:5000/_matrix/push/v1/notify")).isTrue();
        assertThat(allowlist.allows("http://10.0.0.5:5000/_matrix/push/v1/notify/x")).isFalse();
        assertThat(allowlist.allows("http://10.0.0.5:5000/_matrix/push/v1/notif")).isFalse();
    }

    @Test
    void noEntriesAllowNothing() {
        GatewayAllowlist none = new GatewayAllowlist(List.of());
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.allows("https://push.example.com/_matrix/push/v1/notify")).isFalse();
    }

    @Test
    void anEntryThatWouldAllowAnyHostIsRefusedAtStartup() {
        for (String entry : List.of("https://", "http://", "https:///", "ftp://push.example.com/", "push.example.com/",
                "https://user@push.example.com/", "not a url/")) {
            assertThatThrownBy(() -> new GatewayAllowlist(List.of(entry)))
                    .as(entry).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("eventsync.push.allowed-gateways");
        }
    }

    @Test
    void anExactEntryNeedsNoPath() {
        GatewayAllowlist exact = new GatewayAllowlist(List.of("https://push.example.com"));
        assertThat(exact.allows("https://push.example.com")).isTrue();
        assertThat(exact.allows("https://push.example.com/_matrix/push/v1/notify")).isFalse();
    }
}
