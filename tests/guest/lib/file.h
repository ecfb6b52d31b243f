/* SPDX-License-Identifier: GPL-2.0 */
/*
 * file.h - small /proc and /sys files, read and written whole.
 *
 * Like the rest of the library: functions return 0 (or a non-negative
 * value) or a negative errno and print nothing; strerror(-ret) says why.
 */
#ifndef LAB_FILE_H
#define LAB_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Read a whole small file into @buf (NUL terminated, trailing '\n' removed). */
int file_read(const char *path, char *buf, size_t len);
/* Read a file holding one unsigned decimal number. */
int file_read_u64(const char *path, uint64_t *val);
/* Write @val (no newline needed) with one write(2). */
int file_write(const char *path, const char *val);
int file_write_u64(const char *path, uint64_t val);

#endif /* LAB_FILE_H */
