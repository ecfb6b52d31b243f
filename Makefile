# dsa-migrate-devenv: build a Linux 6.12 guest with the migration copy-offload
# series, an emulated DSA in our own QEMU, and run the guest tests under TCG.
# `make help` lists targets and variables.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

TOP       := $(abspath .)
BUILD     ?= $(TOP)/build
CACHE     ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/dsa-migrate-devenv
FLAVOUR   ?= default
KSRC      ?=
KCONFIG   ?=
T         ?=
CMD       ?=
KARGS     ?=
CPUS      ?= 3
NODES     ?= 2
MEM       ?= 1G
ACCEL     ?= tcg
DSA       ?= 1
DSA_PROPS ?=
DSA_COUNT ?= 1
IOMMU     ?= 0
TIMING    ?=
GDB       ?= 0
TIMEOUT   ?=
BOOT_WATCHDOG ?= 300
JOBS      ?=
V         ?= 0
SOAK_PAGES ?= 1000000
SHARD     ?=
SHARE     ?=
DIRS      ?=
SMOKE     ?=
SMOKE_BASE ?=
FROM      ?=
TO        ?=

override BUILD := $(abspath $(BUILD))
override CACHE := $(abspath $(CACHE))
# A bad SHARD is refused before anything is built (tests/shard.sh says why).
ifneq ($(SHARD),)
ifneq ($(shell $(TOP)/tests/shard.sh check '$(SHARD)' && echo ok),ok)
$(error SHARD='$(SHARD)' is not i/N)
endif
endif
# TIMING: timed mode (qemu/README.md, "Timed mode"): 1 is the default set, spr.
TIMING_SETS := spr spr-dilated
ifneq ($(TIMING),)
override TIMING := $(if $(filter 1,$(TIMING)),spr,$(TIMING))
ifneq ($(filter-out $(TIMING_SETS),$(TIMING))$(word 2,$(TIMING)),)
$(error TIMING='$(TIMING)': must be 1 or a parameter set of the timing model: $(TIMING_SETS))
endif
ifneq ($(DSA),1)
$(error TIMING=$(TIMING) times the emulated DSA: it needs DSA=1 (got DSA=$(DSA)))
endif
ifneq ($(ACCEL),tcg)
$(error TIMING=$(TIMING) runs the guest under -icount, single-threaded TCG: it needs ACCEL=tcg (got ACCEL=$(ACCEL)))
endif
endif
# DSA_COUNT: emulated DSA devices (qemu/run-vm.sh --dsa-count); run-vm.sh checks it too.
ifneq ($(filter-out 1 2 3 4,$(DSA_COUNT))$(word 2,$(DSA_COUNT)),)
$(error DSA_COUNT='$(DSA_COUNT)': must be 1..4 (emulated DSA devices, 4 engines each))
endif
ifneq ($(DSA_COUNT),1)
ifneq ($(DSA),1)
$(error DSA_COUNT=$(DSA_COUNT) adds emulated DSA devices: it needs DSA=1 (got DSA=$(DSA)))
endif
endif
# KCONFIG: a user config fragment; build-kernel.sh merges and verifies it.
ifneq ($(KCONFIG),)
override KCONFIG := $(abspath $(KCONFIG))
ifneq ($(shell [ -f '$(KCONFIG)' ] && [ -r '$(KCONFIG)' ] && echo ok),ok)
$(error KCONFIG=$(KCONFIG): no such readable file (a kernel config fragment: CONFIG_FOO=y lines))
endif
endif
# SHARE: a host directory at the guest's /host (virtio-fs); 1: this
# flavour's build output, whose programs and modules the guest then uses.
ifneq ($(filter-out 1,$(SHARE)),)
override SHARE := $(abspath $(SHARE))
ifneq ($(shell [ -d '$(SHARE)' ] && echo ok),ok)
$(error SHARE=$(SHARE): no such directory (SHARE=DIR: a host directory at the guest's /host; SHARE=1: the build output))
endif
endif
ifneq ($(SHARE),)
ifneq ($(TIMING),)
$(error SHARE=$(SHARE) and TIMING=$(TIMING): virtiofsd answers the guest in host time, so a timed run would no longer be deterministic; choose one)
endif
endif
export CACHE FLAVOUR KSRC KCONFIG

# Out-of-tree modules: each directory with a Kbuild file is built against the
# guest kernel and installed into the initramfs.
OOT_MODULES := module tests/test-provider

KBUILD_SH  := $(TOP)/kernel-patches/build-kernel.sh
KBUILD_ENV := CACHE=$(CACHE) FLAVOUR=$(FLAVOUR) KSRC=$(KSRC) KCONFIG=$(KCONFIG)
KBUILD_DIR := $(shell $(KBUILD_ENV) $(KBUILD_SH) print-kbuild 2>/dev/null)
KSRC_DIR   := $(shell $(KBUILD_ENV) $(KBUILD_SH) print-ksrc 2>/dev/null)
BZIMAGE    := $(KBUILD_DIR)/arch/x86/boot/bzImage
INITRD     := $(BUILD)/$(FLAVOUR)/initramfs.cpio
GUEST_OUT  := $(BUILD)/$(FLAVOUR)/guest
MOD_OUT    := $(BUILD)/$(FLAVOUR)/modules
HOST_OUT   := $(BUILD)/host
QEMU_BIN_FILE := $(BUILD)/qemu-binary

GUEST_LIB_SRCS := $(wildcard tests/guest/lib/*.c)
GUEST_LIB_HDRS := $(wildcard tests/guest/lib/*.h)
# tests/guest: the tests; bench/: the benchmarks; tools/: programs for the
# tests and for interactive use; setup/: DSA set-up scripts; lib/: the C
# library linked into each program and the shell libraries the tests
# source. All land in one /tests/bin of the guest, so names are unique.
GUEST_C_DIRS   := tests/guest tests/guest/bench tests/guest/tools
GUEST_SH_DIRS  := tests/guest tests/guest/setup tests/guest/lib
GUEST_C_SRCS   := $(foreach d,$(GUEST_C_DIRS),$(wildcard $(d)/*.c))
GUEST_SH_SRCS  := $(foreach d,$(GUEST_SH_DIRS),$(wildcard $(d)/*.sh))
GUEST_NAMES    := $(basename $(notdir $(GUEST_C_SRCS) $(GUEST_SH_SRCS)))
GUEST_BINS     := $(addprefix $(GUEST_OUT)/bin/,$(GUEST_NAMES))
ifneq ($(words $(GUEST_NAMES)),$(words $(sort $(GUEST_NAMES))))
$(error tests/guest: two programs share a name in /tests/bin: $(shell echo $(GUEST_NAMES) | tr " " "\n" | sort | uniq -d))
endif
GUEST_CFLAGS   := -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror \
                  -D_GNU_SOURCE -Itests/guest/lib -I$(KBUILD_DIR)/usr/include
GUEST_LDLIBS   := -lnuma -lpthread -lm

VERDICT := $(HOST_OUT)/ktap-verdict
MERGE_SHARDS := $(HOST_OUT)/merge-shards
# the benchmarks' report generators
BENCH_MIGRATE_REPORT := $(HOST_OUT)/bench-migrate-report
BENCH_COMPACTION_RFC := $(HOST_OUT)/bench-compaction-rfc
BENCH_BREAKEVEN_REPORT := $(HOST_OUT)/bench-breakeven-report
BENCH_DSA_REPORT := $(HOST_OUT)/bench-dsa-report
HOST_TOOLS := $(VERDICT) $(MERGE_SHARDS) $(BENCH_MIGRATE_REPORT) $(BENCH_COMPACTION_RFC) \
	$(BENCH_BREAKEVEN_REPORT) $(BENCH_DSA_REPORT)

.PHONY: help deps kernel module rootfs qemu run test test-host test-guest test-debug test-suites test-iommu build-all \
        check-patches check-series print-kbuild print-ksrc clean distclean guest-bins gdb merge-shards

help:
	@echo "dsa-migrate-devenv: page-migration copy offload to an emulated DSA, tested in QEMU"
	@echo
	@echo "Set-up (fresh Debian 12, as root):"
	@echo "  make run       build everything, boot, run the offload demo, interactive shell"
	@echo "  make test      build everything, host tests, boot, run the guest tests, verdict"
	@echo
	@echo "Targets:"
	@echo "  deps           install the Debian packages we need (quick when satisfied)"
	@echo "  kernel         build the guest kernel (Debian 6.12 + kernel-patches/series)"
	@echo "  module         build the out-of-tree modules ($(OOT_MODULES))"
	@echo "  rootfs         build the initramfs (busybox, /init, guest tests, modules)"
	@echo "  qemu           build our QEMU (emulated DSA + MOVDIR64B), see qemu/README.md"
	@echo "  run            boot, show the offload (demo: DSA, WQ, dsa_migrate, CPU vs DSA moves,"
	@echo "                 every byte checked), then a shell; quit: poweroff -f or Ctrl-a x"
	@echo "  test           test-host, then boot and run the guest tests; verdict code in"
	@echo "                 build/exit-code; tests/make-test.sh exits with it: 0 pass, 1 fail,"
	@echo "                 2 timeout, 3 crash, 125 untestable: a build failure, QEMU not starting,"
	@echo "                 T= matching nothing (git bisect skip)"
	@echo "  gdb            attach gdb to a guest started with GDB=1 (another terminal): vmlinux,"
	@echo "                 the kernel's lx-* scripts, module symbols as they load; stops at"
	@echo "                 start_kernel first (GDB_BREAK=FUNC, or empty to attach as is)"
	@echo "  test-host      host-side tests (verdict logic, harness end to end, QEMU qtests)"
	@echo "  test-guest     only boot and run the guest tests (no host tests)"
	@echo "  test-debug     the guest tests on the debug kernel (FLAVOUR=debug: KASAN, lockdep,"
	@echo "                 kmemleak scan after the tests), without the CPU-copy baselines"
	@echo "                 $(DEBUG_T) (T= overrides); CI runs it after 'make test'"
	@echo "  test-iommu     the DSA and offload tests ($(IOMMU_TESTS)) with IOMMU=1; CI runs it"
	@echo "  test-suites    the kernel's mm selftests, stress-ng --verify and numactl's tools in the"
	@echo "                 guest with dsa_migrate registered (tests/README: allow-list); CI runs it"
	@echo "  check-patches  scripts/checkpatch.pl --strict on kernel-patches/ and module/"
	@echo "  check-series   for each prefix of the series (FROM..TO): checkpatch, kernel build,"
	@echo "                 smoke tests (SMOKE; SMOKE_BASE without modules before the provider"
	@echo "                 API); table in $(BUILD)/check-series/summary.md, exit 1 if any failed"
	@echo "  bench-migrate  DSA=1 guest run of bench-migrate: move_pages GB/s, CPU vs DMA 1/2/4/8/16"
	@echo "                 channels (DSA_COUNT=4 by default), 4K/16K/64K/256K/1M/2M folios, next to the"
	@echo "                 RFC v4 table with ratios; markdown + PNGs in $(BUILD)/bench-migrate/"
	@echo "  bench-compaction DSA=1 guest run of bench-compaction: the four-mode table (baseline/offload x"
	@echo "                 idle/busy) next to the RFC v4 one with ratios (rfc.md) + fragmentation-over-time"
	@echo "                 PNG in $(BUILD)/bench-compaction/"
	@echo "  bench-breakeven DSA=1 guest run of bench-breakeven: move_pages of one batch, 1..512 x 4 KiB"
	@echo "                 and 1..8 THPs, CPU copy vs offload, the crossover; use TIMING=1 (the model's"
	@echo "                 numbers); markdown table + PNG in $(BUILD)/bench-breakeven/"
	@echo "  check-timing-determinism  the short break-even sweep DETERMINISM_RUNS (2) times in timed"
	@echo "                 mode (TIMING, default spr): every run's numbers identical, else exit 1"
	@echo "  bench-dsa      DSA=1 guest run of bench-dsa: dmatest latency (one thread) and throughput"
	@echo "                 of the emulated DSA, 4K..2M; with TIMING next to the timing model's"
	@echo "                 prediction, else next to host memcpy of the same run; $(BUILD)/bench-dsa/"
	@echo "  soak           DSA=1 guest run of soak: move_pages, compaction and DAMON migrate at once"
	@echo "                 through the offload, with DSA faults and stalls, until SOAK_PAGES pages"
	@echo "                 went by DMA (at most 20 min), every byte checked"
	@echo "  merge-shards   DIRS='run dirs of SHARD=1/N..N/N': one results.json, junit.xml,"
	@echo "                 summary.txt in $(BUILD)/merged/, the worst shard's code in build/exit-code"
	@echo "  fuzz-dsa       seeded random driver of the emulated DSA (qtest) on an ASan + UBSan QEMU:"
	@echo "                 FUZZ_OPS operations of seed FUZZ_SEED; a crash, sanitizer report, hang or"
	@echo "                 wedged device fails it and names the seed and operation to replay"
	@echo "  clean          remove $(BUILD)"
	@echo "  distclean      also remove the cache $(CACHE)"
	@echo
	@echo "Variables (current value):"
	@echo "  BUILD=$(BUILD)   build outputs and run logs"
	@echo "  CACHE=$(CACHE)   kernel/QEMU sources and builds, keyed by input hashes"
	@echo "  FLAVOUR=$(FLAVOUR)   kernel flavour: default | debug (KASAN, lockdep, kmemleak, page_owner)"
	@echo "  KSRC=$(KSRC)   external kernel tree to build instead (no series applied; for git bisect)"
	@echo "  KCONFIG=$(KCONFIG)   your config fragment, merged after ours and verified like them (a"
	@echo "                 requested symbol olddefconfig drops fails the build); its own object tree"
	@echo "  T=$(T)   guest tests to run: comma-separated globs (empty: the default set);"
	@echo "                 a glob with a leading ! drops what it matches (T='!soak-short')"
	@echo "  KARGS=$(KARGS)   extra kernel command-line arguments"
	@echo "  CMD='...'   make run: boot, run this shell command in the guest, print its output;"
	@echo "                 its exit status in build/exit-code (tests/make-test.sh run CMD=... exits"
	@echo "                 with it; 2: guest timeout, 3: guest ended without one)"
	@echo "  CPUS=$(CPUS) NODES=$(NODES) MEM=$(MEM)   vCPUs, NUMA nodes, memory per node"
	@echo "  ACCEL=$(ACCEL)   tcg (single-threaded) | tcg-mt | kvm | auto (kvm if a probe boot works)"
	@echo "  DSA=$(DSA)   1: our QEMU with the emulated intel-dsa device; 0: none; vfio:<PCI address>:"
	@echo "                 the host's DSA passed through (ACCEL=kvm IOMMU=1; qemu/README.md)"
	@echo "  DSA_PROPS=$(DSA_PROPS)   properties of the emulated DSA, e.g. model=dsa2 (qemu/README.md)"
	@echo "  DSA_COUNT=$(DSA_COUNT)   emulated DSA devices (1..4, 4 engines each; DSA=1)"
	@echo "  TIMING=$(TIMING)   timed mode: the guest under -icount (shift=0, sleep=off), the emulated DSA"
	@echo "                 completing in virtual time from its timing model, so results are the"
	@echo "                 same run after run; 1 or spr: Sapphire Rapids; spr-dilated: its device times"
	@echo "                 x6.45, calibrated on the RFC v4 1-channel 2 MiB ratio; empty: off"
	@echo "  IOMMU=$(IOMMU)   1: an Intel VT-d IOMMU in front of the devices, intel_iommu=on: DMA by IOVA"
	@echo "  GDB=$(GDB)   1 (port 1234) or a port: the guest waits for 'make gdb' (one boot only)"
	@echo "  TIMEOUT=$(TIMEOUT)   overall guest timeout in seconds (default: from the tests' timeouts)"
	@echo "  JOBS=$(JOBS)   guest boots at a time (empty: one per CPU, as memory allows); also make -j"
	@echo "                 of the kernel build"
	@echo "  BOOT_WATCHDOG=$(BOOT_WATCHDOG)   kill a boot whose /init has written nothing after this many"
	@echo "                 seconds: a crash verdict, not the whole time limit"
	@echo "  V=$(V)   1: stream the whole serial console"
	@echo "  SOAK_PAGES=$(SOAK_PAGES)   pages 'make soak' offloads (lab.soak_pages=)"
	@echo "  SHARD=$(SHARD)   i/N: run only shard i of N of the selection's boot groups (a CI matrix;"
	@echo "                 the same split on every machine), merge them with make merge-shards"
	@echo "  DIRS=$(DIRS)   make merge-shards: the shards' run directories"
	@echo "  SHARE=$(SHARE)   a host directory at the guest's /host (virtio-fs); 1: this flavour's build"
	@echo "                 output, whose programs and modules the guest uses instead of the initramfs's"
	@echo "  FUZZ_OPS=$(FUZZ_OPS) FUZZ_SEED=$(FUZZ_SEED)   make fuzz-dsa: operations and seed"

deps:
	@$(TOP)/ci/deps.sh

kernel: deps
	@$(KBUILD_SH) build

print-kbuild:
	@echo $(KBUILD_DIR)
print-ksrc:
	@echo $(KSRC_DIR)

# --- out-of-tree modules: built in a copy so the source tree stays clean ---
module: kernel
	@$(MAKE) $(MOD_OUT)/ko.list

# One list per module directory, rebuilt when a source of that directory
# changed or the kernel was rebuilt (the stamp build-kernel.sh writes after
# each real build): an edit of module/ does not walk kbuild over the others
# (about 2 s each).  A directory without a Kbuild file (an older commit
# under bisect) contributes no module.
OOT_KO_LISTS := $(foreach d,$(OOT_MODULES),$(MOD_OUT)/$(d).ko.list)
define oot_module_rule
$$(MOD_OUT)/$(1).ko.list: $$(KBUILD_DIR)/.lab-built $$(shell find $(1) -type f)
	@set -e; mkdir -p $$(MOD_OUT)/$(1); : > $$@.tmp; \
	if [ -f $(1)/Kbuild ]; then \
		rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod*' \
			--exclude='.*.cmd' --exclude=Module.symvers --exclude=modules.order \
			--filter='P *.o' --filter='P *.ko' --filter='P *.mod*' --filter='P .*.cmd' \
			--filter='P Module.symvers' --filter='P modules.order' \
			$(1)/ $$(MOD_OUT)/$(1)/; \
		echo ">> module: $(1)" >&2; \
		$$(MAKE) -s -C $$(KBUILD_DIR) M=$$(MOD_OUT)/$(1) CC="ccache gcc" DSAM_TEST_HOOKS=y modules; \
		ls $$(MOD_OUT)/$(1)/*.ko > $$@.tmp; \
	fi; \
	mv $$@.tmp $$@
endef
$(foreach d,$(OOT_MODULES),$(eval $(call oot_module_rule,$(d))))

$(MOD_OUT)/ko.list: $(OOT_KO_LISTS)
	@cat $^ > $@

# --- guest programs: C (linked against the host's shared libraries, which
# the initramfs carries) and shell scripts, plus the test manifest ---
GUEST_LIB_OBJS := $(patsubst tests/guest/lib/%.c,$(GUEST_OUT)/libobj/%.o,$(GUEST_LIB_SRCS))

# The flags are an input too: when they change, every guest program is rebuilt.
GUEST_FLAGS_STAMP := $(GUEST_OUT)/flags
$(GUEST_FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(GUEST_CFLAGS) $(GUEST_LDLIBS)' | cmp -s - $@ || echo '$(GUEST_CFLAGS) $(GUEST_LDLIBS)' > $@
.PHONY: FORCE

$(GUEST_OUT)/libobj/%.o: tests/guest/lib/%.c $(GUEST_LIB_HDRS) $(GUEST_FLAGS_STAMP)
	@mkdir -p $(@D)
	@gcc $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/lib.a: $(GUEST_LIB_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	@ar rcs $@ $^

define guest_c_rule
$$(GUEST_OUT)/bin/%: $(1)/%.c $$(GUEST_OUT)/lib.a $$(GUEST_LIB_HDRS) $$(GUEST_FLAGS_STAMP)
	@mkdir -p $$(@D)
	@echo ">> guest: $$*" >&2
	@gcc $$(GUEST_CFLAGS) $$< -o $$@ $$(GUEST_OUT)/lib.a $$(GUEST_LDLIBS)
endef
define guest_sh_rule
$$(GUEST_OUT)/bin/%: $(1)/%.sh
	@mkdir -p $$(@D)
	@install -m 755 $$< $$@
endef
$(foreach d,$(GUEST_C_DIRS),$(eval $(call guest_c_rule,$(d))))
$(foreach d,$(GUEST_SH_DIRS),$(eval $(call guest_sh_rule,$(d))))

$(GUEST_OUT)/manifest: $(GUEST_C_SRCS) $(GUEST_SH_SRCS) tests/manifest.sh
	@mkdir -p $(@D)
	@tests/manifest.sh $(GUEST_C_SRCS) $(GUEST_SH_SRCS) > $@.tmp && mv $@.tmp $@

guest-bins: $(GUEST_BINS) $(GUEST_OUT)/manifest

# The kernel's own mm selftests, built statically from the kernel tree with
# its selftests Makefile: provider-selftest-migration and the suite-* tests
# run them from the "suites" overlay.  Static user programs and tools: one
# overlay for every flavour, built once.
SELFTEST_MM   := $(KSRC_DIR)/tools/testing/selftests/mm
SUITES_OUT    := $(BUILD)/suites
KSELFTEST_MM  := migration compaction_test ksm_tests ksm_functional_tests \
                 transhuge-stress hmm-tests
SUITE_DEBIAN_BINS := /usr/bin/stress-ng /usr/bin/numactl /usr/bin/migratepages \
                 /usr/bin/migspeed
OVERLAY_SUITES := $(BUILD)/overlay-suites.cpio.gz

$(SUITES_OUT)/kselftest-mm/.built: $(wildcard $(SELFTEST_MM)/*.c $(SELFTEST_MM)/*.h)
	@mkdir -p $(@D)
	@echo ">> guest: kernel mm selftests: $(KSELFTEST_MM)" >&2
	@$(MAKE) -s -C $(SELFTEST_MM) OUTPUT=$(@D) LDFLAGS=-static \
		KHDR_INCLUDES="-isystem $(KBUILD_DIR)/usr/include" \
		$(addprefix $(@D)/,$(KSELFTEST_MM)) 2>$(@D)/build.log || \
		{ cat $(@D)/build.log >&2; exit 1; }
	@strip $(addprefix $(@D)/,$(KSELFTEST_MM))
	@touch $@

$(OVERLAY_SUITES): $(SUITES_OUT)/kselftest-mm/.built rootfs/build-overlay.sh rootfs/lib.sh tests/skips.txt
	@rm -rf $(SUITES_OUT)/stage && mkdir -p $(SUITES_OUT)/stage/kselftest-mm
	@cp tests/skips.txt $(SUITES_OUT)/stage/
	@cp $(addprefix $(SUITES_OUT)/kselftest-mm/,$(KSELFTEST_MM)) $(SUITES_OUT)/stage/kselftest-mm/
	@rootfs/build-overlay.sh $@ $(SUITES_OUT)/stage /suites $(SUITE_DEBIAN_BINS)

# The initramfs is two parts (rootfs/build-initramfs.sh), each rebuilt only
# when its inputs changed: the base when the kernel's installed modules did
# (the checksum file build-kernel.sh rewrites only then), the tests part
# when a guest program, /init or one of our modules did.
BASE_INITRD  := $(BUILD)/$(FLAVOUR)/initramfs-base.cpio
TESTS_INITRD := $(BUILD)/$(FLAVOUR)/initramfs-tests.cpio
KMODS_SUM    := $(KBUILD_DIR)/lab-modules.sum

$(BASE_INITRD): $(KMODS_SUM) rootfs/build-initramfs.sh rootfs/lib.sh \
		$(shell find rootfs/etc -type f) /bin/busybox
	@$(TOP)/rootfs/build-initramfs.sh base $@ $(KBUILD_DIR)

# With SHARE=1 the guest runs the programs and modules of the share, so
# they are built (order-only) but a changed one does not repack the part.
TESTS_PART_CONTENT := $(GUEST_BINS) $(GUEST_OUT)/manifest $(MOD_OUT)/ko.list
$(TESTS_INITRD): $(BASE_INITRD) rootfs/init tests/select.sh rootfs/build-initramfs.sh rootfs/lib.sh \
		$(if $(filter 1,$(SHARE)),| )$(TESTS_PART_CONTENT)
	@$(TOP)/rootfs/build-initramfs.sh tests $@ $(KBUILD_DIR) $(BASE_INITRD) \
		$(GUEST_OUT)/bin $(GUEST_OUT)/manifest $$(cat $(MOD_OUT)/ko.list)

$(INITRD): $(BASE_INITRD) $(TESTS_INITRD)
	@cat $^ >$@.tmp && mv $@.tmp $@

rootfs: module
	@$(MAKE) guest-bins $(OVERLAY_SUITES) $(INITRD)

# --- our QEMU (emulated DSA); its path is recorded for the launcher ---
qemu: deps
	@mkdir -p $(BUILD)
	@set -o pipefail; qemu/build.sh $(CACHE)/qemu | tail -n 1 > $(QEMU_BIN_FILE).tmp
	@mv $(QEMU_BIN_FILE).tmp $(QEMU_BIN_FILE)

# --- fuzz the emulated DSA on a sanitizer build of our QEMU (qemu/README.md) ---
FUZZ_OPS  ?= 1000000
FUZZ_SEED ?= 1
.PHONY: fuzz-dsa
fuzz-dsa: deps
	@mkdir -p $(BUILD)
	@FUZZ_OPS='$(FUZZ_OPS)' FUZZ_SEED='$(FUZZ_SEED)' FUZZ_LOG=$(BUILD)/fuzz-dsa.log \
		qemu/fuzz.sh $(CACHE)/qemu

# --- host tools and tests ---
# tests/host: the host tests' tools; tests/host/bench: the benchmarks' report generators.
HOST_CC = @mkdir -p $(@D) && gcc -O2 -Wall -Wextra -Werror -o $@ $<
$(filter-out $(HOST_OUT)/bench-%,$(HOST_TOOLS)): $(HOST_OUT)/%: tests/host/%.c
	$(HOST_CC)
$(filter $(HOST_OUT)/bench-%,$(HOST_TOOLS)): $(HOST_OUT)/%: tests/host/bench/%.c
	$(HOST_CC)

RUN_ENV = BUILD=$(BUILD) VERDICT=$(VERDICT) BZIMAGE=$(BZIMAGE) INITRD=$(INITRD) KBUILD_DIR=$(KBUILD_DIR) \
	KSRC_DIR=$(KSRC_DIR) MOD_OUT=$(MOD_OUT) \
	KERNEL_CONFIG=$(KBUILD_DIR)/.config MANIFEST=$(GUEST_OUT)/manifest OVERLAY_DIR=$(BUILD) \
	CPUS=$(CPUS) NODES=$(NODES) MEM=$(MEM) ACCEL=$(ACCEL) DSA=$(DSA) DSA_PROPS=$(DSA_PROPS) DSA_COUNT=$(DSA_COUNT) IOMMU=$(IOMMU) GDB=$(GDB) \
	TIMING=$(TIMING) QEMU_BIN_FILE=$(QEMU_BIN_FILE) TIMEOUT=$(TIMEOUT) BOOT_WATCHDOG=$(BOOT_WATCHDOG) V=$(V) \
	FLAVOUR=$(FLAVOUR) JOBS=$(JOBS) SHARD=$(SHARD) SHARE='$(SHARE)'

# Everything the guest needs; any failure here means "untestable" (125).
build-all:
	@$(MAKE) deps
	@$(MAKE) kernel rootfs $(VERDICT) $(if $(filter 1,$(DSA)),qemu) || \
		{ echo "build failed: exit 125 (untestable)" >&2; exit 125; }

test-host: $(VERDICT) $(MERGE_SHARDS)
	@MERGE_SHARDS=$(MERGE_SHARDS) $(RUN_ENV) tests/host/run-host-tests.sh

# make test runs the host tests only when an input changed since they last
# passed: a source file of the lab, the kernel, the initramfs, QEMU or the
# run's settings (in the stamp's name).
HOST_TESTS_OK := $(BUILD)/$(FLAVOUR)/host-tests-$(shell echo '$(RUN_ENV)' | sha256sum | cut -c1-12).ok
HOST_TEST_INPUTS = Makefile $(shell find tests qemu rootfs kernel-patches module ci -type f) \
	$(VERDICT) $(MERGE_SHARDS) $(BZIMAGE) $(INITRD) $(wildcard $(QEMU_BIN_FILE) $(shell cat $(QEMU_BIN_FILE) 2>/dev/null))
$(HOST_TESTS_OK): $(HOST_TEST_INPUTS)
	@mkdir -p $(@D); rm -f $@
	@$(MAKE) test-host
	@touch $@

.PHONY: test-host-changed
test-host-changed:
	@if $(MAKE) -q $(HOST_TESTS_OK); then \
		echo "host: skipped, nothing they read changed since they passed (make test-host runs them)"; \
	else $(MAKE) $(HOST_TESTS_OK); fi

# make exits 2 whenever a recipe fails, so the verdict's own code (0 pass,
# 1 fail, 2 timeout, 3 crash, 125 untestable) is also written to
# $(EXIT_CODE); tests/make-test.sh turns it back into the exit status
# (git bisect run needs 125 to skip a commit).
EXIT_CODE  := $(BUILD)/exit-code
HOST_TESTS ?= 1

# $(call built_then,STEPS): build everything (125 on failure), then the
# shell STEPS (each: [ $$code != 0 ] || CMD || code=...;), the exit code in
# $(EXIT_CODE).
define built_then
	@mkdir -p $(BUILD); rm -f $(EXIT_CODE); code=0; \
	$(MAKE) build-all || code=125; \
	$(1) \
	echo $$code > $(EXIT_CODE); exit $$code
endef
GUEST_RUN = [ $$code != 0 ] || $(RUN_ENV) tests/run-guest.sh --tests '$(T)' --kargs '$(KARGS)'

test:
	$(call built_then,[ $$code != 0 ] || [ "$(HOST_TESTS)" = 0 ] || $(MAKE) test-host-changed || code=1; \
		$(GUEST_RUN) || code=$$?;)

test-guest:
	@$(MAKE) test HOST_TESTS=0

# The default guest set on the debug kernel (KASAN, lockdep, kmemleak), but
# for the CPU-copy baselines of three compaction tests: their -offload twins
# run the same compaction under KASAN (and compact-memory and
# compact-concurrent its CPU copy), and the three took 584 s of the 5103 s
# of debug boots here, for the 60-minute CI.  T= chooses otherwise.  The
# host tests do not depend on the flavour.
DEBUG_T := !compact-hugepages,!compact-manual,!compact-proactive
test-debug:
	@$(MAKE) test FLAVOUR=debug HOST_TESTS=0 T='$(or $(T),$(DEBUG_T))'

# The DSA and offload tests again with every boot behind QEMU's VT-d IOMMU
# (intel_iommu=on): descriptors carry IOVAs; CI runs it after 'make test'.
IOMMU_TESTS := dsa-*,offload-*,demo
test-iommu:
	@$(MAKE) test HOST_TESTS=0 IOMMU=1 T='$(IOMMU_TESTS)'

# Independent suites in the guest (tests/guest/suite-*: the kernel's mm
# selftests, stress-ng, numactl) with dsa_migrate registered, from the
# "suites" initramfs overlay; CI runs it after 'make test'.
test-suites:
	@$(MAKE) test HOST_TESTS=0 T='suite-*'

# The shards of one run (SHARD=1/N .. N/N, each run directory copied from
# its machine) as one: results.json, junit.xml and summary.txt in
# $(BUILD)/merged/, the worst shard's code in $(EXIT_CODE).
merge-shards: $(MERGE_SHARDS)
	@[ -n "$(strip $(DIRS))" ] || { echo "make merge-shards: DIRS= names no shard run directory" >&2; exit 2; }
	@mkdir -p $(BUILD)/merged; rm -f $(EXIT_CODE); code=0; \
	$(MERGE_SHARDS) --json $(BUILD)/merged/results.json --junit $(BUILD)/merged/junit.xml \
		$(DIRS) >$(BUILD)/merged/merge.txt || code=$$?; \
	cat $(BUILD)/merged/merge.txt; [ $$code = 125 ] && [ ! -s $(BUILD)/merged/merge.txt ] || \
		tail -n 1 $(BUILD)/merged/merge.txt >$(BUILD)/merged/summary.txt; \
	echo $$code > $(EXIT_CODE); exit $$code

# make run CMD='...': the command instead of the demo and the shell; make
# exits 2 when it fails, its own exit status goes to $(EXIT_CODE)
# (tests/make-test.sh run CMD=... exits with it). $(value): no make
# expansion of the command's '$'.
run: export LAB_CMD = $(value CMD)
run:
	$(call built_then,$(GUEST_RUN) --interactive || code=$$?;)

GDB_BREAK ?= start_kernel
gdb:
	@qemu/gdb.sh --kbuild $(KBUILD_DIR) --port $(if $(filter 0 1,$(GDB)),1234,$(GDB)) \
		$(if $(GDB_BREAK),--break $(GDB_BREAK),--no-break) \
		$(foreach d,$(OOT_MODULES),--modules $(MOD_OUT)/$(d))

check-patches: kernel
	@kernel-patches/checkpatch.sh $(KSRC_DIR)

# --- every prefix of the series: checkpatch, builds, smoke tests (kernel-patches/check-series.sh) ---
.PHONY: check-series
check-series: deps
	@CACHE=$(CACHE) BUILD=$(BUILD) SMOKE='$(SMOKE)' SMOKE_BASE='$(SMOKE_BASE)' \
		FROM='$(FROM)' TO='$(TO)' kernel-patches/check-series.sh

# --- move_pages throughput, CPU copy vs DSA offload (tests/guest/bench/bench-migrate.c) ---
# 16 channels need 16 engines: 4 emulated DSAs unless DSA_COUNT is given.
BENCH_DSA_COUNT = $(if $(filter command line environment,$(origin DSA_COUNT)),$(DSA_COUNT),4)
.PHONY: bench-migrate
bench-migrate: $(BENCH_MIGRATE_REPORT)
	@rc=0; $(MAKE) test-guest DSA=1 DSA_COUNT=$(BENCH_DSA_COUNT) T=bench-migrate || rc=$$?; \
	mkdir -p $(BUILD)/bench-migrate && \
	$(BENCH_MIGRATE_REPORT) $(BUILD)/runs/latest/results.ktap $(BUILD)/bench-migrate \
		'$(if $(TIMING),TIMING=$(TIMING),untimed), DSA_COUNT=$(BENCH_DSA_COUNT)' && \
	gnuplot $(BUILD)/bench-migrate/bench-migrate.gp && \
	echo "bench-migrate: $(BUILD)/bench-migrate/bench-migrate.md, bench-migrate.png, bench-migrate-rfc.png" && \
	exit $$rc

# --- compaction four-mode table and fragmentation plot (tests/guest/bench/bench-compaction.c) ---
.PHONY: bench-compaction
bench-compaction: $(BENCH_COMPACTION_RFC)
	@rc=0; $(MAKE) test-guest DSA=1 T=bench-compaction || rc=$$?; \
	tests/host/bench/bench-compaction-report.sh $(BUILD)/runs/latest/results.ktap \
		$(BUILD)/bench-compaction && \
	$(BENCH_COMPACTION_RFC) $(BUILD)/runs/latest/results.ktap \
		'$(if $(TIMING),TIMING=$(TIMING),untimed)' | tee $(BUILD)/bench-compaction/rfc.md && \
	exit $$rc

# --- break-even batch size, CPU copy vs offload (tests/guest/bench/bench-breakeven.c) ---
.PHONY: bench-breakeven
bench-breakeven: $(BENCH_BREAKEVEN_REPORT)
	@rc=0; $(MAKE) test-guest DSA=1 T=bench-breakeven || rc=$$?; \
	mkdir -p $(BUILD)/bench-breakeven && \
	$(BENCH_BREAKEVEN_REPORT) $(BUILD)/runs/latest/results.ktap $(BUILD)/bench-breakeven && \
	gnuplot $(BUILD)/bench-breakeven/breakeven.gp && \
	echo "bench-breakeven: $(BUILD)/bench-breakeven/breakeven.md, breakeven.png" && exit $$rc

# --- timed mode: the same short run twice, identical numbers (qemu/README.md) ---
DETERMINISM_RUNS ?= 2
.PHONY: check-timing-determinism
check-timing-determinism:
	@tests/host/check-timing-determinism.sh $(BUILD) '$(DETERMINISM_RUNS)' -- \
		$(MAKE) test-guest DSA=1 TIMING=$(or $(TIMING),spr)

# --- emulated DSA latency and throughput by size: the timing model or host memcpy (tests/guest/bench/bench-dsa.c) ---
.PHONY: bench-dsa
bench-dsa: $(BENCH_DSA_REPORT)
	@set -o pipefail; rc=0; $(MAKE) test-guest DSA=1 T=bench-dsa || rc=$$?; \
	mkdir -p $(BUILD)/bench-dsa && \
	"$$(cat $(QEMU_BIN_FILE))" -device intel-dsa,help >$(BUILD)/bench-dsa/device-help.txt && \
	$(BENCH_DSA_REPORT) $(BUILD)/runs/latest/results.ktap $(BUILD)/runs/latest/reproduce.sh \
		$(BUILD)/bench-dsa/device-help.txt | tee $(BUILD)/bench-dsa/bench-dsa.md && exit $$rc

# --- migration soak: three migration sources at once through the offload (tests/guest/soak.c) ---
.PHONY: soak
soak:
	@$(MAKE) test-guest DSA=1 T=soak KARGS='lab.soak_pages=$(SOAK_PAGES) $(KARGS)'

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(CACHE)
