package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The budget asks only the holders of bytes to give back, once when a wait begins and on each pressure() while it lasts. */
class ByteBudgetTest {

    /** A holder that counts how often it was asked to give back. */
    static final class Asked implements ByteBudget.Holder {
        final AtomicInteger reclaims = new AtomicInteger();

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
}
