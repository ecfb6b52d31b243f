// SPDX-License-Identifier: GPL-2.0
/*
 * pin.c - FOLL_LONGTERM pins through io_uring fixed buffers, see pin.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/uio.h>
#include <unistd.h>
#include <linux/io_uring.h>

#include "pin.h"

int pin_longterm(void *buf, size_t len)
{
	struct io_uring_params p;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	int fd, err;

	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0)
		return -errno;
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS,
		    &iov, 1)) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}
