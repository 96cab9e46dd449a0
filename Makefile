# SPDX-License-Identifier: GPL-2.0
#
# Tandem: top-level build. `make` builds both modules, the CLI and the
# selftests; `make check` runs every test (host tests, static checks and
# both labs); `make demo` shows Tandem working in the SVM lab; `make bench`
# compares Tandem with KVM in the labs.

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build

# Kernel build tree: the running kernel's where it exists (a lab or a real
# machine), otherwise the newest installed Debian linux-headers-*-amd64.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
KVER ?= $(patsubst linux-headers-%,%,$(notdir $(realpath $(KDIR))))
ifeq ($(KVER),build)
KVER := $(notdir $(patsubst %/build,%,$(KDIR)))
endif
export KDIR KVER

LINUX_SRC := $(BUILD)/linux-source-6.1
KSFT_DIR := $(LINUX_SRC)/tools/testing/selftests
KSFT_INSTALL := $(BUILD)/kselftest-install
export KSFT_DIR

LAB ?= svm vmx
TESTS ?=

# Debian packages the build, the labs and the checks need.
DEPS := gcc make bc flex bison kmod pkg-config rsync perl \
	linux-image-amd64 linux-headers-amd64 linux-source-6.1 \
	libnl-3-dev libnl-genl-3-dev sparse \
	qemu-system-x86 bochs bochs-term bochsbios vgabios isolinux syslinux-common \
	xorriso busybox-static cpio python3 python3-yaml acpica-tools e2fsprogs

.PHONY: all modules cli selftests host-tests deps framework check lab demo \
	bench clean static-checks

all: modules cli selftests

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $$missing; \
	fi

# The kselftest framework and checkpatch come from Debian's kernel source.
framework: $(LINUX_SRC)/.extracted

$(LINUX_SRC)/.extracted:
	@test -f /usr/src/linux-source-6.1.tar.xz || \
		{ echo "linux-source-6.1 is not installed: run 'make deps'"; exit 1; }
	mkdir -p $(BUILD)
	tar -C $(BUILD) -xJf /usr/src/linux-source-6.1.tar.xz \
		$(addprefix linux-source-6.1/tools/testing/selftests/, \
			kselftest_harness.h kselftest.h lib.mk \
			run_kselftest.sh kselftest) \
		$(addprefix linux-source-6.1/scripts/, \
			checkpatch.pl spelling.txt const_structs.checkpatch)
	touch $@

modules:
	@test -d "$(KDIR)" || { echo "no kernel headers (KDIR): run 'make deps'"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

cli:
	$(MAKE) -C userspace

selftests: framework
	$(MAKE) -C selftests/tandem
	rm -rf $(KSFT_INSTALL)
	mkdir -p $(KSFT_INSTALL)/tandem
	$(MAKE) -s -C selftests/tandem install INSTALL_PATH=$(KSFT_INSTALL)/tandem
	cp -r $(KSFT_DIR)/run_kselftest.sh $(KSFT_DIR)/kselftest $(KSFT_INSTALL)/
	$(MAKE) -s --no-print-directory -C selftests/tandem emit_tests \
		COLLECTION=tandem | grep '^tandem:' > $(KSFT_INSTALL)/kselftest-list.txt

host-tests: framework
	$(MAKE) -C selftests/host

# Every test: host tests and static checks, then the labs (concurrently).
check: deps
	@$(MAKE) --no-print-directory all host-tests
	@selftests/check.sh --labs "$(LAB)" --tests "$(TESTS)"

# An interactive shell in a lab with both modules loaded.
lab: deps
	@$(MAKE) --no-print-directory all
	@selftests/lab/lab.sh shell --lab $(firstword $(LAB))

demo: deps
	@$(MAKE) --no-print-directory all
	@selftests/lab/lab.sh demo --lab svm --extra selftests/lab/demo

# Tandem against Debian's KVM, same guest, in each lab's deterministic
# clock mode (Documentation/benchmarks.rst): a table and
# build/bench/results.json.
bench: deps
	@$(MAKE) --no-print-directory all
	$(MAKE) -C selftests/bench
	@selftests/lab/lab.sh bench --labs "$(LAB)"

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean
	-$(MAKE) -C userspace clean
	-$(MAKE) -C selftests/host clean
	-test -f $(KSFT_DIR)/lib.mk && $(MAKE) -C selftests/tandem clean
	-$(MAKE) -C selftests/bench clean
	rm -rf $(BUILD)/lab $(KSFT_INSTALL)
