package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.UserIsTyping;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The NOTIFY payloads: what a sender writes is what a listener reads, within PostgreSQL's limit. */
class NotificationsTest {

    @Test
    void aWakeUpCarriesItsUsersItsPositionAndItsClock() {
        List<UUID> users = List.of(UUID.randomUUID(), UUID.randomUUID());

        Notifications.Payload payload = Notifications.parse(Notifications.wake(users, 1234).at(987654321012L));

        assertThat(payload.kind()).isEqualTo('W');
        assertThat(payload.users()).containsExactlyElementsOf(users);
        assertThat(payload.position()).isEqualTo(987654321012L);
        assertThat(payload.sentAtMillis()).isEqualTo(1234);
    }

    @Test
    void aWakeUpForTooManyUsersWakesEveryoneAndStaysUnderTheLimit() {
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            users.add(UUID.randomUUID());
        }
        String text = Notifications.wake(users, System.currentTimeMillis()).at(Long.MAX_VALUE);

        assertThat(text.length()).isLessThan(Notifications.MAX_PAYLOAD);
        assertThat(Notifications.parse(text).users()).as("everyone").isNull();
        assertThat(Notifications.parse(text).position()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theLongestListOfUsersStillFitsWithTheLargestPosition() {
        List<UUID> users = new ArrayList<>();
        String text;
        do {
            users.add(UUID.randomUUID());
            text = Notifications.wake(users, System.currentTimeMillis()).at(Long.MAX_VALUE);
        } while (Notifications.parse(text).users() != null);
        users.remove(users.size() - 1);
        String longest = Notifications.wake(users, System.currentTimeMillis()).at(Long.MAX_VALUE);

        assertThat(longest.length()).isLessThanOrEqualTo(Notifications.MAX_PAYLOAD);
        assertThat(Notifications.parse(longest).users()).hasSize(users.size());
    }

    @Test
    void aTransitoryEventIsSplitOverPayloadsThatEachFit() {
        Event typing = Event.newBuilder().setUserIsTyping(UserIsTyping.newBuilder().setTyping(true)).build();
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            users.add(UUID.randomUUID());
        }

        List<String> payloads = Notifications.transitory(typing, users);

        assertThat(payloads).hasSizeGreaterThan(1).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(Notifications.MAX_PAYLOAD));
        List<UUID> received = new ArrayList<>();
        payloads.forEach(p -> {
            Notifications.Payload payload = Notifications.parse(p);
            assertThat(payload.event()).isEqualTo(typing);
            received.addAll(payload.users());
        });
        assertThat(received).containsExactlyElementsOf(users);
    }

    @Test
    void anUnreadablePayloadWakesEveryoneAndAnnouncesNoPosition() {
        for (String unreadable : List.of("", "W", "W 12 users", "W x 5 *", "E !!! " + UUID.randomUUID(), "Z 1 2 3")) {
            Notifications.Payload payload = Notifications.parse(unreadable);
            assertThat(payload.kind()).as(unreadable).isEqualTo('W');
            assertThat(payload.users()).as(unreadable).isNull();
            assertThat(payload.position()).as(unreadable).isZero();
        }
    }
}
