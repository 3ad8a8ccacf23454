package dev.eventsync.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Events;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The v1.1 rules of API.md (edit, delete, reactions, replies, mentions, markers, admins, blocks,
 * settings) and their precedence, decided by {@link Decider} over {@link MemoryState}, and the
 * audiences {@link Delivery} builds for them. No database, no gRPC.
 */
class LifecycleRulesTest {

    static final Limits LIMITS = new Limits(100, DataSize.ofMegabytes(4), DeciderTest.MAX_MESSAGE,
            DeciderTest.MAX_CONVERSATION_NAME, DeciderTest.MAX_DISPLAY_NAME, 10, DataSize.ofBytes(DeciderTest.MAX_PICTURE));

    final Decider decider = new Decider(LIMITS);
    final Submissions submissions = new Submissions(LIMITS);
    final MemoryState state = new MemoryState();

    final UUID alice = UUID.randomUUID(); // admin of chat
    final UUID bob = UUID.randomUUID();
    final UUID carol = UUID.randomUUID(); // joins chat after bob's first message
    final UUID dave = UUID.randomUUID(); // in no conversation

    final UUID chat = UUID.randomUUID();
    final UUID bobsMessage = UUID.randomUUID();
    final UUID alicesMessage = UUID.randomUUID();
    final UUID elsewhere = UUID.randomUUID();
    final UUID elsewhereMessage = UUID.randomUUID();

    LifecycleRulesTest() {
        state.conversation(chat, "chat", alice, bob);
        state.message(chat, bobsMessage, bob);
        state.join(chat, carol);
        state.message(chat, alicesMessage, alice);
        state.conversation(elsewhere, "other", bob, dave);
        state.message(elsewhere, elsewhereMessage, bob);
    }

    Outcome decide(UUID caller, Event event) {
        return decider.decide(caller, submissions.parse(event), state);
    }

    void refused(UUID caller, Event event, Reason reason) {
        DeciderTest.assertRefused(decide(caller, event), reason);
    }

    Command accepted(UUID caller, Event event) {
        return DeciderTest.assertAccepted(decide(caller, event));
    }

    Delivery.Stored stored(UUID caller, Event event) {
        return Delivery.of(caller, UUID.fromString(event.getUuid()), accepted(caller, event), state, Instant.EPOCH);
    }

    static String s(UUID uuid) {
        return uuid.toString();
    }

    @Nested
    class Editing {

        @Test
        void theAuthorEditsAndTheEditCarriesTheWholeNewTextToTheCurrentMembers() {
            Delivery.Stored edit = stored(bob, Events.edit(s(chat), s(bobsMessage), "fixed", s(carol), s(carol)));
            assertThat(edit.delivered().getMessageEdited().getText()).isEqualTo("fixed");
            assertThat(edit.delivered().getMessageEdited().getMentionedUserUuidsList()).containsExactly(s(carol));
            assertThat(edit.delivered().getMessageEdited().hasEditedAt()).isTrue();
            assertThat(edit.recipients()).containsExactlyInAnyOrder(alice, bob, carol);
        }

        @Test
        void anotherMemberIsForbiddenEvenAnAdmin() {
            refused(alice, Events.edit(s(chat), s(bobsMessage), "not mine"), Reason.FORBIDDEN);
        }

        @Test
        void aMessageTheCallerCannotSeeIsUnknownBeforeItsAuthorIsChecked() {
            // carol joined after bob's message: she never saw it, so she learns nothing of its author
            refused(carol, Events.edit(s(chat), s(bobsMessage), "x"), Reason.UNKNOWN_MESSAGE);
            refused(bob, Events.edit(s(chat), s(elsewhereMessage), "x"), Reason.UNKNOWN_MESSAGE);
        }

