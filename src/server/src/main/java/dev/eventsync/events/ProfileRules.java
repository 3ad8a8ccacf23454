package dev.eventsync.events;

import java.util.Arrays;
import java.util.UUID;

/** The rules of a user's own profile events. */
final class ProfileRules {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final Limits limits;

    ProfileRules(Limits limits) {
        this.limits = limits;
    }

    Rejection displayName(UUID caller, Command.ChangeDisplayName c) {
        return Checks.firstOf(self(caller, c.user()),
                Checks.name(c.displayName(), limits.maxDisplayNameLength(), "display name"));
    }

    /**
     * A PNG inline, or uploaded media, or neither (v1.1: the picture is removed). Media uploads
     * arrive with MediaService; until then this server holds no complete upload, so any media is
     * UNKNOWN_MEDIA.
     */
    Rejection picture(UUID caller, Command.ChangeProfilePicture c) {
        Rejection self = self(caller, c.user());
        if (self != null) {
            return self;
        }
        if (c.media() != null) {
            return new Rejection(Reason.UNKNOWN_MEDIA, "media " + c.media() + " is not a complete upload of yours");
        }
        if (c.png().length == 0) {
            return null;
        }
        if (!isPng(c.png())) {
            return Rejection.invalid("profile picture is not a PNG image (signature check)");
        }
        return c.png().length > limits.maxPictureSize().toBytes()
                ? Rejection.tooLarge("profile picture has " + c.png().length + " bytes; the limit is "
                        + limits.maxPictureSize().toBytes())
                : null;
    }

    private static Rejection self(UUID caller, UUID named) {
        return named == null || named.equals(caller)
                ? null
                : Rejection.forbidden("you may only change your own profile (user_uuid must be empty or yours)");
    }

    static boolean isPng(byte[] image) {
        return image.length >= PNG_SIGNATURE.length
                && Arrays.equals(image, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length);
    }
}
