package dev.eventsync.client.cli;

import dev.eventsync.client.LocalModel;
import dev.eventsync.client.MessageOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The commands aimed at one message, named by the short id {@code read} shows (a prefix of its
 * server uuid): reply, edit, delete, react. Whether the user may do it is the server's to say
 * (editing someone else's message: FORBIDDEN); the run prints its reason and exits 1.
 */
final class MessageCommands {

    private MessageCommands() {}

    /** {@code --mention USER}, repeatable: the users a message mentions, by uuid (current members). */
    static final class Mentions {
        @Option(names = "--mention", paramLabel = "USER", description = "mention this member (user uuid); repeatable")
        List<String> given = new ArrayList<>();

        List<String> users() {
            return ChatArguments.users(given);
        }
    }

    /** The conversation and message a command is aimed at: the first two arguments of each. */
    static final class Target {
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;
        @Parameters(index = "1", description = "the message: its id as `read` shows it (a uuid prefix)") String message;

        /** Resolved on the local copy; throws, queueing nothing, when either is unknown or ambiguous. */
        Aimed resolve(ChatSession session) {
            String uuid = session.conversation(conversation);
            return new Aimed(uuid, session.message(uuid, message));
        }
    }

    record Aimed(String conversation, LocalModel.LocalMessage message) {
        String messageUuid() {
            return message.uuid();
        }
    }

    @Command(name = "reply", description = "Send a message replying to one (shown with its first line quoted).")
    static final class Reply implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Target target;
        @Parameters(index = "2..*", arity = "1..*", description = "the text") List<String> words;
        @Mixin Mentions mentions;

        @Override
        public Integer call() {
            List<String> users = mentions.users();
            return ChatSession.change(chat, session -> {
                Aimed to = target.resolve(session);
                MessageOptions options = MessageOptions.replyTo(to.messageUuid()).withMentions(users.toArray(String[]::new));
                session.client().sendMessage(to.conversation(), String.join(" ", words), options);
            });
        }
    }

    @Command(name = "edit", description = "Replace the text of one of my messages (marked \"(edited)\"); mentions stay unless --mention is given.")
    static final class Edit implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Target target;
        @Parameters(index = "2..*", arity = "1..*", description = "the new text") List<String> words;
        @Mixin Mentions mentions;

        @Override
        public Integer call() {
            List<String> users = mentions.users();
            return ChatSession.change(chat, session -> {
                Aimed edited = target.resolve(session);
                List<String> mentioned = users.isEmpty() ? edited.message().mentions() : users;
                session.client().editMessage(edited.conversation(), edited.messageUuid(), String.join(" ", words),
                        mentioned.toArray(String[]::new));
            });
        }
    }

    @Command(name = "delete", description = "Delete a message for everyone (mine, or any as an admin): a tombstone stays.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Target target;

        @Override
        public Integer call() {
            return ChatSession.change(chat, session -> {
                Aimed deleted = target.resolve(session);
                session.client().deleteMessage(deleted.conversation(), deleted.messageUuid());
            });
        }
    }

    @Command(name = "react", description = "Add a reaction to a message (or take mine away with --remove).")
    static final class React implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Mixin Target target;
        @Parameters(index = "2", description = "the reaction, e.g. 👍") String reaction;
        @Option(names = "--remove", description = "take this reaction of mine away") boolean remove;

        @Override
        public Integer call() {
            return ChatSession.change(chat, session -> {
                Aimed reacted = target.resolve(session);
                LocalModel.LocalMessage m = reacted.message();
                // The event carries my whole set: the shown one with this reaction added or taken away.
                List<String> mine = new ArrayList<>(m.reactions().getOrDefault(session.client().model().me(), List.of()));
                if (remove ? !mine.remove(reaction) : mine.contains(reaction)) {
                    throw new IllegalArgumentException("you have " + (remove ? "not" : "already") + " reacted " + reaction
                            + " to message " + ChatLines.prefix(m.uuid()) + "; nothing was queued");
                }
                if (!remove) {
                    mine.add(reaction);
                }
                session.client().react(reacted.conversation(), m.uuid(), mine.toArray(String[]::new));
            });
        }
    }
}
