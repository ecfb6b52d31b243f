// SPDX-License-Identifier: GPL-2.0
/*
 * dsa.c - the DSA device through idxd, see dsa.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "dsa.h"
#include "file.h"
#include "ktap.h"
#include "proc.h"

/* tests/guest/setup/dsa-setup.sh, installed without its extension */
#define DSA_SETUP_SH	"/tests/bin/dsa-setup"
#define DMATEST_SYS	"/sys/module/dmatest/parameters"
#define DMATEST_DEADLINE_S 600
#define DSA_DEBUG_OFFSET 0x8000
#define DSA_DEBUG_SIZE	0x1000

int dsa_pci_bdf(char *bdf, size_t len)
{
	char path[300], ven[16], dev[16];
	struct dirent *de;
	int ret = -ENODEV;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 de->d_name);
		if (file_read(path, ven, sizeof(ven)) || strcmp(ven, "0x8086"))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		if (file_read(path, dev, sizeof(dev)) ||
		    (strcmp(dev, "0x0b25") && strcmp(dev, "0x11fb")))
			continue;
		snprintf(bdf, len, "%s", de->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

int dsa_state(char *buf, size_t len)
{
	return file_read("/sys/bus/dsa/devices/dsa0/state", buf, len);
}

int dsa_dma_channels(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/sys/class/dma");
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strstr(de->d_name, "chan"))
			n++;
	closedir(d);
	return n;
}

int dsa_setup(char *chan, size_t len, const char *engines)
{
	int pipefd[2], status;
	ssize_t n = 0, r;
	pid_t pid;

	if (pipe(pipefd))
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		if (engines)
			execl(DSA_SETUP_SH, DSA_SETUP_SH, "-e", engines,
			      (char *)NULL);
		else
			execl(DSA_SETUP_SH, DSA_SETUP_SH, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((size_t)n < len - 1 &&
	       (r = read(pipefd[0], chan + n, len - 1 - n)) > 0)
		n += r;
	close(pipefd[0]);
	chan[n] = '\0';
	chan[strcspn(chan, "\n")] = '\0';
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return 128;
	if (WEXITSTATUS(status))
		return WEXITSTATUS(status);
	return chan[0] ? 0 : -ENODEV;
}

void dsa_setup_or_abort(char *chan, size_t len, const char *engines)
{
	int ret = dsa_setup(chan, len, engines);

	if (ret)
		ktap_abort("dsa-setup.sh failed (%d): boot with DSA=1", ret);
}

static int param(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DMATEST_SYS "/%s", name);
	return file_write(path, val);
}

static int param_u(const char *name, unsigned int v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%u", v);
	return param(name, buf);
}

/* Parse "<chan>-copyN: summary T tests, F failures I iops K KB/s (E)" */
static void parse_summary(const char *line, const char *chan,
			  struct dmatest_result *r)
{
	unsigned int t, f;
	unsigned long long kb;
	const char *p = strstr(line, ": summary ");

	if (!p || !strstr(line, chan))
		return;
	if (sscanf(p, ": summary %u tests, %u failures %*s iops %llu KB/s",
		   &t, &f, &kb) == 3) {
		r->tests += t;
		r->failures += f;
		r->kbps += kb;
		r->found++;
	}
}

int dsa_dmatest(const char *chan, unsigned int size, unsigned int iterations,
		unsigned int threads, unsigned int timeout_ms, bool verify,
		struct dmatest_result *r)
{
	const char *modprobe[] = { "modprobe", "dmatest", NULL };
	char rec[1024], wait_buf[8];
	uint64_t t0;
	int fd, ret;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (access(DMATEST_SYS, F_OK) && proc_run(modprobe, false))
		return -ENOENT;
	/* Only log records written from now on are ours */
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	lseek(fd, 0, SEEK_END);

	ret = param_u("timeout", timeout_ms);
	ret = ret ?: param_u("iterations", iterations);
	ret = ret ?: param_u("test_buf_size", size);
	ret = ret ?: param("norandom", "Y");
	ret = ret ?: param("noverify", verify ? "N" : "Y");
	ret = ret ?: param_u("threads_per_chan", threads);
	ret = ret ?: param("channel", chan);
	if (ret) {
		close(fd);
		return ret;
	}
	t0 = clock_ns();
	ret = param("run", "1");
	/*
	 * Not "wait": it returns at once if the thread has not started yet.
	 * The summary line is the end of the run; dmatest's own timeout
	 * bounds each copy, our deadline the whole run.
	 */
	while (!ret && r->found < (int)threads) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (clock_ns() - t0 > (uint64_t)DMATEST_DEADLINE_S * 1000000000) {
			ret = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		/* One record per read; EPIPE: records were overwritten */
		while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
		       (n < 0 && errno == EPIPE)) {
			if (n <= 0)
				continue;
			rec[n] = '\0';
			parse_summary(rec, chan, r);
		}
	}
	r->ns = clock_ns() - t0;
	/* Now the thread is done; this also resets dmatest for the next run */
	if (!ret)
		ret = file_read(DMATEST_SYS "/wait", wait_buf, sizeof(wait_buf));
	close(fd);
	return ret;
}

int dsa_dmatest_unload(void)
{
	const char *rmmod[] = { "rmmod", "dmatest", NULL };

	if (access(DMATEST_SYS, F_OK))
		return 0;
	return proc_run(rmmod, false);
}

int dsa_kmsg_count(const char *needle)
{
	char rec[1024];
	int fd, n = 0;
	ssize_t r;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	while ((r = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (r < 0 && errno == EPIPE)) {
		if (r <= 0)
			continue;
		rec[r] = '\0';
		if (strstr(rec, needle))
			n++;
	}
	close(fd);
	return n;
}

/* ---- debug page ---- */

int dsa_dbg_open(struct dsa_dbg *d)
{
	char path[300];
	void *p;
	int ret;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	ret = dsa_pci_bdf(d->bdf, sizeof(d->bdf));
	if (ret)
		return ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0",
		 d->bdf);
	d->fd = open(path, O_RDWR | O_SYNC);
	if (d->fd < 0)
		return -errno;
	p = mmap(NULL, DSA_DEBUG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 d->fd, DSA_DEBUG_OFFSET);
	if (p == MAP_FAILED) {
		int err = -errno;

		close(d->fd);
		d->fd = -1;
		return err;
	}
	d->page = p;
	if (dsa_dbg_read32(d, DSA_DBG_MAGIC) != DSA_DBG_MAGIC_VALUE) {
		dsa_dbg_close(d);
		return -EPROTO;
	}
	return 0;
}

void dsa_dbg_open_or_abort(struct dsa_dbg *d)
{
	int ret = dsa_dbg_open(d);

	if (ret)
		ktap_abort("emulated DSA debug page: %s (DSA=1 with our QEMU?)",
			   strerror(-ret));
}

void dsa_dbg_close(struct dsa_dbg *d)
{
	if (d->page)
		munmap((void *)d->page, DSA_DEBUG_SIZE);
	if (d->fd >= 0)
		close(d->fd);
	d->page = NULL;
	d->fd = -1;
}

uint32_t dsa_dbg_read32(const struct dsa_dbg *d, unsigned int off)
{
	return *(volatile uint32_t *)(d->page + off);
}

uint64_t dsa_dbg_read64(const struct dsa_dbg *d, unsigned int off)
{
	return *(volatile uint64_t *)(d->page + off);
}

void dsa_dbg_write32(const struct dsa_dbg *d, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(d->page + off) = v;
}
