package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.auth.Tokens;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.proto.v1.SyncRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.IdentityProvider;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * API.md v1.1, Tokens from an identity provider, over a real port: an Auth0-style configuration
 * (issuer-uri discovery, audience, derived user uuids) next to the shared secret; the server
 * starts while the provider is down and answers UNAVAILABLE until it is up.
 */
class IdentityProviderAuthenticationTest {

    @Test
    void aServerStartedWhileTheProviderIsDownAcceptsItsTokensOnceItIsUp() throws Exception {
        try (IdentityProvider idp = IdentityProvider.onFreePort().addKey(IdentityProvider.Kind.RSA, "rsa-1")) {
            ConfigurableApplicationContext server = Servers.startOnTestDatabase(Map.of(
                    "eventsync.auth.issuer-uri", idp.issuer(),
                    "eventsync.auth.audience", IdentityProvider.AUDIENCE,
                    "eventsync.auth.derive-user-uuid", "true"));
            try (Api api = new Api(Servers.port(server))) {
                String subject = "auth0|64f0c1e2a3b4c5d6e7f80912";
                String token = idp.token("rsa-1", idp.claims(subject).build());
                Event created = Events.createConversation(Events.newUuid(), "from the IdP");
                SyncRequest request = SyncRequest.newBuilder().addEvents(created).build();

                assertThatThrownBy(() -> api.stub("Bearer " + token).sync(request))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

                idp.start();
                assertThat(api.stub("Bearer " + token).sync(request).getResults(0).hasAccepted()).isTrue();
                List<Event> feed = new ArrayList<>();
                api.stub("Bearer " + token).syncFromServer(SyncFromServerRequest.getDefaultInstance()).forEachRemaining(feed::add);
                assertThat(feed.get(0).getUuid()).isEqualTo(created.getUuid());
                assertThat(feed.get(0).getAuthorUuid())
                        .isEqualTo(Tokens.derivedUserUuid(idp.issuer(), subject).toString());

                String otherAudience = idp.token("rsa-1", idp.claims(subject).audience("another-app").build());
                assertThatThrownBy(() -> api.stub("Bearer " + otherAudience).sync(request))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
                // The shared secret still works next to the provider; its tokens carry no iss, so
                // they meet the issuer rule only where none is configured: here they are refused.
                assertThatThrownBy(() -> api.newUser().sync(Events.displayName("hs256")))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getDescription()).contains("iss"));
            } finally {
                server.close();
            }
        }
    }
}
