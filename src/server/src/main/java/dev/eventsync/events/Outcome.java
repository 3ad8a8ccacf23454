package dev.eventsync.events;

/** What {@link Decider} concluded for one submission. */
public sealed interface Outcome {

    record Refuse(Rejection rejection) implements Outcome {}

    /** The same uuid and content were stored before: answer with the original, write nothing. */
    record Duplicate(KnownEvent original) implements Outcome {}

    /** Store it. */
    record Accept(Command command) implements Outcome {}

    /** A transitory event the caller may send: deliver it live, store nothing. */
    record Live(Command.SetTyping command) implements Outcome {}
}
