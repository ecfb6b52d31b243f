// SPDX-License-Identifier: GPL-2.0
/*
 * frag.c - node fragmenter and survivor verification, see frag.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <numaif.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frag.h"
#include "mem.h"
#include "pattern.h"
#include "proc.h"

#define PAGES_PER_2M	(HPAGE_SIZE_2M / PAGE_SIZE_4K)

size_t frag_survivors(const struct frag_region *r)
{
	return r->len / PAGE_SIZE_4K / 2;
}

int frag_fill(struct frag_region *r, int node, size_t len, uint64_t seed)
{
	unsigned long mask, old_mask = 0;
	int old_mode, ret;
	char *p;

	len &= ~(HPAGE_SIZE_2M - 1);
	if (!len)
		return -EINVAL;
	p = mem_map_aligned(len, HPAGE_SIZE_2M);
	if (!p)
		return -ENOMEM;
	if (madvise(p, len, MADV_NOHUGEPAGE)) {
		ret = -errno;
		goto err;
	}
	/* Bind with the thread policy while faulting the pages in. */
	if (get_mempolicy(&old_mode, &old_mask, sizeof(old_mask) * 8, NULL, 0)) {
		ret = -errno;
		goto err;
	}
	mask = 1UL << node;
	if (set_mempolicy(MPOL_BIND, &mask, sizeof(mask) * 8)) {
		ret = -errno;
		goto err;
	}
	pattern_fill(p, len, seed);
	set_mempolicy(old_mode, old_mode == MPOL_DEFAULT ? NULL : &old_mask,
		      sizeof(old_mask) * 8);
	r->base = (uintptr_t)p;
	r->len = len;
	r->seed = seed;
	r->node = node;
	return 0;
err:
	munmap(p, len);
	return ret;
}

int frag_discard(struct frag_region *r)
{
	char *p = (char *)(uintptr_t)r->base;
	size_t off;

	for (off = 0; off < r->len; off += PAGE_SIZE_4K) {
		if (frag_survives(off / PAGE_SIZE_4K))
			continue;
		if (madvise(p + off, PAGE_SIZE_4K, MADV_DONTNEED))
			return -errno;
	}
	return 0;
}

int frag_create(struct frag_region *r, int node, size_t len, uint64_t seed)
{
	int ret = frag_fill(r, node, len, seed);

	if (ret)
		return ret;
	ret = frag_discard(r);
	if (ret)
		frag_destroy(r);
	return ret;
}

void frag_destroy(struct frag_region *r)
{
	munmap((void *)(uintptr_t)r->base, r->len);
	r->len = 0;
}

size_t frag_verify(const struct frag_region *r, struct pattern_mismatch *mm)
{
	const char *p = (const char *)(uintptr_t)r->base;
	size_t off, bad = 0;

	for (off = 0; off < r->len; off += PAGE_SIZE_4K) {
		if (!frag_survives(off / PAGE_SIZE_4K))
			continue;
		if (!pattern_check_page(p + off, r->seed, mm))
			bad++;
	}
	return bad;
}

long frag_verify_remote(pid_t pid, const struct frag_region *r,
			struct pattern_mismatch *mm, size_t *checked)
{
	static char buf[PAGE_SIZE_4K] __attribute__((aligned(4096)));
	size_t i, npages = r->len / PAGE_SIZE_4K, done = 0;
	char path[64];
	long bad = 0;
	int fd;

	/*
	 * /proc/PID/mem rather than process_vm_readv(): it needs no
	 * CONFIG_CROSS_MEMORY_ATTACH.  Reading does not fault the page in anew
	 * or move it: it is read where it is.
	 */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < npages; i++) {
		uint64_t addr = r->base + i * PAGE_SIZE_4K;
		void *remote = (void *)(uintptr_t)addr;

		if (!frag_survives(i))
			continue;
		if (pread(fd, buf, sizeof(buf), addr) != sizeof(buf)) {
			if (mm && !mm->bad_pages)
				mm->page = remote;
			if (mm)
				mm->bad_pages++;
			bad++;
			continue;
		}
		if (!pattern_check_copy(buf, remote, r->seed, mm))
			bad++;
		done++;
	}
	close(fd);
	if (checked)
		*checked = done;
	return bad;
}

/* ------------------------------------------------------------------ */

/* Child -> parent messages: the region after filling, then after discarding. */
static void frag_child_main(int out, int node, size_t len, uint64_t seed)
{
	struct frag_region r;
	sigset_t go;
	int ret, sig;

	proc_oom_score_adj(-1000);
	ret = frag_fill(&r, node, len, seed);
	if (ret) {
		memset(&r, 0, sizeof(r));
		r.node = ret;	/* report the error through node < 0 */
	}
	if (write(out, &r, sizeof(r)) != sizeof(r) || ret)
		_exit(1);
	/* Discard only when told: every fragmenter fills first. */
	sigemptyset(&go);
	sigaddset(&go, SIGUSR1);
	sigwait(&go, &sig);
	ret = frag_discard(&r);
	if (ret)
		r.node = ret;
	if (write(out, &r, sizeof(r)) != sizeof(r) || ret)
		_exit(1);
	close(out);
	/* Hold the survivors until frag_child_stop() kills us. */
	for (;;)
		pause();
}

static int frag_child_read(struct frag_child *c)
{
	ssize_t n = read(c->fd, &c->region, sizeof(c->region));

	if (n != sizeof(c->region))
		return -EIO;
	return c->region.node < 0 ? c->region.node : 0;
}

int frag_child_start(struct frag_child *c, int node, size_t len,
		     uint64_t seed)
{
	sigset_t go, old;
	int up[2], err;

	/* A pipe, not a socketpair: the guest kernel has no networking. */
	if (pipe2(up, O_CLOEXEC))
		return -errno;
	/* SIGUSR1 blocked from birth, so an early "go" is not lost. */
	sigemptyset(&go);
	sigaddset(&go, SIGUSR1);
	sigprocmask(SIG_BLOCK, &go, &old);
	c->pid = fork();
	if (!c->pid) {
		close(up[0]);
		frag_child_main(up[1], node, len, seed);
	}
	err = c->pid < 0 ? -errno : 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(up[1]);
	c->fd = up[0];
	if (!err)
		err = frag_child_read(c);
	if (err)
		frag_child_stop(c);
	return err;
}

int frag_child_fragment(struct frag_child *c)
{
	int err;

	if (kill(c->pid, SIGUSR1))
		err = -errno;
	else
		err = frag_child_read(c);
	if (err)
		frag_child_stop(c);
	return err;
}

int frag_child_stop(struct frag_child *c)
{
	int status, ret;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->pid <= 0)
		return -ESRCH;
	kill(c->pid, SIGTERM);
	ret = waitpid(c->pid, &status, 0) < 0 ? -errno : 0;
	c->pid = -1;
	if (ret)
		return ret;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		return 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
