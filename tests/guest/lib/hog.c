// SPDX-License-Identifier: GPL-2.0
/*
 * hog.c - pinned CPU hog, see hog.h.
 */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu.h"
#include "hog.h"

struct hog_shared {
	volatile int stop;
	volatile uint64_t iters;
};

static void __attribute__((noreturn)) hog_child(struct hog_shared *sh, int cpu)
{
	uint64_t counter = 0;

	if (cpu_pin(cpu))
		_exit(1);
	while (!sh->stop) {
		counter++;
		/* Keep the compiler from folding the loop away. */
		__asm__ volatile("" : "+r"(counter));
		if (!(counter & 0xffff))
			sh->iters = counter;
	}
	sh->iters = counter;
	_exit(0);
}

int hog_start(struct hog *h, int cpu)
{
	h->sh = mmap(NULL, sizeof(*h->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h->sh == MAP_FAILED)
		return -errno;
	h->sh->stop = 0;
	h->sh->iters = 0;
	h->pid = fork();
	if (h->pid < 0) {
		int err = -errno;

		munmap(h->sh, sizeof(*h->sh));
		return err;
	}
	if (!h->pid)
		hog_child(h->sh, cpu);
	return 0;
}

uint64_t hog_stop(struct hog *h)
{
	uint64_t iters;
	int status;

	h->sh->stop = 1;
	if (waitpid(h->pid, &status, 0) < 0)
		kill(h->pid, SIGKILL);
	iters = h->sh->iters;
	munmap(h->sh, sizeof(*h->sh));
	h->pid = -1;
	return iters;
}
