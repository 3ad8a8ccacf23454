package dev.eventsync.client.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The commands about a conversation or a user rather than a message: my own settings (mute,
 * archive, pin: shown by {@code list}), admins, membership, blocking. The server decides who may
 * (a non-admin making someone admin: FORBIDDEN); the run prints its reason and exits 1.
 */
final class ConversationCommands {

    /** A mute without an end: the protocol has no "forever", so the latest time a Timestamp holds. */
    static final Instant MUTED_FOR_GOOD = Instant.parse("9999-12-31T23:59:59Z");

    private ConversationCommands() {}

    /** A member of a conversation: a user uuid, checked before anything is queued. */
    static final class Member {
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;
        @Parameters(index = "1", description = "member user uuid") String user;

        String user() {
            return ChatArguments.user(user);
        }
    }

    /** A setting of mine in a conversation: on, or off with {@code --off}. */
    static final class Setting {
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;
        @Option(names = "--off", description = "turn it off") boolean off;
    }

    @Command(name = "mute", description = "Mute a conversation until unmuted (--off unmutes); `list` shows it muted.")
    static final class Mute implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Setting setting;

        @Override
        public Integer call() {
            return ChatSession.change(chat, session ->
                    session.client().mute(session.conversation(setting.conversation), setting.off ? null : MUTED_FOR_GOOD));
        }
    }

    @Command(name = "archive", description = "Archive a conversation (--off: back from the archive); `list` shows it last.")
    static final class Archive implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Setting setting;

        @Override
        public Integer call() {
            return ChatSession.change(chat, session -> session.client().archive(session.conversation(setting.conversation), !setting.off));
        }
    }

    @Command(name = "pin", description = "Pin a conversation (--off unpins); `list` shows it first.")
    static final class Pin implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Setting setting;

        @Override
        public Integer call() {
            return ChatSession.change(chat, session -> session.client().pin(session.conversation(setting.conversation), !setting.off));
        }
    }

    @Command(name = "admin", description = "Make a member admin (--off: no longer); admins only.")
    static final class Admin implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Member member;
        @Option(names = "--off", description = "revoke admin") boolean off;

        @Override
        public Integer call() {
            String user = member.user();
            return ChatSession.change(chat, session -> session.client().setAdmin(session.conversation(member.conversation), user, !off));
        }
    }

    @Command(name = "remove", description = "Remove a member from a conversation; admins only.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Member member;

        @Override
        public Integer call() {
            String user = member.user();
            return ChatSession.change(chat, session -> session.client().removeMember(session.conversation(member.conversation), user));
        }
    }

    @Command(name = "leave", description = "Leave a conversation (`list` then shows it as left).")
    static final class Leave implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;

        @Override
        public Integer call() {
            return ChatSession.change(chat, session -> session.client().leave(session.conversation(conversation)));
        }
    }

    @Command(name = "block", description = "Block a user (--off unblocks): `read` hides their messages.")
    static final class Block implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "user uuid") String user;
        @Option(names = "--off", description = "unblock") boolean off;

        @Override
        public Integer call() {
            String blocked = ChatArguments.user(user);
            return ChatSession.change(chat, session -> session.client().block(blocked, !off));
        }
    }
}
