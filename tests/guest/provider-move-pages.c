// SPDX-License-Identifier: GPL-2.0
/*
 * provider-move-pages - move_pages(2) through the CPU test provider.
 *
 * With migrate_test_provider registered, move_pages(2) round trips of
 * 4 KiB pages and THPs must go through the provider's batch copy (its
 * syscall counter and the kernel's offload counters rise, THPs arrive as
 * large folios, every folio it sees is locked and unmapped) and every byte
 * must check out.  Then the fallbacks: a provider that copies only every
 * other folio, one that declines every batch, and a reason mask without
 * MR_SYSCALL, each still byte-identical.
 *
 * lab:test timeout=400 set=default
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "file.h"
#include "ktap.h"
#include "mcopy.h"
#include "mem.h"
#include "node.h"
#include "pattern.h"
#include "provider.h"


static struct provider_set set;

struct snap {
	struct provider_stats tp;
	struct mcopy_vmstat vm;
};

static void take(struct snap *s)
{
	int ret = provider_stats_read(&s->tp);

	if (ret)
		ktap_abort("reading %s stats: %s", PROVIDER_MODULE, strerror(-ret));
	ret = mcopy_vmstat_read(&s->vm);
	if (ret)
		ktap_abort("reading offload vmstat: %s", strerror(-ret));
}

static void report(const struct snap *a, const struct snap *b,
		   const char *label)
{
	ktap_diag("%s: provider calls +%" PRIu64 " copied +%" PRIu64
		  " skipped +%" PRIu64 " declined +%" PRIu64 " large +%" PRIu64
		  " syscall folios +%" PRIu64 " violations %" PRIu64, label,
		  b->tp.calls - a->tp.calls,
		  b->tp.folios_copied - a->tp.folios_copied,
		  b->tp.folios_skipped - a->tp.folios_skipped,
		  b->tp.declined - a->tp.declined,
		  b->tp.large_folios - a->tp.large_folios,
		  b->tp.reason_folios[MR_SYSCALL] - a->tp.reason_folios[MR_SYSCALL],
		  b->tp.contract_violations);
	ktap_diag("%s: vmstat pgmigrate_success +%" PRIu64 " offload batch +%"
		  PRIu64 " folio +%" PRIu64 " fallback +%" PRIu64, label,
		  b->vm.migrated - a->vm.migrated, b->vm.batch - a->vm.batch,
		  b->vm.folio - a->vm.folio, b->vm.fallback - a->vm.fallback);
}

#define D(field) (b.field - a.field)

int main(void)
{
	uint64_t seed = pattern_seed();
	struct snap a, b;
	char name[64], saved[32];
	bool intact;
	int ret;

	ktap_plan(9);
	/* Put the reason mask back as found: provider-none reads the default. */
	if (file_read(MCOPY_SYSCTL_REASONS, saved, sizeof(saved)))
		ktap_abort("cannot read %s", MCOPY_SYSCTL_REASONS);

	if (node_count_with_memory() < 2)
		ktap_abort("needs 2 NUMA nodes with memory");
	provider_require_idle();
	ret = provider_load("");
	if (ret)
		ktap_abort("modprobe %s: %s", PROVIDER_MODULE, strerror(-ret));

	ret = mcopy_provider_name(name, sizeof(name));
	ktap_ok(!ret && !strcmp(name, PROVIDER_NAME), "provider_registered");
	if (ret || strcmp(name, PROVIDER_NAME))
		ktap_diag("vm.migrate_copy_provider: \"%s\" (%s)", name,
			  ret ? strerror(-ret) : "ok");

	provider_set_alloc(&set);

	/* Everything copied by the provider. */
	take(&a);
	intact = provider_set_roundtrips(&set, seed);
	take(&b);
	report(&a, &b, "full copy");
	ktap_ok(intact, "offload_data_intact");
	ktap_ok(D(tp.reason_folios[MR_SYSCALL]) >= PROVIDER_SET_SMALL_BYTES / PAGE_SIZE_4K &&
		D(tp.large_folios) >= PROVIDER_SET_NR_THP && D(vm.batch) > 0 &&
		D(vm.folio) >= D(tp.folios_copied) && D(tp.folios_copied) > 0,
		"offload_counters_rise");
	ktap_ok(b.tp.contract_violations == 0 && b.tp.max_pairs <= 128,
		"provider_sees_locked_unmapped_folios");

	/* The provider copies every other folio; the CPU the rest. */
	provider_param_write("copy_every", "2");
	seed ^= 0x1111;
	take(&a);
	intact = provider_set_roundtrips(&set, seed);
	take(&b);
	report(&a, &b, "copy_every=2");
	ktap_ok(intact && D(tp.folios_skipped) > 0 && D(tp.folios_copied) > 0 &&
		D(vm.fallback) >= D(tp.folios_skipped),
		"partial_copy_falls_back_data_intact");
	provider_param_write("copy_every", "1");

	/* The provider declines every batch. */
	provider_param_write("decline_below", "1000000");
	seed ^= 0x2222;
	take(&a);
	intact = provider_set_roundtrips(&set, seed);
	take(&b);
	report(&a, &b, "declining");
	ktap_ok(intact && D(tp.declined) > 0 && D(tp.folios_copied) == 0 &&
		D(vm.fallback) > 0, "declined_batches_copied_by_cpu");
	provider_param_write("decline_below", "0");

	/* MR_SYSCALL not in the reason mask: the provider is not asked. */
	if (file_write(MCOPY_SYSCTL_REASONS, "1015"))
		ktap_abort("cannot write %s", MCOPY_SYSCTL_REASONS);
	seed ^= 0x3333;
	take(&a);
	intact = provider_set_roundtrips(&set, seed);
	take(&b);
	report(&a, &b, "reasons without syscall");
	ktap_ok(intact && D(tp.reason_folios[MR_SYSCALL]) == 0 &&
		D(vm.migrated) >= PROVIDER_SET_SMALL_BYTES / PAGE_SIZE_4K,
		"reason_mask_excludes_syscall");
	file_write(MCOPY_SYSCTL_REASONS, saved);

	/* The same mask through the module API. */
	ktap_ok(provider_param_write("reasons", "8") == 0 &&
		provider_param_write("reasons", "1024") == -EINVAL &&
		provider_param_read("reasons", name, sizeof(name)) == 0 &&
		!strcmp(name, "8") && provider_param_write("reasons", saved) == 0,
		"reason_mask_api");

	ret = provider_unload();
	if (ret)
		ktap_diag("unloading %s: %s", PROVIDER_MODULE, strerror(-ret));
	ktap_ok(!ret && !provider_loaded() && !mcopy_provider_name(name, sizeof(name)) &&
		!name[0], "provider_unregistered_and_unloaded");
	return ktap_finish();
}
