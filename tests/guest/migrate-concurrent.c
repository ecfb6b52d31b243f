// SPDX-License-Identifier: GPL-2.0
/*
 * migrate-concurrent - pages keep every write made while they migrate:
 * writers and readers hammer three regions while a mover sends them
 * between node0 and node1, with the CPU batch copy and with dsa_migrate.
 *
 * lab:test timeout=600 set=default boot=main
 *
 * Regions (1 MiB each, 4 KiB pages) and who writes them:
 *   A  private anonymous: two writer threads of this process, each owning
 *      every other 8-byte slot of every page
 *   B  MAP_SHARED|MAP_ANONYMOUS inherited by fork: a child process writes
 *   C  a memfd (shmem) the child maps by its fd: the child writes
 * A slot holds (owner + 1) << 48 | round.  Each writer rewrites all its
 * slots once per round.  Reader threads of this process sweep A, B and C
 * all the time: a slot may only hold its owner's tag and a round never
 * lower than the one the reader saw before (a copy that missed a write or
 * resurrected an old page goes back in time).  After the mover's last
 * move the writers finish one more round and stop: every slot must hold
 * its writer's final round (no lost write).
 *
 * Results per mode (cpu_batch: vm.migrate_batch_copy=1; dsa: dsa_migrate):
 * moves (at least half of the page moves asked for succeeded), path (the
 * batch copy ran: copier=cpu events, or DMA folios >= half of the pages
 * migrated), no_step_back (readers), and no_lost_write for A, B and C.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numaif.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dsam.h"
#include "ktap.h"
#include "mcopy.h"
#include "mem.h"
#include "node.h"

#define REGION_BYTES	(1UL << 20)
#define SLOTS		(REGION_BYTES / sizeof(uint64_t))
#define MOVES		12	/* node0 <-> node1 round trips of all regions */
#define NR_WRITERS	4	/* A even, A odd, B, C */

enum mode { MODE_CPU_BATCH, MODE_DSA, NR_MODES };
static const char *const mode_names[NR_MODES] = { "cpu_batch", "dsa" };

#define CHECKS_PER_MODE	6

/* Shared with the child: stop flag and each writer's final round. */
struct control {
	_Atomic int stop;
	_Atomic uint64_t final_round[NR_WRITERS];
};

struct regions {
	uint64_t *a, *b, *c;
	struct control *ctl;
};

static inline uint64_t slot_value(int owner, uint64_t round)
{
	return (uint64_t)(owner + 1) << 48 | round;
}

/* Rewrite @slots of @r (every @step-th from @first) once per round. */
static void write_rounds(volatile uint64_t *r, size_t first, size_t step,
			 int owner, struct control *ctl)
{
	uint64_t round = 0;
	size_t i;

	do {
		round++;
		for (i = first; i < SLOTS; i += step)
			r[i] = slot_value(owner, round);
	} while (!atomic_load(&ctl->stop));
	atomic_store(&ctl->final_round[owner], round);
}

struct writer {
	struct regions *rg;
	int owner;
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;

	write_rounds(w->rg->a, w->owner, 2, w->owner, w->rg->ctl);
	return NULL;
}

struct reader {
	volatile uint64_t *r;
	int owner_base;		/* A: owner = slot & 1; B, C: fixed */
	bool alternating;
	struct control *ctl;
	long sweeps;
	long violations;
	char first[160];
};

static void *reader_thread(void *arg)
{
	struct reader *rd = arg;
	uint64_t *seen = calloc(SLOTS, sizeof(*seen));
	size_t i;

	if (!seen) {
		rd->violations = -1;
		return NULL;
	}
	while (!atomic_load(&rd->ctl->stop)) {
		for (i = 0; i < SLOTS; i++) {
			uint64_t v = rd->r[i];
			int owner = rd->owner_base + (rd->alternating ? i & 1 : 0);
			bool bad = v ? v >> 48 != (uint64_t)owner + 1 || v < seen[i] :
				       seen[i] != 0;

			if (bad && !rd->violations++)
				snprintf(rd->first, sizeof(rd->first),
					 "slot %zu: 0x%016" PRIx64 " after 0x%016" PRIx64,
					 i, v, seen[i]);
			if (!bad)
				seen[i] = v;
		}
		rd->sweeps++;
	}
	free(seen);
	return NULL;
}