        @Test
        void aDeletedMessageIsMessageDeletedAfterTheAuthorCheck() {
            state.delete(chat, bobsMessage);
            refused(bob, Events.edit(s(chat), s(bobsMessage), "too late"), Reason.MESSAGE_DELETED);
            refused(alice, Events.edit(s(chat), s(bobsMessage), "not mine"), Reason.FORBIDDEN);
        }

        @Test
        void emptyTextIsInvalidUnlessTheMessageHasAttachments() {
            refused(bob, Events.edit(s(chat), s(bobsMessage), ""), Reason.INVALID);
            state.withAttachments(chat, bobsMessage, 1);
            accepted(bob, Events.edit(s(chat), s(bobsMessage), ""));
        }

        @Test
        void mentionsMustBeCurrentMembersAndTextHasItsLimits() {
            refused(bob, Events.edit(s(chat), s(bobsMessage), "hey", s(dave)), Reason.INVALID);
            refused(bob, Events.edit(s(chat), s(bobsMessage), "x".repeat(DeciderTest.MAX_MESSAGE + 1)), Reason.TOO_LARGE);
            refused(bob, Events.edit(s(chat), s(bobsMessage), "a\u0000"), Reason.INVALID);
        }

        @Test
        void aFormerMemberIsForbiddenBeforeTheMessageIsLookedAt() {
            state.members(chat).remove(bob);
            refused(bob, Events.edit(s(chat), s(UUID.randomUUID()), "x"), Reason.FORBIDDEN);
        }
    }

    @Nested
    class Deleting {

        @Test
        void theAuthorOrAnAdminDeletesOthersAreForbidden() {
            accepted(bob, Events.delete(s(chat), s(bobsMessage)));
            accepted(alice, Events.delete(s(chat), s(bobsMessage)));
            refused(bob, Events.delete(s(chat), s(alicesMessage)), Reason.FORBIDDEN);
        }

        @Test
        void aDeleteReachesTheCurrentMembersAndNamesTheDeleter() {
            Delivery.Stored delete = stored(alice, Events.delete(s(chat), s(bobsMessage)));
            assertThat(delete.delivered().getMessageDeleted().getDeletedByUuid()).isEqualTo(s(alice));
            assertThat(delete.recipients()).containsExactlyInAnyOrder(alice, bob, carol);
        }

        @Test
        void deletingTwiceIsMessageDeleted() {
            state.delete(chat, bobsMessage);
            refused(bob, Events.delete(s(chat), s(bobsMessage)), Reason.MESSAGE_DELETED);
        }
    }

    @Nested
    class Reactions {

        @Test
        void theSetIsStoredWithDuplicatesRemovedFirstOccurrenceKept() {
            Delivery.Stored react = stored(carol, Events.react(s(chat), s(alicesMessage), "👍", "🎉", "👍", "👨‍👩‍👧"));
            assertThat(react.delivered().getReactionsChanged().getReactionsList()).containsExactly("👍", "🎉", "👨‍👩‍👧");
            assertThat(react.delivered().getReactionsChanged().getUserUuid()).isEqualTo(s(carol));
            assertThat(react.recipients()).containsExactlyInAnyOrder(alice, bob, carol);
        }

        @Test
        void anEmptySetRemovesTheCallersReactions() {
            accepted(carol, Events.react(s(chat), s(alicesMessage)));
        }

        @Test
        void emojiSequencesWithFormatCharactersAreAllowed() {
            accepted(bob, Events.react(s(chat), s(alicesMessage), "❤️", "🏳️‍🌈", "🏴\uDB40\uDC67\uDB40\uDC62\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67\uDB40\uDC7F"));
        }

        @Test
        void badReactionsAreInvalid() {
            for (String bad : List.of("", " ", "a b", "\t", "\u00a0", "x".repeat(17), "\u0007")) {
                refused(bob, Events.react(s(chat), s(alicesMessage), bad), Reason.INVALID);
            }
            String[] many = new String[21];
            for (int i = 0; i < many.length; i++) {
                many[i] = "r" + i;
            }
            refused(bob, Events.react(s(chat), s(alicesMessage), many), Reason.INVALID);
            accepted(bob, Events.react(s(chat), s(alicesMessage), "a", "a", "a")); // one distinct
        }

