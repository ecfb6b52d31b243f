// SPDX-License-Identifier: GPL-2.0
/*
 * provider-unload-race - unregister and remove the provider while
 * migrations run.
 *
 * Two threads move their own buffers back and forth between the nodes with
 * move_pages(2), checking every byte after every move, while the main
 * thread repeatedly loads migrate_test_provider (slowed down with delay_us,
 * so that batches are inside the provider), tries rmmod while registered
 * (refused), unregisters it (waits for the batches in flight) and removes
 * it.  Nothing may fail, no data may differ, the provider must have been
 * used, and the host checks the log for splats.
 *
 * lab:test timeout=400 set=default
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "provider.h"

#define MOVERS	2
#define BUF	(4UL << 20)
#define CYCLES	12

static atomic_bool stop;

struct mover {
	pthread_t thread;
	char *buf;
	uint64_t seed;
	long rounds;
	int error;		/* negative errno from mem_roundtrip() */
};

static void *mover_fn(void *arg)
{
	struct mover *m = arg;

	while (!atomic_load(&stop)) {
		int ret = mem_roundtrip(m->buf, BUF, PAGE_SIZE_4K, 0, 1, 2,
					m->seed);

		if (ret) {
			m->error = ret;
			break;
		}
		m->rounds++;
	}
	return NULL;
}

int main(void)
{
	struct mover movers[MOVERS];
	struct provider_stats st;
	uint64_t used_cycles = 0, calls = 0;
	int refused = 0, removed = 0, cycles, i, ret;
	long rounds = 0;
	bool ok = true;

	ktap_plan(5);

	if (node_count_with_memory() < 2)
		ktap_abort("needs 2 NUMA nodes with memory");
	provider_require_idle();

	for (i = 0; i < MOVERS; i++) {
		movers[i] = (struct mover){ .seed = pattern_seed() + i };
		movers[i].buf = mem_map_aligned(BUF, HPAGE_SIZE_2M);
		if (!movers[i].buf)
			ktap_abort("mmap: %s", strerror(errno));
		madvise(movers[i].buf, BUF, MADV_NOHUGEPAGE);
		pattern_fill(movers[i].buf, BUF, movers[i].seed);
		if (pthread_create(&movers[i].thread, NULL, mover_fn, &movers[i]))
			ktap_abort("pthread_create failed");
	}

	for (cycles = 0; cycles < CYCLES && ok; cycles++) {
		ret = provider_load("delay_us=2000");
		if (ret) {
			ktap_diag("cycle %d: modprobe: %s", cycles, strerror(-ret));
			ok = false;
			break;
		}
		usleep(300000);
		if (provider_delete_module(O_NONBLOCK) == -EWOULDBLOCK)
			refused++;
		if (!provider_stats_read(&st) && st.folios_copied) {
			used_cycles++;
			calls += st.calls;
		}
		/* Unregister while batches are in flight, then remove. */
		ret = provider_param_write("enable", "0");
		if (!ret)
			ret = provider_delete_module(O_NONBLOCK);
		if (ret) {
			ktap_diag("cycle %d: unload: %s", cycles, strerror(-ret));
			ok = false;
			break;
		}
		removed++;
	}

	atomic_store(&stop, true);
	for (i = 0; i < MOVERS; i++) {
		pthread_join(movers[i].thread, NULL);
		rounds += movers[i].rounds;
		if (movers[i].error) {
			ktap_diag("mover %d: %s after %ld round trips", i,
				  strerror(-movers[i].error), movers[i].rounds);
			ok = false;
		}
	}
	ktap_diag("cycles %d, rmmod refused %d, removed %d, cycles with copies %"
		  PRIu64 ", provider calls %" PRIu64 ", round trips %ld",
		  cycles, refused, removed, used_cycles, calls, rounds);

	ktap_ok(removed == CYCLES, "load_unregister_remove_cycles");
	ktap_ok(refused == removed, "rmmod_refused_while_registered");
	ktap_ok(ok && rounds > 0, "migrations_never_failed_data_intact");
	ktap_ok(used_cycles > CYCLES / 2, "provider_used_while_migrating");
	ktap_ok(!provider_loaded(), "provider_gone");
	return ktap_finish();
}
