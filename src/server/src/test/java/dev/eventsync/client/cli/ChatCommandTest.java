package dev.eventsync.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.auth.AuthProperties;
import dev.eventsync.client.EventsyncClient;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Events;
import dev.eventsync.support.Api;
import dev.eventsync.support.ServerTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** The terminal chat, run in-process as `java -jar eventsync-tools.jar chat ...` would run it. */
@ServerTest
class ChatCommandTest {

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    Run chat(String server, Path db, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--server", server, "--db", db.toString(), "--wait", "10s"));
        all.addAll(List.of(args));
        int code = ChatCommand.run(all.toArray(String[]::new), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void developmentTokensUseTheServersDevelopmentSecret() {
        assertThat(DevelopmentTokens.DEVELOPMENT_SECRET).isEqualTo(AuthProperties.DEVELOPMENT_JWT_SECRET);
    }

    String server() {
        return "127.0.0.1:" + port;
    }

    /** A user logged in on a file of their own. */
    record Person(UUID id, Path db) {}

    Person login(String name) {
        UUID id = UUID.randomUUID();
        Path db = dir.resolve(name + ".db");
        // Signed like a development token, with the test server's secret.
        String token = DevelopmentTokens.mint(Api.SECRET, id, Duration.ofHours(1), Instant.now());
        Run login = chat(server(), db, "", "login", "--token", token);
        assertThat(login.out()).contains("logged in as " + id);
        return new Person(id, db);
    }

    Run chat(Person who, String... args) {
        return chat(server(), who.db(), "", args);
    }

    static String unreachableAddress() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    static String uuidLine(Run run) {
        return run.out().lines().filter(l -> l.matches("[0-9a-f-]{36}")).findFirst().orElseThrow();
    }

    @Test
    void loginCreateAddSendListAndReadAgainstARealServer() {
        Person alice = login("alice");
        Person bob = login("bob");
        assertThat(chat(alice, "whoami").out().trim()).isEqualTo(alice.id().toString());

        Run created = chat(alice, "create", "Lunch", bob.id().toString());
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out()).contains("✓ sent: new conversation Lunch");
        String conversation = uuidLine(created);
        UUID carol = UUID.randomUUID();
        assertThat(chat(alice, "add", "Lunch", carol.toString()).out()).contains("✓ sent: new member " + carol.toString().substring(0, 8) + " in Lunch");
        Run sent = chat(alice, "send", conversation.substring(0, 8), "Noon?");
        assertThat(sent.out()).contains("✓ sent: message \"Noon?\" in Lunch");
        assertThat(sent.err()).isEmpty();

        assertThat(chat(bob, "list").out()).contains(conversation + "  Lunch  (3 members, 1 unread)");
        Run bobReads = chat(bob, "read", "Lunch");
        // someone else's message carries no delivery mark: ✓ is about my own messages
        assertThat(bobReads.out().lines()).anyMatch(l -> l.endsWith(" " + alice.id().toString().substring(0, 8) + ": Noon?"));
        // Bob's read receipt reaches Alice.
        assertThat(chat(alice, "read", "Lunch").out()).contains("me: Noon?  ✓✓ read");
    }

    /** The short id `read` shows for the message whose line holds {@code text}. */
    static String idOf(Run read, String text) {
        return read.out().lines().filter(l -> l.contains(": " + text) || l.contains(") " + text))
                .map(l -> l.substring(0, 8)).filter(id -> id.matches("[0-9a-f]{8}")).findFirst().orElseThrow(
                        () -> new AssertionError("no message " + text + " in\n" + read.out()));
    }

    /** The line of `read` of that message id. */
    static String lineOf(Run read, String id) {
        return read.out().lines().filter(l -> l.startsWith(id + " ")).findFirst().orElseThrow(
                () -> new AssertionError("no message " + id + " in\n" + read.out()));
    }

    Run ok(Person who, String... args) {
        Run run = chat(who, args);
        assertThat(run.code()).as(run.err()).isZero();
        return run;
    }

    String prefix(Person who) {
        return who.id().toString().substring(0, 8);
    }

    @Test
    void readShowsTheNewestPageAndHistoryPagesBackToTheStart() {
        Person alice = login("alice");
        Person bob = login("bob");
        String conversation = uuidLine(ok(alice, "create", "Long", bob.id().toString()));
        for (int i = 1; i <= 30; i++) {
            ok(alice, "send", conversation, "m" + i);
        }
        // bob's device is new: its first sync is a snapshot of the newest 20 messages per conversation
        Run read = ok(bob, "read", "--last", "5", "Long");
        assertThat(read.out()).contains("(15 earlier messages here: read --last 20; older ones: history)");
        assertThat(read.out().lines().filter(l -> l.matches("[0-9a-f]{8} .*: m\\d+"))).hasSize(5).last().asString().endsWith(": m30");
        assertThat(ok(bob, "read", "Long").out()).contains(": m11").doesNotContain(": m10\n")
                .contains("(older messages on the server: history Long)");

        Run page = ok(bob, "history", "--limit", "7", "Long");
        assertThat(page.out().lines().filter(l -> l.matches("[0-9a-f]{8} .*: m\\d+")).map(l -> l.substring(l.lastIndexOf(' ') + 1)))
                .containsExactly("m4", "m5", "m6", "m7", "m8", "m9", "m10");
        assertThat(page.out()).doesNotContain("(the start of the conversation)");
        Run last = ok(bob, "history", "--limit", "7", "Long");
        assertThat(last.out().lines().filter(l -> l.matches("[0-9a-f]{8} .*: m\\d+")).map(l -> l.substring(l.lastIndexOf(' ') + 1)))
                .containsExactly("m1", "m2", "m3");
        assertThat(last.out()).contains("(the start of the conversation)");
        assertThat(ok(bob, "read", "--last", "100", "Long").out()).contains(": m1\n").doesNotContain("older messages on the server");

        Run bad = chat(bob, "history", "--limit", "0", "Long");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("--limit must be 1 to 200");
        Run offline = chat(bob, "--offline", "history", "Long");
        assertThat(offline.code()).isEqualTo(3);
    }

    @Test
    void receiptMarksGoFromSentToDeliveredToReadAndUnreadCountsFollow() {
        Person alice = login("alice");
        Person bob = login("bob");
        String lunch = uuidLine(ok(alice, "create", "Lunch", bob.id().toString()));
        ok(alice, "send", "Lunch", "Noon?");
        String noon = idOf(ok(alice, "read", "Lunch"), "Noon?");
        assertThat(lineOf(ok(alice, "read", "Lunch"), noon)).as("bob has not synced").endsWith("me: Noon?  ✓");

        // Bob's client sends the delivery receipt by itself once the feed brings the message (this run, or its next).
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ok(bob, "sync");
            return lineOf(ok(alice, "read", "Lunch"), noon).endsWith("me: Noon?  ✓✓");
        });
        ok(alice, "send", "Lunch", "Or one?", "--mention", bob.id().toString());
        assertThat(ok(bob, "list").out()).contains(lunch + "  Lunch  (2 members, 2 unread, 1 mentioning me)");

