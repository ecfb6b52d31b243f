// SPDX-License-Identifier: GPL-2.0
/*
 * blockfs.c - scratch ext4 on zram, see blockfs.h.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "blockfs.h"
#include "file.h"
#include "proc.h"

#define ZRAM_CONTROL	"/sys/class/zram-control"

static int scratch_dev = -1;

int blockfs_mount(uint64_t bytes, const char *dir)
{
	char path[64], dev[32], id[16];
	const char *mkfs[] = { "mke2fs", "-q", "-F", "-t", "ext4", dev, NULL };
	int ret;

	if (scratch_dev >= 0)
		return -EBUSY;
	ret = file_read(ZRAM_CONTROL "/hot_add", id, sizeof(id));
	if (ret)
		return ret;
	if (sscanf(id, "%d", &scratch_dev) != 1)
		return -EINVAL;
	snprintf(path, sizeof(path), "/sys/block/zram%d/disksize", scratch_dev);
	snprintf(dev, sizeof(dev), "/dev/zram%d", scratch_dev);
	ret = file_write_u64(path, bytes);
	if (ret)
		return ret;
	ret = proc_run(mkfs, true);
	if (ret)
		return ret < 0 ? ret : -EIO;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	if (mount(dev, dir, "ext4", 0, NULL))
		return -errno;
	return 0;
}

int blockfs_umount(const char *dir)
{
	char id[16];

	if (scratch_dev < 0)
		return -ENODEV;
	if (umount(dir))
		return -errno;
	snprintf(id, sizeof(id), "%d", scratch_dev);
	scratch_dev = -1;
	return file_write(ZRAM_CONTROL "/hot_remove", id);
}
