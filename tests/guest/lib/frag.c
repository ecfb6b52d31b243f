// SPDX-License-Identifier: GPL-2.0
/*
 * frag.c - node fragmenter and survivor verification, see frag.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frag.h"
#include "util.h"

#define PAGES_PER_2M	(HPAGE_SIZE_2M / PAGE_SIZE_4K)

size_t frag_survivors(const struct frag_region *r)
{
	return r->len / PAGE_SIZE_4K / 2;
}

int frag_create(struct frag_region *r, int node, size_t len, uint64_t seed)
{
	size_t off;
	char *p;
	int ret;

	len &= ~(HPAGE_SIZE_2M - 1);
	if (!len)
		return -EINVAL;
	p = mmap_aligned(len, HPAGE_SIZE_2M);
	if (!p)
		return -ENOMEM;
	if (madvise(p, len, MADV_NOHUGEPAGE)) {
		ret = -errno;
		goto err;
	}
	ret = bind_to_node(p, len, node);
	if (ret)
		goto err;

	pattern_fill(p, len, seed);
	for (off = 0; off < len; off += PAGE_SIZE_4K) {
		if (frag_survives(off / PAGE_SIZE_4K))
			continue;
		if (madvise(p + off, PAGE_SIZE_4K, MADV_DONTNEED)) {
			ret = -errno;
			goto err;
		}
	}
	r->base = (uintptr_t)p;
	r->len = len;
	r->seed = seed;
	r->node = node;
	return 0;
err:
	munmap(p, len);
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
	enum { BATCH = 256 };	/* survivors per process_vm_readv */
	static char buf[BATCH * PAGE_SIZE_4K] __attribute__((aligned(4096)));
	struct iovec local = { buf, sizeof(buf) }, remote[BATCH];
	size_t i, npages = r->len / PAGE_SIZE_4K, done = 0;
	long bad = 0;

	for (i = 0; i < npages; ) {
		ssize_t got;
		int n = 0, k;

		for (; i < npages && n < BATCH; i++) {
			if (!frag_survives(i))
				continue;
			remote[n].iov_base = (void *)(uintptr_t)(r->base +
						i * PAGE_SIZE_4K);
			remote[n].iov_len = PAGE_SIZE_4K;
			n++;
		}
		if (!n)
			break;
		local.iov_len = n * PAGE_SIZE_4K;
		got = process_vm_readv(pid, &local, 1, remote, n, 0);
		if (got < 0)
			return -errno;
		for (k = 0; k < n; k++) {
			/*
			 * The copy lives in our buffer but its pattern is keyed
			 * on the owner's address: check a copy placed "at" it.
			 */
			const char *copy = buf + k * PAGE_SIZE_4K;

			if ((size_t)got < (k + 1) * PAGE_SIZE_4K) {
				if (mm && !mm->bad_pages)
					mm->page = remote[k].iov_base;
				if (mm)
					mm->bad_pages++;
				bad++;
				continue;
			}
			if (!pattern_check_copy(copy, remote[k].iov_base,
						r->seed, mm))
				bad++;
			done++;
		}
	}
	if (checked)
		*checked = done;
	return bad;
}

/* ------------------------------------------------------------------ */

static void frag_child_main(int fd, int node, size_t len, uint64_t seed)
{
	struct frag_region r;
	int ret;
	char c;

	set_oom_score_adj(-1000);
	ret = frag_create(&r, node, len, seed);
	if (ret) {
		memset(&r, 0, sizeof(r));
		r.node = ret;	/* report the error through node < 0 */
	}
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(2);
	if (ret)
		_exit(1);
	/* Hold the survivors until the parent closes the pipe. */
	while (read(fd, &c, 1) > 0)
		;
	_exit(0);
}

int frag_child_start(struct frag_child *c, int node, size_t len,
		     uint64_t seed)
{
	int sv[2], status;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	c->pid = fork();
	if (c->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (!c->pid) {
		close(sv[0]);
		frag_child_main(sv[1], node, len, seed);
	}
	close(sv[1]);
	c->fd = sv[0];
	n = read(c->fd, &c->region, sizeof(c->region));
	if (n != sizeof(c->region) || c->region.node < 0) {
		int err = n != sizeof(c->region) ? -EIO : c->region.node;

		close(c->fd);
		waitpid(c->pid, &status, 0);
		c->pid = -1;
		return err;
	}
	return 0;
}

int frag_child_stop(struct frag_child *c)
{
	int status;

	if (c->pid <= 0)
		return -ESRCH;
	close(c->fd);
	if (waitpid(c->pid, &status, 0) < 0)
		return -errno;
	c->pid = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
