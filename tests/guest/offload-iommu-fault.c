// SPDX-License-Identifier: GPL-2.0
/*
 * offload-iommu-fault - behind an IOMMU (QEMU's VT-d, intel_iommu=on) the
 * DSA reaches memory only through the DMA addresses dsa_migrate mapped.
 * With test_ro_dst_every=4 the module maps every 4th destination folio for
 * the device to read only: the device's write to it faults in translation
 * (a real remapping fault, nothing injected by the device model), that
 * descriptor fails and the CPU copies the folio.  No byte is lost, each
 * read-only destination is exactly one descriptor error and one fallback,
 * the kernel's DMAR driver logged the write faults, and every other folio
 * went by DMA through the IOMMU.
 *
 * lab:test timeout=240 set=default boot=iommu karg=lab.machine=iommu
 *
 * 512 x 4 KiB pages go node0 -> node1 -> node0 with the hook armed, then
 * node0 -> node1 once more with it off, which must be clean again.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsa.h"
#include "dsam.h"
#include "ktap.h"
#include "mem.h"
#include "pattern.h"

#define NPAGES		512
#define BUF_BYTES	(NPAGES * PAGE_SIZE_4K)
#define RO_EVERY	4

/* Entries of /sys/class/iommu: the kernel's IOMMU units. */
static int iommu_units(void)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static uint64_t ro_dst_pairs(void)
{
	char buf[32];

	if (dsam_param_get("test_ro_dst_pairs", buf, sizeof(buf)))
		ktap_abort("dsa_migrate has no test_ro_dst_pairs (not a test build?)");
	return strtoull(buf, NULL, 10);
}

int main(void)
{
	uint64_t seed = pattern_seed(), pairs0, pairs;
	struct dsam_sums sum = { 0 };
	char path[128];
	struct dsam_move m;
	struct dsa_dbg dbg;
	int dmar0, dmar;
	void *buf;

	ktap_plan(3 + 2 * 2 + 5 + 6);
	ktap_ok(iommu_units() > 0, "iommu_present");
	dsam_setup_or_abort(NULL);
	dsa_dbg_open_or_abort(&dbg);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 dbg.bdf);
	ktap_ok(access(path, F_OK) == 0, "dsa_behind_the_iommu");
	buf = dsam_buffer_or_abort(BUF_BYTES, false, 0, seed);

	dmar0 = dsa_kmsg_count("[DMA Write");
	pairs0 = ro_dst_pairs();
	ktap_ok(dsam_param_set("test_ro_dst_every", "4") == 0,
		"read_only_destinations_armed");
	dsam_roundtrip(buf, BUF_BYTES, PAGE_SIZE_4K, seed, "ro_dst", &sum);
	dsam_param_set("test_ro_dst_every", "0");
	pairs = ro_dst_pairs() - pairs0;
	dmar = dsa_kmsg_count("[DMA Write") - dmar0;

	ktap_diag("read-only destinations %" PRIu64 "; module: descriptor_errors %"
		  PRIu64 " folios_fallback %" PRIu64 " folios_offloaded %" PRIu64
		  "; DMAR write-fault lines %d", pairs, sum.errors, sum.fallback,
		  sum.offloaded, dmar);
	/* Each 4 KiB folio is one descriptor; a quarter of them, +-1 per move. */
	ktap_ok(pairs * RO_EVERY + 2 * RO_EVERY >= 2 * NPAGES &&
		pairs * RO_EVERY <= 2 * NPAGES + 2 * RO_EVERY,
		"a_quarter_of_the_destinations_read_only");
	ktap_ok(sum.errors == pairs, "each_read_only_destination_faulted_once");
	ktap_ok(sum.fallback == pairs, "exactly_those_folios_fell_back_to_cpu");
	ktap_ok(sum.offloaded + sum.fallback == 2 * NPAGES && sum.vm_folio == sum.offloaded,
		"every_other_folio_went_by_dma");
	/* The DMAR driver rate-limits its messages: at least one, not all. */
	ktap_ok(dmar >= 1, "iommu_logged_dma_write_faults");

	dsam_move_check(buf, BUF_BYTES, PAGE_SIZE_4K, 1, seed, "clean", &m);
	dsam_expect_offload(&m, NPAGES, PAGE_SIZE_4K, "after_disarm");
	dsa_dbg_close(&dbg);
	return dsam_finish();
}
