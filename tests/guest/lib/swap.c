// SPDX-License-Identifier: GPL-2.0
/*
 * swap.c - zram swap and per-page kernel state for guest tests, see swap.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "kpage.h"
#include "mem.h"
#include "swap.h"

#define SWAP_MAGIC	"SWAPSPACE2"

/* The version-1 swap header (include/linux/swap.h, union swap_header). */
struct swap_header_v1 {
	char bootbits[1024];
	uint32_t version;
	uint32_t last_page;
	uint32_t nr_badpages;
	unsigned char uuid[16];
	char volume[16];
};

static int write_swap_header(const char *dev, uint64_t bytes)
{
	static char page[PAGE_SIZE_4K];
	struct swap_header_v1 *h = (struct swap_header_v1 *)page;
	int fd, ret = 0;

	memset(page, 0, sizeof(page));
	h->version = 1;
	h->last_page = bytes / PAGE_SIZE_4K - 1;
	memcpy(page + PAGE_SIZE_4K - strlen(SWAP_MAGIC), SWAP_MAGIC,
	       strlen(SWAP_MAGIC));
	fd = open(dev, O_WRONLY | O_SYNC);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, page, sizeof(page), 0) != sizeof(page))
		ret = -EIO;
	if (fsync(fd) && !ret)
		ret = -errno;
	close(fd);
	return ret;
}

int swap_devices(void)
{
	char line[256];
	int n = -1;	/* the header line */
	FILE *f;

	f = fopen("/proc/swaps", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n < 0 ? 0 : n;
}

int swap_zram_on(uint64_t bytes)
{
	int ret;

	ret = swap_devices();
	if (ret)
		return ret < 0 ? ret : -EEXIST;
	/* A device left configured by an earlier test: start afresh. */
	ret = file_write(ZRAM_SYS "/reset", "1");
	if (ret)
		return ret;
	ret = file_write_u64(ZRAM_SYS "/disksize", bytes);
	if (ret)
		return ret;
	ret = write_swap_header(ZRAM_DEV, bytes);
	if (ret)
		return ret;
	if (swapon(ZRAM_DEV, 0))
		return -errno;
	return 0;
}

int swap_zram_off(void)
{
	if (swapoff(ZRAM_DEV))
		return -errno;
	return file_write(ZRAM_SYS "/reset", "1");
}

long swap_out(void *buf, size_t len)
{
	struct kpage_info pi;
	long present = 0;
	size_t off;
	int ret;

	if (madvise(buf, len, MADV_PAGEOUT))
		return -errno;
	for (off = 0; off < len; off += PAGE_SIZE_4K) {
		ret = kpage_info((char *)buf + off, &pi);
		if (ret)
			return ret;
		present += pi.present || !pi.swapped;
	}
	return present;
}

pid_t swap_cache_populate(void *buf, size_t len)
{
	volatile const char *p = buf;
	size_t off;
	pid_t child;

	child = fork();
	if (child < 0)
		return -errno;
	if (!child) {
		for (;;)
			pause();
	}
	for (off = 0; off < len; off += PAGE_SIZE_4K)
		(void)p[off];
	return child;
}

int swap_child_end(pid_t child)
{
	int status;

	if (kill(child, SIGKILL))
		return -errno;
	if (waitpid(child, &status, 0) != child)
		return -errno;
	return 0;
}
