package dev.eventsync.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The bucket on a clock the test moves (nanoseconds): no sleeps, exact answers. */
class TokenBucketTest {

    static final long SECOND = 1_000_000_000L;
    static final long MS = 1_000_000L;

    @Test
    void aNewBucketAdmitsTheWholeBurstAtOnceAndNothingMore() {
        TokenBucket bucket = new TokenBucket(50, 500, 0);
        assertThat(bucket.tryTake(300, 0)).isZero();
        assertThat(bucket.tryTake(200, 0)).isZero();
        assertThat(bucket.tryTake(1, 0)).as("one token comes back every 20 ms").isEqualTo(20 * MS);
    }

    @Test
    void aRefusedTakeTakesNothingAndTellsExactlyWhenItWouldPass() {
        TokenBucket bucket = new TokenBucket(50, 500, 0);
        bucket.tryTake(500, 0);
        long wait = bucket.tryTake(10, 0);
        assertThat(wait).isEqualTo(200 * MS);
        assertThat(bucket.tryTake(10, wait - 1)).as("a nanosecond early").isPositive();
        assertThat(bucket.tryTake(10, wait)).as("the told time").isZero();
        assertThat(bucket.tryTake(1, wait)).as("the refused tries took nothing: all 10 were there").isEqualTo(20 * MS);
    }

    @Test
    void theSustainedRateIsTheRefillRate() {
        TokenBucket bucket = new TokenBucket(1, 30, 0);
        bucket.tryTake(30, 0);
        int admitted = 0;
        for (long t = 0; t <= 60 * SECOND; t += 100 * MS) { // a client trying ten times a second for a minute
            if (bucket.tryTake(1, t) == 0) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(60);
    }

    @Test
    void anIdleBucketRefillsToTheBurstAndNoFurther() {
        TokenBucket bucket = new TokenBucket(50, 500, 0);
        bucket.tryTake(500, 0);
        assertThat(bucket.isFull(5 * SECOND)).isFalse();
        assertThat(bucket.isFull(10 * SECOND)).isTrue();
        long hourLater = 3600 * SECOND;
        assertThat(bucket.tryTake(500, hourLater)).isZero();
        assertThat(bucket.tryTake(1, hourLater)).as("an hour idle saved no more than the burst").isPositive();
    }

    @Test
    void aTakeLargerThanTheBurstPassesOnAFullBucketAndTheDebtIsWaitedOut() {
        TokenBucket bucket = new TokenBucket(10, 5, 0);
        bucket.tryTake(1, 0);
        assertThat(bucket.tryTake(20, 0)).as("waits for a full bucket, not for 20 tokens").isEqualTo(100 * MS);
        assertThat(bucket.tryTake(20, 100 * MS)).isZero();
        // 5 - 20 = -15 tokens: one token needs 16 more, 1.6 s at 10/s.
        assertThat(bucket.tryTake(1, 100 * MS)).isEqualTo(1600 * MS);
    }

    @Test
    void fractionalRatesRoundTheWaitUpSoThatWaitingItAlwaysPasses() {
        TokenBucket bucket = new TokenBucket(3, 1, 0);
        long now = 0;
        for (int i = 0; i < 1000; i++) {
            assertThat(bucket.tryTake(1, now)).isZero();
            long wait = bucket.tryTake(1, now);
            assertThat(wait).isBetween(333_333_333L, 333_333_334L);
            now += wait;
        }
    }

    @Test
    void aBucketNeedsAPositiveRateAndBurst() {
        assertThatThrownBy(() -> new TokenBucket(0, 10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(Double.NaN, 10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