        Run bobReads = ok(bob, "read", "Lunch");
        assertThat(bobReads.out()).contains(prefix(alice) + ": Or one? @me");
        assertThat(ok(bob, "list").out()).contains(lunch + "  Lunch  (2 members)");
        assertThat(lineOf(ok(alice, "read", "Lunch"), noon)).endsWith("me: Noon?  ✓✓ read");
        assertThat(ok(alice, "read", "Lunch").out()).contains("me: Or one? @" + prefix(bob) + "  ✓✓ read");
    }

    @Test
    void editDeleteReactAndReplyReachTheOtherMember() {
        Person alice = login("alice");
        Person bob = login("bob");
        ok(alice, "create", "Lunch", bob.id().toString());
        ok(alice, "send", "Lunch", "Noon?");
        ok(alice, "send", "Lunch", "the secret plan");
        Run aliceReads = ok(alice, "read", "Lunch");
        String noon = idOf(aliceReads, "Noon?");
        String secret = idOf(aliceReads, "the secret plan");

        assertThat(ok(alice, "edit", "Lunch", noon, "Noon at the park?").out()).contains("✓ sent: edit of message " + noon + " in Lunch");
        assertThat(ok(alice, "delete", "Lunch", secret.substring(0, 5)).out()).contains("✓ sent: delete of message " + secret + " in Lunch");
        Run bobReads = ok(bob, "read", "Lunch");
        assertThat(lineOf(bobReads, noon)).endsWith(prefix(alice) + ": Noon at the park? (edited)");
        assertThat(lineOf(bobReads, secret)).endsWith(prefix(alice) + ": (message deleted)");
        assertThat(bobReads.out()).doesNotContain("secret").doesNotContain("Noon?");

        ok(bob, "react", "Lunch", noon, "👍");
        ok(alice, "react", "Lunch", noon, "❤");
        ok(alice, "react", "Lunch", noon, "👍");
        assertThat(lineOf(ok(bob, "read", "Lunch"), noon)).endsWith("Noon at the park? (edited)  👍 2 ❤ 1");
        assertThat(ok(bob, "react", "--remove", "Lunch", noon, "👍").out()).contains("✓ sent: no reactions on message " + noon);
        assertThat(lineOf(ok(alice, "read", "Lunch"), noon)).endsWith("Noon at the park? (edited)  ❤ 1 👍 1  ✓✓ read");

        ok(bob, "reply", "Lunch", noon, "I'll bring the blanket");
        ok(bob, "reply", "Lunch", secret, "what plan?");
        Run aliceSees = ok(alice, "read", "Lunch");
        assertThat(aliceSees.out()).contains(prefix(bob) + ": (re me: \"Noon at the park?\") I'll bring the blanket")
                .contains(prefix(bob) + ": (re a deleted message) what plan?");
    }

    @Test
    void filesAreSentWithMessagesShownWithNameTypeAndSizeAndDownloadedOnceThenFromTheCache() throws IOException {
        Person alice = login("alice");
        Person bob = login("bob");
        ok(alice, "create", "Trip", bob.id().toString());
        byte[] photo = dev.eventsync.support.Media.file(300_000, 1);
        byte[] notes = dev.eventsync.support.Media.file(2_000, 2);
        Path photoFile = java.nio.file.Files.write(dir.resolve("beach.jpg"), photo);
        Path notesFile = java.nio.file.Files.write(dir.resolve("notes.pdf"), notes);

        Run sent = ok(alice, "send", "Trip", "the beach", "--file", photoFile.toString(), "--file", notesFile.toString());
        assertThat(sent.out()).contains("✓ sent: message \"the beach\" with 2 file(s) in Trip");
        assertThat(ok(alice, "send", "Trip", "--file", notesFile.toString()).out()).contains("with 1 file(s)");

        Run bobReads = ok(bob, "read", "Trip");
        String line = lineOf(bobReads, idOf(bobReads, "the beach"));
        Matcher file = Pattern.compile("\\[file beach\\.jpg image/jpeg 293\\.0 KiB ([0-9a-f]{8})] \\[file notes\\.pdf application/pdf 2\\.0 KiB [0-9a-f]{8}]")
                .matcher(line);
        assertThat(file.find()).as(line).isTrue();
        String media = file.group(1);

        Path saved = dir.resolve("saved/beach.jpg");
        Run download = ok(bob, "download", media, saved.toString());
        assertThat(download.out()).contains("saved " + saved + " (293.0 KiB)");
        assertThat(java.nio.file.Files.readAllBytes(saved)).isEqualTo(photo);
        // The second time it comes from the cache: no server needed.
        Path again = dir.resolve("again.jpg");
        assertThat(ok(bob, "--offline", "download", media, again.toString()).out()).contains("saved " + again);
        assertThat(java.nio.file.Files.readAllBytes(again)).isEqualTo(photo);

        Run unknown = chat(bob, "download", "ffffffff", dir.resolve("x").toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no file ffffffff in the messages held here");
        Run noFile = chat(alice, "send", "Trip", "--file", dir.resolve("missing.png").toString());
        assertThat(noFile.code()).isEqualTo(1);
        assertThat(noFile.err()).contains("no file " + dir.resolve("missing.png") + "; nothing was queued");
    }

    @Test
    void settingsBlocksAdminsAndMembershipAreShownAndRefusalsCarryTheServersReason() {
        Person alice = login("alice");
        Person bob = login("bob");
        Person carol = login("carol");
        String lunch = uuidLine(ok(alice, "create", "Lunch", bob.id().toString(), carol.id().toString()));
        String tea = uuidLine(ok(alice, "create", "Tea"));
        String zoo = uuidLine(ok(alice, "create", "Zoo"));
        ok(alice, "pin", "Zoo");
        ok(alice, "archive", "Lunch");
        ok(alice, "mute", "Tea");
        assertThat(ok(alice, "list").out().lines().toList()).containsExactly(
                zoo + "  Zoo  (1 members, pinned)", tea + "  Tea  (1 members, muted)", lunch + "  Lunch  (3 members, archived)");
        ok(alice, "pin", "Zoo", "--off");
        ok(alice, "archive", "Lunch", "--off");
        ok(alice, "mute", "Tea", "--off");
        assertThat(ok(alice, "list").out().lines().toList()).containsExactly(
                lunch + "  Lunch  (3 members)", tea + "  Tea  (1 members)", zoo + "  Zoo  (1 members)");

        Run notAdmin = chat(bob, "admin", "Lunch", carol.id().toString());
        assertThat(notAdmin.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(notAdmin.err()).contains("! rejected: " + prefix(carol) + " admin in Lunch: FORBIDDEN");
        assertThat(ok(alice, "admin", "Lunch", bob.id().toString()).out()).contains("✓ sent: " + prefix(bob) + " admin in Lunch");
        String header = ok(bob, "read", "Lunch").out().lines().findFirst().orElseThrow();
        assertThat(header).startsWith("# Lunch  (me [admin], ").contains(prefix(alice) + " [admin]")
                .doesNotContain(prefix(carol) + " [admin]");
        ok(alice, "admin", "Lunch", bob.id().toString(), "--off");
        assertThat(ok(bob, "read", "Lunch").out()).startsWith("# Lunch  (me, ").contains(prefix(alice) + " [admin]");

        ok(bob, "send", "Lunch", "spam spam spam");
        ok(alice, "block", bob.id().toString());
        Run blocked = ok(alice, "read", "Lunch");
        assertThat(blocked.out()).contains(prefix(bob) + " [blocked]").contains(prefix(bob) + ": (hidden: from a user you blocked)")
                .doesNotContain("spam");
        ok(alice, "block", "--off", bob.id().toString());
        assertThat(ok(alice, "read", "Lunch").out()).contains(prefix(bob) + ": spam spam spam").doesNotContain("[blocked]");

        ok(alice, "remove", "Lunch", carol.id().toString());
        assertThat(ok(carol, "list").out()).contains(lunch + "  Lunch  (left)");
        ok(bob, "leave", "Lunch");
        assertThat(ok(bob, "list").out()).contains(lunch + "  Lunch  (left)");
        assertThat(ok(alice, "read", "Lunch").out()).startsWith("# Lunch  (me [admin])");
    }

    @Test
    void aBadMessageArgumentIsOneLineExitOneAndQueuesNothing() {
        Person alice = login("alice");
        Person bob = login("bob");
        ok(alice, "create", "Lunch", bob.id().toString());
        // 17 messages: two of them share their first hex digit.
        String lines = String.join("\n", IntStream.rangeClosed(1, 17).mapToObj(i -> "line " + i).toList()) + "\n";
        assertThat(chat(server(), alice.db(), lines, "watch", "Lunch").code()).isZero();
        Run read = ok(bob, "read", "Lunch");
        Map<Character, List<String>> byFirstDigit = read.out().lines().filter(l -> l.matches("[0-9a-f]{8} .*"))
                .collect(Collectors.groupingBy(l -> l.charAt(0)));
        List<String> shared = byFirstDigit.values().stream().filter(l -> l.size() > 1).findFirst().orElseThrow();
        String digit = shared.get(0).substring(0, 1);

        Run ambiguous = chat(bob, "react", "Lunch", digit, "👍");
        assertThat(ambiguous.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(ambiguous.err()).startsWith(digit + " matches " + shared.size() + " messages; give a uuid prefix instead:");
        shared.forEach(l -> assertThat(ambiguous.err()).contains("  " + l.substring(0, 8) + "  " + prefix(alice) + ": line "));

        Run unknown = chat(bob, "reply", "Lunch", "zzzz", "hello");
        assertThat(unknown.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(unknown.err().lines()).singleElement().asString()
                .isEqualTo("no message zzzz in Lunch: see `read` (a message still pending has no id yet); nothing was queued");
        String first = idOf(read, "line 1");
        Run notGiven = chat(bob, "react", "--remove", "Lunch", first, "👍");
        assertThat(notGiven.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(notGiven.err()).contains("you have not reacted 👍 to message " + first);
        assertThat(chat(bob, "pending").out()).contains("0 queued");

        Run someoneElses = chat(bob, "edit", "Lunch", first, "mine now");
        assertThat(someoneElses.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(someoneElses.err()).contains("! rejected: edit of message " + first + " in Lunch: FORBIDDEN");
        assertThat(lineOf(ok(bob, "read", "Lunch"), first)).as("rolled back").endsWith(prefix(alice) + ": line 1");
    }

    @Test
    void offlineWorkIsQueuedWithOneLineOnStderrAndCommandsThatNeedTheServerExitNonZero() throws IOException, InterruptedException {
        Person alice = login("alice");
        String down = unreachableAddress();

        Run created = chat(down, alice.db(), "", "--wait", "2s", "create", "Offline");
        assertThat(created.code()).as("queued is done").isZero();
        assertThat(created.err().lines()).singleElement().asString()
                .startsWith("server unreachable at " + down + " (UNAVAILABLE").contains("1 event(s) queued in " + alice.db());
        Run sent = chat(down, alice.db(), "", "--wait", "300ms", "send", "Offline", "written on a plane");
        assertThat(sent.err()).contains("2 event(s) queued");
        assertThat(chat(down, alice.db(), "", "pending").out()).contains("2 queued");

        Run read = chat(down, alice.db(), "", "--wait", "300ms", "read", "Offline");
        assertThat(read.code()).isEqualTo(ChatSession.NOT_REACHED);
        assertThat(read.out()).as("no cached output as if it were current").isEmpty();
        assertThat(read.err().lines()).singleElement().asString().contains("--offline shows the local copy");
        assertThat(chat(down, alice.db(), "", "--offline", "read", "Offline").out()).contains("me: written on a plane  …");
        Run sync = chat(down, alice.db(), "", "--wait", "2s", "sync");
        assertThat(sync.code()).isEqualTo(ChatSession.NOT_REACHED);
        assertThat(sync.err().lines()).singleElement().asString().startsWith("server unreachable at " + down);

        Run synced = chat(alice, "sync");
        assertThat(synced.code()).as(synced.err()).isZero();
        assertThat(synced.out()).contains("✓ sent: new conversation Offline")
                .contains("✓ sent: message \"written on a plane\" in Offline").contains("in sync");
        try (Api api = new Api(port)) {
            assertThat(api.user(alice.id()).feed()).filteredOn(Event::hasNewMessage)
                    .extracting(e -> e.getNewMessage().getMessage().getText()).containsExactly("written on a plane");
        }
    }

    @Test
    void aNameWhereAUserUuidBelongsIsRefusedBeforeAnythingIsQueued() {
        Person alice = login("alice");
        Run refused = chat(alice, "create", "Team", "bob");
        assertThat(refused.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(refused.err()).contains("bob is not a user uuid").contains("nothing was queued");
        assertThat(chat(alice, "pending").out()).contains("0 queued");
        assertThat(chat(alice, "list").out()).doesNotContain("Team");
    }

    @Test
    void anAmbiguousConversationNameListsTheCandidatesAndQueuesNothing() {
        Person alice = login("alice");
        Person bob = login("bob");
        String first = uuidLine(chat(alice, "create", "Lunch", bob.id().toString()));
        String second = uuidLine(chat(alice, "create", "Lunch"));

        Run ambiguous = chat(alice, "send", "Lunch", "Noon?");
        assertThat(ambiguous.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(ambiguous.err()).contains("Lunch matches 2 conversations")
                .contains(first.substring(0, 8) + "  Lunch  (me, " + bob.id().toString().substring(0, 8) + ")")
                .contains(second.substring(0, 8) + "  Lunch  (me)");
        assertThat(chat(alice, "pending").out()).contains("0 queued");
    }

    @Test
    void aRejectionNamesTheMessageAndAConversationLeftIsListedAsLeft() throws InterruptedException {
        Person alice = login("alice");
        String picnic;
        try (Api api = new Api(port)) {
            Api.User bob = api.newUser();
            picnic = Events.newUuid();
            assertThat(bob.submit(Events.createConversation(picnic, "Picnic", alice.id().toString())).hasAccepted()).isTrue();
            assertThat(chat(alice, "list").out()).contains(picnic + "  Picnic  (2 members)");
            assertThat(bob.submit(Events.removeMember(picnic, alice.id().toString())).hasAccepted()).isTrue();
        }
        assertThat(chat(alice, "list").out()).contains(picnic + "  Picnic  (left)");

        Run sent = chat(alice, "send", "Picnic", "Shall we bring the big blue blanket tomorrow?");
        assertThat(sent.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(sent.err()).contains("! rejected: message \"Shall we bring the big blue…\" in Picnic: FORBIDDEN");
        assertThat(chat(alice, "sync").code()).as("nothing left to reject").isZero();
    }

    @Test
    void aConfirmationAfterALostReplyReadsAsSent() throws InterruptedException {
        Person alice = login("alice");
        Run queued = chat("127.0.0.1:1", alice.db(), "", "--wait", "300ms", "create", "Tea");
        assertThat(queued.err()).contains("1 event(s) queued");
        // The server stored it and the reply was lost: the same event, already in the log.
        List<Event> outbox;
        try (EventsyncClient reader = EventsyncClient.builder("127.0.0.1:1", alice.db())
                .token(DevelopmentTokens.mint(Api.SECRET, alice.id(), Duration.ofHours(1), Instant.now())).build()) {
            outbox = reader.pending();
        }
        try (Api api = new Api(port)) {
            assertThat(api.user(alice.id()).submit(outbox.get(0)).hasAccepted()).isTrue();
        }

        Run synced = chat(alice, "sync");
        assertThat(synced.code()).as(synced.err()).isZero();
        assertThat(synced.out()).contains("✓ sent: new conversation Tea").doesNotContain("duplicate");
    }

    @Test
    void watchShowsTheLastMessagesFirst() {
        Person alice = login("alice");
        chat(alice, "create", "Lunch");
        String twelveLines = String.join("\n", IntStream.rangeClosed(1, 12).mapToObj(i -> "line " + i).toList()) + "\n";
        Run typed = chat(server(), alice.db(), twelveLines, "watch", "Lunch");
        assertThat(typed.code()).as(typed.err()).isZero();
        assertThat(typed.out()).contains("✓ sent: message \"line 12\" in Lunch");

        Run watched = chat(alice, "watch", "Lunch");
        String out = watched.out();
        assertThat(out).startsWith("# Lunch  (me [admin])").doesNotContain("line 2  ✓").contains("line 3  ✓").contains("line 12  ✓");
        assertThat(out.indexOf("line 12")).as("history before the live part").isLessThan(out.indexOf("[live]"));
        assertThat(out).as("quitting is not a lost connection").doesNotContain("[offline]");
    }

    @Test
    void aTokenTheServerRefusesIsOneLineAndNotReached() {
        Path db = dir.resolve("mallory.db");
        String forged = DevelopmentTokens.mint("not-the-servers-secret-0123456789-0123456789", UUID.randomUUID(),
                Duration.ofHours(1), Instant.now());
        Run sync = chat(server(), db, "", "--token", forged, "sync");
        assertThat(sync.code()).isEqualTo(ChatSession.NOT_REACHED);
        assertThat(sync.err().lines()).singleElement().asString().contains("refused the token").contains("UNAUTHENTICATED");
    }
}
