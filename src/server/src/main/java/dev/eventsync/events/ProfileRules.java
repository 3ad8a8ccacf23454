package dev.eventsync.events;

import java.util.Arrays;
import java.util.Set;
import java.util.UUID;

/** The rules of a user's own profile events. */
final class ProfileRules {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** API.md v1.1: the image types a picture by media_uuid may have (types are stored lower case). */
    static final Set<String> PICTURE_TYPES = Set.of("image/png", "image/jpeg", "image/webp");

    private final Limits limits;

    ProfileRules(Limits limits) {
        this.limits = limits;
    }

    Rejection displayName(UUID caller, Command.ChangeDisplayName c) {
        return Checks.firstOf(self(caller, c.user()),
                Checks.name(c.displayName(), limits.maxDisplayNameLength(), "display name"));
    }

    /**
     * A PNG inline, or uploaded media of an image type, or neither (v1.1: the picture is
     * removed). In API.md's order: UNKNOWN_MEDIA, then INVALID (both set, not an image, not a
     * PNG), then TOO_LARGE.
     */
    Rejection picture(UUID caller, Command.ChangeProfilePicture c, State state) {
        Rejection self = self(caller, c.user());
        if (self != null) {
            return self;
        }
        if (c.media() != null) {
            Rejection unknown = MessageRules.ownCompleteUpload(caller, c.media(), state);
            if (unknown != null) {
                return unknown;
            }
            if (c.png().length > 0) {
                return Rejection.invalid("a profile picture is png_image or media_uuid, not both");
            }
            String type = state.completeMedia(c.media()).contentType();
            return PICTURE_TYPES.contains(type) ? null
                    : Rejection.invalid("a profile picture must be image/png, image/jpeg or image/webp; media " + c.media() + " is " + type);
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
