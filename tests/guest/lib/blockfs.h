/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blockfs.h - a scratch ext4 filesystem on a zram block device, so guest
 * tests have page-cache folios of a real block filesystem (aops with
 * buffer heads, writeback to a device), not only tmpfs.
 *
 * The device is added with zram's hot_add, so zram0 stays free for swap
 * (swap.h).  mke2fs is Debian's (e2fsprogs), shipped in the initramfs.
 */
#ifndef LAB_BLOCKFS_H
#define LAB_BLOCKFS_H

#include <stdint.h>

/* Make a zram device of @bytes, mkfs.ext4 it and mount it on @dir. */
int blockfs_mount(uint64_t bytes, const char *dir);
/* Unmount @dir and remove its zram device. */
int blockfs_umount(const char *dir);

#endif /* LAB_BLOCKFS_H */