        @Test
        void aDeletedMessageIsMessageDeletedAndAnInvisibleOneUnknown() {
            refused(carol, Events.react(s(chat), s(bobsMessage), "👍"), Reason.UNKNOWN_MESSAGE);
            state.delete(chat, alicesMessage);
            refused(carol, Events.react(s(chat), s(alicesMessage), "👍"), Reason.MESSAGE_DELETED);
        }
    }

    @Nested
    class RepliesMentionsAttachments {

        @Test
        void aReplyMustNameAVisibleMessageOfTheConversationADeletedOneToo() {
            refused(carol, Events.reply(s(chat), "re", s(bobsMessage)), Reason.UNKNOWN_MESSAGE);
            refused(bob, Events.reply(s(chat), "re", s(elsewhereMessage)), Reason.UNKNOWN_MESSAGE);
            state.delete(chat, bobsMessage);
            Delivery.Stored reply = stored(alice, Events.reply(s(chat), "re", s(bobsMessage)));
            assertThat(reply.delivered().getNewMessage().getMessage().getReplyToMessageUuid()).isEqualTo(s(bobsMessage));
        }

        @Test
        void mentionsAreCurrentMembersTheAuthorIncludedDuplicatesRemoved() {
            Delivery.Stored sent = stored(alice, Events.mention(s(chat), "hi", s(bob), s(alice), s(bob)));
            assertThat(sent.delivered().getNewMessage().getMessage().getMentionedUserUuidsList()).containsExactly(s(bob), s(alice));
            refused(alice, Events.mention(s(chat), "hi", s(dave)), Reason.INVALID);
            refused(alice, Events.mention(s(chat), "hi", "not-a-uuid"), Reason.INVALID);
        }
    }

    @Nested
    class Markers {

        @Test
        void aMarkerMustNameAVisibleMessageADeletedOneToo() {
            refused(carol, Events.read(s(chat), s(bobsMessage)), Reason.UNKNOWN_MESSAGE);
            refused(carol, Events.delivered(s(chat), s(bobsMessage)), Reason.UNKNOWN_MESSAGE);
            state.delete(chat, alicesMessage);
            accepted(carol, Events.read(s(chat), s(alicesMessage)));
            accepted(carol, Events.delivered(s(chat), s(alicesMessage)));
        }

        @Test
        void aDeliveredMarkerReachesTheCallerAndTheAuthorsItNewlyCovers() {
            // bob's marker on alice's message covers bob's own message and alice's: alice is told
            Delivery.Stored delivered = stored(bob, Events.delivered(s(chat), s(alicesMessage)));
            assertThat(delivered.recipients()).containsExactlyInAnyOrder(bob, alice);
            assertThat(delivered.delivered().getMessagesDelivered().getUserUuid()).isEqualTo(s(bob));
        }

        @Test
        void aMarkerCoveringNothingNewReachesOnlyTheCaller() {
            state.marker(chat, bob, 2, 0); // bob read up to alice's message: delivered counts it
            assertThat(stored(bob, Events.delivered(s(chat), s(alicesMessage))).recipients()).containsExactly(bob);
        }

        @Test
        void messagesBeforeTheCallerJoinedAreNotNewlyCoveredAndAuthorsWhoLeftAreNotTold() {
            UUID bobsSecond = UUID.randomUUID();
            state.message(chat, bobsSecond, bob);
            // carol joined after bob's first message: her marker covers alice's message and bob's second
            assertThat(stored(carol, Events.delivered(s(chat), s(alicesMessage))).recipients())
                    .containsExactlyInAnyOrder(carol, alice);
            state.members(chat).remove(alice);
            assertThat(stored(carol, Events.delivered(s(chat), s(bobsSecond))).recipients())
                    .containsExactlyInAnyOrder(carol, bob);
        }
    }

