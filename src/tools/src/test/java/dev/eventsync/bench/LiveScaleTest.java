package dev.eventsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** W4's devices are spread over loopback addresses, and their count follows the open-files limit read from /proc. */
class LiveScaleTest {

    @Test
    void loopbackDevicesTakeTheAddressesInTurnOnTheServersPort() {
        assertThat(IntStream.range(0, 10).mapToObj(i -> LiveScale.deviceTarget("127.0.0.1:19090", i, 8)).toList())
                .containsExactly("127.0.0.1:19090", "127.0.0.2:19090", "127.0.0.3:19090", "127.0.0.4:19090", "127.0.0.5:19090",
                        "127.0.0.6:19090", "127.0.0.7:19090", "127.0.0.8:19090", "127.0.0.1:19090", "127.0.0.2:19090");
        assertThat(LiveScale.deviceTarget("localhost:9090", 3, 8)).isEqualTo("127.0.0.4:9090");
    }

    @Test
    void anyOtherTargetIsUsedAsGiven() {
        assertThat(LiveScale.deviceTarget("10.0.0.5:9090", 3, 8)).isEqualTo("10.0.0.5:9090");
        assertThat(LiveScale.deviceTarget("127.0.0.9:9090", 3, 8)).isEqualTo("127.0.0.9:9090");
        assertThat(LiveScale.deviceTarget("eventsync.example:443", 3, 8)).isEqualTo("eventsync.example:443");
    }

    @Test
    void theSoftOpenFilesLimitIsRead() {
        List<String> limits = List.of(
                "Limit                     Soft Limit           Hard Limit           Units     ",
                "Max processes             unlimited            unlimited            processes ",
                "Max open files            20000                65536                files     ",
                "Max locked memory         8388608              8388608              bytes     ");
        assertThat(LiveScale.openFilesLimit(limits)).isEqualTo(20000);
        assertThat(LiveScale.openFilesLimit(List.of("Max open files            unlimited            unlimited            files")))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(LiveScale.openFilesLimit(List.of("Max processes             100                  100                  processes")))
                .isEqualTo(Long.MAX_VALUE);
    }
}
