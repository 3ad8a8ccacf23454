package dev.eventsync.store;

import dev.eventsync.events.Command;
import dev.eventsync.events.Submission;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** What a batch must load before it is decided: collected once from its well-formed submissions. */
final class Needs {

    /** A message as some user refers to it (visibility is per user). */
    record MessageRef(UUID conversation, UUID message, UUID viewer) {}

    record MemberKey(UUID conversation, UUID user) {}

    /** In uuid order: the order every writer locks them in. */
    final Set<UUID> conversations = new TreeSet<>();
    final Set<UUID> profileAuthors = new HashSet<>();
    final Set<UUID> eventUuids = new HashSet<>();
    final Set<MessageRef> messages = new LinkedHashSet<>();
    /** Conversations whose last seq the batch needs (it sends messages, adds or removes members there). */
    final Set<UUID> sequenced = new HashSet<>();
    final Set<MemberKey> markers = new LinkedHashSet<>();
    /** Users whose blocks (either direction) decide the batch: creators, adders, typers. */
    final Set<UUID> blockParties = new HashSet<>();
    /** Both users of each block or unblock of the batch. */
    final Set<UUID> blockChanges = new HashSet<>();
    /** Messages a delete may erase: their edit and reaction events are loaded. */
    final Set<MessageRef> deletions = new LinkedHashSet<>();
    /** Media named by attachments and pictures; in uuid order, the order their rows are locked in. */
    final Set<UUID> media = new TreeSet<>();

    static Needs of(List<Pending> calls) {
        Needs needs = new Needs();
        for (Pending call : calls) {
            for (Submission submission : call.submissions()) {
                if (submission instanceof Submission.Transitory t) {
                    needs.conversations.add(t.command().conversation());
                    needs.blockParties.add(call.caller());
                } else if (submission instanceof Submission.Storable s) {
                    needs.eventUuids.add(s.eventUuid());
                    if (s.createsConversation() != null) {
                        needs.conversations.add(s.createsConversation());
                    }
                    if (s.command() != null) {
                        needs.add(call.caller(), s.command());
                    }
                }
            }
        }
        return needs;
    }

    private void add(UUID caller, Command command) {
        UUID conversation = command.conversation();
        if (conversation != null) {
            conversations.add(conversation);
        } else if (command instanceof Command.BlockUser c) {
            blockChanges.add(caller);
            blockChanges.add(c.user());
        } else {
            profileAuthors.add(caller); // a profile event reaches the author's contacts
        }
        if (command instanceof Command.CreateConversation || command instanceof Command.AddMember) {
            blockParties.add(caller);
            sequenced.add(conversation);
        } else if (command instanceof Command.RemoveMember) {
            sequenced.add(conversation); // the ended membership's last message
        } else if (command instanceof Command.SendMessage c) {
            sequenced.add(conversation);
            if (c.replyTo() != null) {
                messages.add(new MessageRef(conversation, c.replyTo(), caller));
            }
            c.attachments().forEach(a -> media.add(a.media()));
        } else if (command instanceof Command.ReadMessage c) {
            marker(caller, conversation, c.message());
        } else if (command instanceof Command.MarkDelivered c) {
            marker(caller, conversation, c.message());
        } else if (command instanceof Command.EditMessage c) {
            messages.add(new MessageRef(conversation, c.message(), caller));
        } else if (command instanceof Command.ChangeReactions c) {
            messages.add(new MessageRef(conversation, c.message(), caller));
        } else if (command instanceof Command.DeleteMessage c) {
            MessageRef ref = new MessageRef(conversation, c.message(), caller);
            messages.add(ref);
            deletions.add(ref);
        } else if (command instanceof Command.ChangeProfilePicture c && c.media() != null) {
            media.add(c.media());
        }
    }

    private void marker(UUID caller, UUID conversation, UUID message) {
        messages.add(new MessageRef(conversation, message, caller));
        markers.add(new MemberKey(conversation, caller));
    }
}