    @Nested
    class Admins {

        @Test
        void onlyAnAdminChangesRoles() {
            refused(bob, Events.role(s(chat), s(carol), true), Reason.FORBIDDEN);
            Delivery.Stored role = stored(alice, Events.role(s(chat), s(carol), true));
            assertThat(role.delivered().getMemberRoleChanged().getChangedByUuid()).isEqualTo(s(alice));
            assertThat(role.recipients()).containsExactlyInAnyOrder(alice, bob, carol);
        }

        @Test
        void aNonMemberOrARoleAlreadyHeldIsInvalid() {
            refused(alice, Events.role(s(chat), s(dave), true), Reason.INVALID);
            refused(alice, Events.role(s(chat), s(alice), true), Reason.INVALID);
            refused(alice, Events.role(s(chat), s(bob), false), Reason.INVALID);
        }

        @Test
        void theLastAdminCannotDemoteThemselfButOneOfTwoCan() {
            refused(alice, Events.role(s(chat), s(alice), false), Reason.FORBIDDEN);
            state.admins(chat).add(bob);
            accepted(alice, Events.role(s(chat), s(alice), false));
        }

        @Test
        void theLastAdminLeavingPromotesTheEarliestJoinedInTheSameEvent() {
            Delivery.Stored left = stored(alice, Events.leave(s(chat)));
            assertThat(left.delivered().getMemberLeft().getPromotedAdminUuid()).isEqualTo(s(bob));
            state.admins(chat).add(carol);
            assertThat(stored(alice, Events.leave(s(chat))).delivered().getMemberLeft().getPromotedAdminUuid()).isEmpty();
        }

        @Test
        void aJoinCarriesTheAdmins() {
            Delivery.Stored join = stored(bob, Events.addMember(s(chat), s(dave)));
            assertThat(join.delivered().getMemberJoined().getAdminUuidsList()).containsExactly(s(alice));
        }
    }

    @Nested
    class Blocking {

        @Test
        void aBlockInEitherDirectionForbidsAddingAndCreating() {
            state.block(dave, alice); // dave blocked alice
            refused(alice, Events.addMember(s(chat), s(dave)), Reason.FORBIDDEN);
            refused(alice, Events.createConversation(s(UUID.randomUUID()), "x", s(dave)), Reason.FORBIDDEN);
            refused(dave, Events.createConversation(s(UUID.randomUUID()), "x", s(alice)), Reason.FORBIDDEN);
            accepted(bob, Events.addMember(s(chat), s(dave)));
        }

        @Test
        void blockingYourselfIsInvalidAnyoneElseEvenNeverSeenIsAccepted() {
            refused(alice, Events.block(s(alice), true), Reason.INVALID);
            assertThat(stored(alice, Events.block(s(UUID.randomUUID()), true)).recipients()).containsExactly(alice);
            refused(alice, Events.block("", true), Reason.INVALID);
        }

        @Test
        void typingNeverCrossesABlock() {
            state.block(carol, alice);
            Delivery.Live typing = Delivery.typing(alice, new Command.SetTyping(chat, true), state, Instant.EPOCH);
            assertThat(typing.recipients()).containsExactly(bob);
            assertThat(Delivery.typing(carol, new Command.SetTyping(chat, true), state, Instant.EPOCH).recipients())
                    .containsExactly(bob);
        }
    }

    @Nested
    class Settings {

        @Test
        void settingsReachOnlyTheCallersOwnDevices() {
            assertThat(stored(bob, Events.settings(s(chat), true, false)).recipients()).isEqualTo(Set.of(bob));
        }

        @Test
        void aNonMemberIsForbiddenAnUnknownConversationUnknown() {
            refused(dave, Events.settings(s(chat), true, true), Reason.FORBIDDEN);
            refused(dave, Events.settings(s(UUID.randomUUID()), true, true), Reason.UNKNOWN_CONVERSATION);
        }
    }
}
