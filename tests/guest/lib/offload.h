/* SPDX-License-Identifier: GPL-2.0 */
/*
 * offload.h - put the migration copy offload into the state a scenario
 * needs, and judge from the counters whether it was used.
 *
 * Baseline: vm.migrate_copy_reasons (if the kernel has it) is set to 0 for
 * the run, so no batch is offered to a provider; the offload counter must
 * not rise.  Offload: the provider module is loaded (modprobe if needed),
 * the reason mask is made non-zero, and the counter must rise.  A kernel
 * or guest without the pieces fails the offload mode with a clear reason.
 */
#ifndef LAB_OFFLOAD_H
#define LAB_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The DMA offload provider module (module/), the vmstat counter of folios a
 * provider copied, and the reason mask (all reasons = (1 << MR_TYPES) - 1,
 * MR_TYPES is 10 in 6.12).
 */
#define OFFLOAD_MODULE		"dsa_migrate"
#define OFFLOAD_VMSTAT		"pgmigrate_offload_folio"
#define OFFLOAD_REASONS		"/proc/sys/vm/migrate_copy_reasons"
#define OFFLOAD_ALL_REASONS	"1023"
/* Sets up the DSA work queue for dmaengine (tests/guest/setup/dsa-setup.sh). */
#define OFFLOAD_SETUP		"/tests/bin/dsa-setup"
/* The module's own counter of folios it copied. */
#define OFFLOAD_MODULE_STAT	"folios_offloaded"

struct offload_state {
	bool want;		/* offload mode */
	bool have_counter;
	bool reasons_saved;
	int snaps;
	uint64_t before, after;		/* OFFLOAD_VMSTAT */
	bool have_mstat;
	uint64_t mbefore, mafter;	/* module stats/OFFLOAD_MODULE_STAT */
	char saved_reasons[32];
	char module[64];
	char error[192];
};

/* Prepare the system; 0, or -errno with st->error describing what is missing. */
int offload_prepare(struct offload_state *st, bool want, const char *module);
/* First call records "before", the second "after". */
void offload_snapshot(struct offload_state *st);
uint64_t offload_delta(const struct offload_state *st);
/* Offload mode: the counter rose.  Baseline: it did not (or does not exist). */
bool offload_verdict(const struct offload_state *st);
/* ktap_diag() the counter delta and the module's sysfs counters. */
void offload_report(const struct offload_state *st, const char *label);
/* Undo offload_prepare() (reason mask). */
void offload_restore(struct offload_state *st);

#endif /* LAB_OFFLOAD_H */
