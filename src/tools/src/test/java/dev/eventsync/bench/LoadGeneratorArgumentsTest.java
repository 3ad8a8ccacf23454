package dev.eventsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A mistyped benchmark argument stops the run before any work, and says what is wrong. */
class LoadGeneratorArgumentsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--jdbc x --only W1,W9    | --only takes a comma-separated list of BASE, W1, W1R, W2, W3, W4, W5, W6, W7, W8",
        "--jdbc x --only base     | --only takes a comma-separated list of BASE, W1, W1R, W2, W3, W4, W5, W6, W7, W8",
        "--jdbc x --only ,W1      | --only takes a comma-separated list of BASE, W1, W1R, W2, W3, W4, W5, W6, W7, W8",
        "--jdbc x --only W1,      | --only takes a comma-separated list of BASE, W1, W1R, W2, W3, W4, W5, W6, W7, W8",
        "--jdbc x --warmup 10s    | --warmup takes whole seconds",
        "--quick --grpc           | --grpc needs a value",
        "--grpc --quick           | --grpc needs a value",
        "--fast                   | --fast is not an option",
        "only W3                  | only is not an option",
        "--only W1,W3             | --jdbc <url> is required for BASE, W1, W2, W5, W6 and W8",
        "--only W8                | --jdbc <url> is required for BASE, W1, W2, W5, W6 and W8",
        "--jdbc x --push-gateway 19092 | --push-gateway takes host:port",
    })
    void isRefusedWithTheReason(String arguments, String reason) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        // No server and no database exist here: any work started would fail differently.
        int exit = LoadGenerator.run(arguments.split(" "), new PrintStream(printed, true, StandardCharsets.UTF_8),
                new PrintStream(errors, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(2);
        assertThat(printed.size()).isZero();
        assertThat(errors.toString(StandardCharsets.UTF_8)).startsWith("bench: " + reason)
                .contains("usage: bench --grpc host:port");
    }
}
