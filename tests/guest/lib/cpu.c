// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.c - CPU affinity and CPU times, see cpu.h.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "cpu.h"

int cpu_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

int cpu_times_read(int cpu, struct cpu_times *t)
{
	char line[256], want[16];
	int ret = -ENOENT;
	FILE *f;

	snprintf(want, sizeof(want), "cpu%d ", cpu);
	f = fopen("/proc/stat", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[8] = { 0 };

		if (strncmp(line, want, strlen(want)))
			continue;
		if (sscanf(line + strlen(want),
			   "%llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]) < 4)
			break;
		t->user = v[0];
		t->nice = v[1];
		t->sys = v[2];
		t->idle = v[3];
		t->iowait = v[4];
		t->irq = v[5];
		t->softirq = v[6];
		t->steal = v[7];
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

void cpu_times_share(const struct cpu_times *a, const struct cpu_times *b,
		     int *user_pm, int *sys_pm, int *idle_pm)
{
	uint64_t user = (b->user + b->nice) - (a->user + a->nice);
	uint64_t sys = (b->sys + b->irq + b->softirq) -
		       (a->sys + a->irq + a->softirq);
	uint64_t idle = (b->idle + b->iowait) - (a->idle + a->iowait);
	uint64_t total = user + sys + idle + (b->steal - a->steal);

	if (!total) {
		*user_pm = *sys_pm = *idle_pm = 0;
		return;
	}
	*user_pm = user * 1000 / total;
	*sys_pm = sys * 1000 / total;
	*idle_pm = idle * 1000 / total;
}