/* Slots of @r (every @step-th from @first) not at @owner's final round. */
static long lost_writes(const uint64_t *r, size_t first, size_t step,
			int owner, const struct control *ctl, const char *name)
{
	uint64_t want = slot_value(owner, atomic_load(&ctl->final_round[owner]));
	long lost = 0;
	size_t i;

	for (i = first; i < SLOTS; i += step) {
		if (r[i] == want)
			continue;
		if (!lost)
			ktap_diag("%s slot %zu: 0x%016" PRIx64 ", want 0x%016" PRIx64,
				  name, i, r[i], want);
		lost++;
	}
	return lost;
}

static void *map_shared(int fd)
{
	void *p = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED |
		       (fd < 0 ? MAP_ANONYMOUS : 0), fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void run_mode(enum mode mode)
{
	const char *name = mode_names[mode];
	struct regions rg;
	struct writer w[2];
	struct reader rd[3];
	pthread_t wt[2], rt[3];
	struct dsam_stats d0 = { 0 }, d1 = { 0 };
	struct mcopy_vmstat v0, v1;
	long asked = 0, failed = 0, violations = 0;
	int memfd, i, node, status;
	uint64_t migrated, dma;
	pid_t child;

	memfd = memfd_create("lab-migrate-concurrent", 0);
	if (memfd < 0 || ftruncate(memfd, REGION_BYTES))
		ktap_abort("memfd: %s", strerror(errno));
	rg.a = mem_map_aligned(REGION_BYTES, HPAGE_SIZE_2M);
	rg.b = map_shared(-1);
	rg.c = map_shared(memfd);
	rg.ctl = mmap(NULL, PAGE_SIZE_4K, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!rg.a || !rg.b || !rg.c || rg.ctl == MAP_FAILED)
		ktap_abort("mmap: %s", strerror(errno));
	madvise(rg.a, REGION_BYTES, MADV_NOHUGEPAGE);
	/* A stays private: the children must not share its pages by COW */
	madvise(rg.a, REGION_BYTES, MADV_DONTFORK);
	memset(rg.a, 0, REGION_BYTES);
	memset(rg.b, 0, REGION_BYTES);
	memset(rg.c, 0, REGION_BYTES);
	memset(rg.ctl, 0, sizeof(*rg.ctl));
	if (mode == MODE_CPU_BATCH) {
		if (mcopy_cpu_batch(true))
			ktap_abort("cannot set %s", MCOPY_SYSCTL_BATCH_COPY);
	} else {
		const char *args[] = { "min_batch_pages=1", NULL };

		dsam_setup_or_abort(args);
	}

	child = fork();
	if (child < 0)
		ktap_abort("fork: %s", strerror(errno));
	if (!child) {
		/* B here; C in a grandchild that maps the memfd itself */
		if (fork() == 0) {
			uint64_t *c = map_shared(memfd);

			if (!c)
				_exit(1);
			write_rounds(c, 0, 1, 3, rg.ctl);
			_exit(0);
		}
		write_rounds(rg.b, 0, 1, 2, rg.ctl);
		wait(NULL);
		_exit(0);
	}
	for (i = 0; i < 2; i++) {
		w[i] = (struct writer){ &rg, i };
		pthread_create(&wt[i], NULL, writer_thread, &w[i]);
	}
	rd[0] = (struct reader){ .r = rg.a, .owner_base = 0, .alternating = true, .ctl = rg.ctl };
	rd[1] = (struct reader){ .r = rg.b, .owner_base = 2, .ctl = rg.ctl };
	rd[2] = (struct reader){ .r = rg.c, .owner_base = 3, .ctl = rg.ctl };
	for (i = 0; i < 3; i++)
		pthread_create(&rt[i], NULL, reader_thread, &rd[i]);

	mcopy_vmstat_read(&v0);
	if (mode == MODE_DSA)
		dsam_stats_read(&d0);
	for (i = 0; i < MOVES; i++) {
		for (node = 1; node >= 0; node--) {
			void *regs[3] = { rg.a, rg.b, rg.c };
			int j;

			for (j = 0; j < 3; j++) {
				long bad = mem_move_flags(regs[j], REGION_BYTES,
							  PAGE_SIZE_4K, node,
							  MPOL_MF_MOVE_ALL);

				asked += REGION_BYTES / PAGE_SIZE_4K;
				failed += bad < 0 ? (long)(REGION_BYTES / PAGE_SIZE_4K) : bad;
			}
		}
	}
	mcopy_vmstat_read(&v1);
	if (mode == MODE_DSA)
		dsam_stats_read(&d1);

	atomic_store(&rg.ctl->stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(wt[i], NULL);
	for (i = 0; i < 3; i++) {
		pthread_join(rt[i], NULL);
		if (rd[i].violations)
			ktap_diag("reader %c: %ld violations in %ld sweeps, first %s",
				  'A' + i, rd[i].violations, rd[i].sweeps,
				  rd[i].first);
		violations += rd[i].violations;
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		ktap_diag("writer child did not exit cleanly");

	migrated = v1.migrated - v0.migrated;
	dma = dsam_delta(&d0, &d1, DSAM_FOLIOS_OFFLOADED);
	ktap_diag("%s: %ld of %ld page moves failed; pgmigrate_success +%" PRIu64
		  ", dma folios +%" PRIu64 "; reader sweeps %ld/%ld/%ld; rounds %"
		  PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64, name, failed, asked,
		  migrated, dma, rd[0].sweeps, rd[1].sweeps, rd[2].sweeps,
		  atomic_load(&rg.ctl->final_round[0]),
		  atomic_load(&rg.ctl->final_round[1]),
		  atomic_load(&rg.ctl->final_round[2]),
		  atomic_load(&rg.ctl->final_round[3]));
	ktap_ok(failed * 2 <= asked && migrated * 2 >= (uint64_t)asked,
		"%s_moves", name);
	if (mode == MODE_CPU_BATCH)
		ktap_ok(mcopy_trace_count("copier=cpu") >= MOVES, "%s_path", name);
	else
		ktap_ok(dma * 2 >= migrated && dsam_delta(&d0, &d1,
			DSAM_VERIFY_MISMATCHES) == 0, "%s_path", name);
	ktap_ok(violations == 0, "%s_no_step_back", name);
	ktap_ok(lost_writes(rg.a, 0, 2, 0, rg.ctl, "A") +
		lost_writes(rg.a, 1, 2, 1, rg.ctl, "A") == 0,
		"%s_no_lost_write_private", name);
	ktap_ok(lost_writes(rg.b, 0, 1, 2, rg.ctl, "B") == 0,
		"%s_no_lost_write_fork_shared", name);
	ktap_ok(lost_writes(rg.c, 0, 1, 3, rg.ctl, "C") == 0,
		"%s_no_lost_write_memfd", name);

	if (mode == MODE_CPU_BATCH)
		mcopy_cpu_batch(false);
	else if (dsam_unload()) {
		ktap_diag("cannot unload %s", DSAM_MODULE);
	}
	munmap(rg.a, REGION_BYTES);
	munmap(rg.b, REGION_BYTES);
	munmap(rg.c, REGION_BYTES);
	munmap(rg.ctl, PAGE_SIZE_4K);
	close(memfd);
}

int main(void)
{
	enum mode mode;

	ktap_plan(NR_MODES * CHECKS_PER_MODE);
	if (node_count_with_memory() < 2)
		ktap_abort("needs 2 nodes with memory");
	for (mode = 0; mode < NR_MODES; mode++)
		run_mode(mode);
	return dsam_finish();
}
