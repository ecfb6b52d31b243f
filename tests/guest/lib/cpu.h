/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpu.h - CPU affinity of the calling thread, and CPU times from
 * /proc/stat.
 */
#ifndef LAB_CPU_H
#define LAB_CPU_H

#include <stdint.h>

/* Pin the calling thread to @cpu. */
int cpu_pin(int cpu);

/* Jiffies of one CPU from /proc/stat ("cpuN" line). */
struct cpu_times {
	uint64_t user, nice, sys, idle, iowait, irq, softirq, steal;
};
int cpu_times_read(int cpu, struct cpu_times *t);
/* Percentages (x10, per-mille) of user, sys (incl. irq) and idle between two reads. */
void cpu_times_share(const struct cpu_times *a, const struct cpu_times *b,
		     int *user_pm, int *sys_pm, int *idle_pm);

#endif /* LAB_CPU_H */
