/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pin.h - pin user pages FOLL_LONGTERM from user space, as RDMA and
 * io_uring users do: registering io_uring fixed buffers pins them for as
 * long as the ring has them.  Pinning pages that sit in ZONE_MOVABLE or
 * CMA migrates them out first (MR_LONGTERM_PIN); pinned pages must never
 * migrate.
 */
#ifndef LAB_PIN_H
#define LAB_PIN_H

#include <stddef.h>

/*
 * Register [@buf, @buf + @len) as the fixed buffer of a new io_uring.
 * Returns the ring's fd (close it to unpin) or -errno.
 */
int pin_longterm(void *buf, size_t len);

#endif /* LAB_PIN_H */
