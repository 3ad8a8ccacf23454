package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The budget serves the user holding least first; it asks only the holders of bytes to give back, once when a wait begins and on each pressure() while it lasts. */
class ByteBudgetTest {

    /** A holder that counts how often it was asked to give back. */
    static final class Asked implements ByteBudget.Holder {
        final AtomicInteger reclaims = new AtomicInteger();
        final UUID user;

        Asked() {
            this(UUID.randomUUID());
        }

        Asked(UUID user) {
            this.user = user;
        }

        @Override
        public UUID user() {
            return user;
        }

        @Override
        public void reclaim() {
            reclaims.incrementAndGet();
        }
    }

    @Test
    void aWaitBeginningAsksEachHolderOfBytesOnceHoweverManyQueueBehindIt() {
        ByteBudget budget = new ByteBudget(100);
        Asked holding = new Asked();
        Asked gaveBack = new Asked();
        assertThat(budget.acquire(holding, 60, 60, grant -> {})).isEqualTo(60);
        assertThat(budget.acquire(gaveBack, 40, 40, grant -> {})).isEqualTo(40);
        budget.release(gaveBack, 40, false); // holds nothing now, though its stream is still open
        assertThat(budget.acquire(gaveBack, 40, 40, grant -> {})).isEqualTo(40);
        budget.release(gaveBack, 40, false);

        List<Asked> waiting = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Asked waiter = new Asked();
            waiting.add(waiter);
            assertThat(budget.acquire(waiter, 50, 50, grant -> {})).isZero();
        }

        assertThat(holding.reclaims).hasValue(1);
        assertThat(gaveBack.reclaims).hasValue(0);
        assertThat(waiting).allSatisfy(waiter -> assertThat(waiter.reclaims).hasValue(0));
        assertThat(budget.holders()).isEqualTo(1);
    }

    @Test
    void pressureAsksTheHoldersAgainWhileSomeoneWaitsAndNotOnceNobodyDoes() {
        ByteBudget budget = new ByteBudget(100);
        Asked holding = new Asked();
        budget.acquire(holding, 100, 100, grant -> {});
        AtomicLong granted = new AtomicLong();
        budget.acquire(new Asked(), 30, 50, granted::set);
        budget.pressure();
        budget.pressure();
        assertThat(holding.reclaims).hasValue(3);

        budget.release(holding, 40, false);
        assertThat(granted).hasValue(40); // as much as is free, at least its minimum
        budget.pressure();
        assertThat(holding.reclaims).hasValue(3);
    }

    @Test
    void waitersAreGrantedFirstComeFirstServedAndThenHoldBytesThemselves() {
        ByteBudget budget = new ByteBudget(100);
        Asked first = new Asked();
        budget.acquire(first, 100, 100, grant -> {});
        Asked second = new Asked();
        Asked third = new Asked();
        AtomicLong secondGranted = new AtomicLong();
        AtomicLong thirdGranted = new AtomicLong();
        budget.acquire(second, 70, 70, secondGranted::set);
        budget.acquire(third, 10, 10, thirdGranted::set);

        budget.release(first, 60, false);
        assertThat(secondGranted).hasValue(0); // the third's 10 would fit, but it queues behind the second
        assertThat(thirdGranted).hasValue(0);
        budget.release(first, 40, true);
        assertThat(secondGranted).hasValue(70);
        assertThat(thirdGranted).hasValue(10);
        assertThat(budget.available()).isEqualTo(20);
        assertThat(budget.holders()).isEqualTo(2);

        budget.acquire(new Asked(), 50, 50, grant -> {});
        assertThat(first.reclaims).hasValue(1); // when the second began to wait; done since: no longer asked
        assertThat(second.reclaims).hasValue(1);
        assertThat(third.reclaims).hasValue(1);
    }

    /**
     * One user's many streams waiting (and holding what they were given) do not keep another
     * user in line behind them: freed bytes go to the waiting user who holds the fewest.
     */
    @Test
    void freedBytesGoToTheWaitingUserWhoHoldsTheFewestNotToTheFirstInLine() {
        ByteBudget budget = new ByteBudget(100);
        UUID greedy = UUID.randomUUID();
        Asked holding = new Asked(greedy);
        assertThat(budget.acquire(holding, 100, 100, grant -> {})).isEqualTo(100);
        List<AtomicLong> greedyGrants = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            AtomicLong granted = new AtomicLong();
            greedyGrants.add(granted);
            budget.acquire(new Asked(greedy), 20, 20, granted::set);
        }
        AtomicLong othersGrant = new AtomicLong();
        Asked other = new Asked();
        budget.acquire(other, 20, 20, othersGrant::set);

        budget.release(holding, 20, false); // the greedy user still holds 80, the other none
        assertThat(othersGrant).hasValue(20);
        assertThat(greedyGrants).allSatisfy(granted -> assertThat(granted).hasValue(0));

        budget.release(holding, 40, false); // nobody else waits: the greedy user's first two
        assertThat(greedyGrants.get(0)).hasValue(20);
        assertThat(greedyGrants.get(1)).hasValue(20);
        assertThat(greedyGrants.get(2)).hasValue(0);

        // A user who comes later and holds nothing still comes before the greedy user (80 held).
        AtomicLong latecomer = new AtomicLong();
        budget.acquire(new Asked(), 20, 20, latecomer::set);
        budget.release(other, 20, true);
        assertThat(latecomer).hasValue(20);
        assertThat(greedyGrants.get(2)).hasValue(0);
        assertThat(budget.available()).isZero();
    }

    /** The user holding least waits for its minimum even when a smaller request behind it would fit. */
    @Test
    void aLargeRequestOfTheUserHoldingLeastIsNotOvertakenBySmallOnes() {
        ByteBudget budget = new ByteBudget(100);
        Asked holding = new Asked();
        budget.acquire(holding, 100, 100, grant -> {});
        AtomicLong large = new AtomicLong();
        AtomicLong small = new AtomicLong();
        budget.acquire(new Asked(), 90, 90, large::set);
        budget.acquire(new Asked(), 10, 10, small::set);
        budget.release(holding, 50, false);
        assertThat(large).hasValue(0);
        assertThat(small).hasValue(0);
        budget.release(holding, 50, true);
        assertThat(large).hasValue(90);
        assertThat(small).hasValue(10);
    }
}
