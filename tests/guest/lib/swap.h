/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swap.h - a zram swap device for the guest tests (the state of one page,
 * swap entry and flags, is kpage.h's).
 *
 * zram is a synchronous swap device: a swap-in of an entry with a single
 * reference skips the swap cache.  A test that wants swap-cache folios
 * forks after paging out, so every entry has two references, and then
 * touches the pages in one of the processes (swap_cache_populate()).
 */
#ifndef LAB_SWAP_H
#define LAB_SWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ZRAM_DEV	"/dev/zram0"
#define ZRAM_SYS	"/sys/block/zram0"

/*
 * Make a fresh zram0 of @bytes and swap on it; it must become the first
 * swap device (type 0), so any other active swap is an error (-EEXIST).
 * Returns 0 or -errno.
 */
int swap_zram_on(uint64_t bytes);
/* swapoff and reset zram0; 0 or -errno. */
int swap_zram_off(void);
/* Number of active swap devices (lines of /proc/swaps), or -errno. */
int swap_devices(void);

/*
 * MADV_PAGEOUT [@buf, @buf + @len) and check every page left memory for
 * swap; returns the number of pages still present, or -errno.
 */
long swap_out(void *buf, size_t len);

/*
 * Fork a child that keeps a second reference on every swap entry of the
 * calling process and waits to be killed, then read every page of [@buf,
 * @buf + @len) (a read fault of an entry with two references goes through
 * the swap cache, and the folio stays there).  Returns the child's pid or
 * -errno; kill and reap it with swap_child_end().
 */
pid_t swap_cache_populate(void *buf, size_t len);
int swap_child_end(pid_t child);

#endif /* LAB_SWAP_H */
