/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h - the clock the tests time things with.
 */
#ifndef LAB_CLOCK_H
#define LAB_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in ns. */
uint64_t clock_ns(void);

#endif /* LAB_CLOCK_H */
