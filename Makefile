# SPDX-License-Identifier: GPL-2.0
# vblktrace: one static binary with its CO-RE BPF objects embedded.
#
#   make            build/vblktrace
#   make deps       install the Debian packages the build and tests need
#   make check      unit tests, then integration tests on this machine and in guests
#   make demo       boot a guest whose mkfs.xfs fails, traced on both sides
#   make kmod KDIR=/lib/modules/$(uname -r)/build   the fallback kernel module
#   make ARCH=arm64 build/arm64/vblktrace: static aarch64, cross-built here
#   make kmod ARCH=arm64 KDIR=<linux-headers-*-cloud-arm64>   the module, cross-built

# Installing the packages must come before anything asks pkg-config for
# flags: a make that parsed this file on a machine without them has already
# computed empty link flags.  So the goals that build run in two steps: this
# outer make installs what they need (scripts/deps.sh, idempotent and
# quiet when nothing is missing) and then runs the same goals in a fresh
# make that reads the flags of the installed packages.  VBT_DEPS_DONE marks
# the inner make; set it yourself to skip the install step.
DEPS		?= sh scripts/deps.sh
PKG_CONFIG	?= pkg-config

# Goals that only build need the build packages; tests and the demo need all.
DEPS_BUILD_GOALS := all unit san helpers bench
DEPS_ALL_GOALS	:= check test-unit test-san test-host test-vm demo

ifndef VBT_DEPS_DONE
ifeq ($(MAKECMDGOALS),)
MAKECMDGOALS	:= all
endif
ifneq ($(filter $(DEPS_BUILD_GOALS) $(DEPS_ALL_GOALS) $(BUILD)/%,$(MAKECMDGOALS)),)
DEPS_GROUP	:= $(if $(filter $(DEPS_ALL_GOALS),$(MAKECMDGOALS)),all,build)
.PHONY: $(MAKECMDGOALS) vbt-deps-then-build
# One install, then one inner make for all the goals given, in order.
$(firstword $(MAKECMDGOALS)): vbt-deps-then-build
$(filter-out $(firstword $(MAKECMDGOALS)),$(MAKECMDGOALS)): vbt-deps-then-build
	@:
vbt-deps-then-build:
	@$(DEPS) $(DEPS_GROUP) $(if $(filter arm64 aarch64,$(ARCH)),arm64)
	@$(MAKE) --no-print-directory VBT_DEPS_DONE=1 $(MAKECMDGOALS)
VBT_WRAPPED	:= 1
endif
endif

ifndef VBT_WRAPPED
# ARCH names the target in the kernel's words (x86, arm64), as kbuild does.
# Another ARCH than this machine's is a cross build: its own build dir, the
# Debian cross compiler, the target's multiarch libraries (dpkg
# --add-architecture, scripts/deps.sh) and a vmlinux.h from the BTF of the
# newest Debian cloud kernel of that architecture, never this host's.
HOST_ARCH	:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH		:= $(HOST_ARCH)
VBT_ARCH	:= $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))
ifneq ($(VBT_ARCH),$(HOST_ARCH))
ifneq ($(VBT_ARCH),arm64)
$(error ARCH=$(ARCH): cross builds are for arm64 only)
endif
CROSS_COMPILE	?= aarch64-linux-gnu-
MULTIARCH	:= aarch64-linux-gnu
DEB_ARCH	:= arm64
BUILD		?= build/$(VBT_ARCH)
ifeq ($(origin CC),default)
CC		:= $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR		:= $(CROSS_COMPILE)ar
endif
OBJCOPY		?= $(CROSS_COMPILE)objcopy
PKG_CONFIG	:= PKG_CONFIG_LIBDIR=/usr/lib/$(MULTIARCH)/pkgconfig:/usr/share/pkgconfig pkg-config
VMLINUX_BTF	?= $(BUILD)/vmlinux.btf
endif
BUILD		?= build
CACHE		?= .cache
CC		?= gcc
OBJCOPY		?= objcopy
CLANG		?= clang
BPFTOOL		?= bpftool
VMLINUX_BTF	?= /sys/kernel/btf/vmlinux
VERSION		:= $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV		:= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

comma		:= ,

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_HDRS	:= $(wildcard bpf/*.h) include/vblktrace/abi.h
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(BUILD)/skel/%.skel.h,$(BPF_SRCS))

# user/ reads as the pipeline: source/ -> decode/ -> (system/ ->) enrich/
# -> sink/, with the commands in cmd/ and configuration diagnosis in
# diagnose/; docs/layers.md ranks the stages.  One include root: a header is
# named by its stage ("sink/bundle.h"), and tests/host/layering.sh fails on
# an include or a call that runs against the pipeline.
USER_DIRS	:= user $(patsubst %/,%,$(sort $(dir $(wildcard user/*/ user/*/*/))))
USER_SRCS	:= $(sort $(foreach d,$(USER_DIRS),$(wildcard $(d)/*.c)))
USER_HDRS	:= $(foreach d,$(USER_DIRS),$(wildcard $(d)/*.h)) include/vblktrace/abi.h
USER_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(USER_SRCS))
LIB_OBJS	:= $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))
LIB		:= $(BUILD)/libvblktrace.a

UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
HELPER_SRCS	:= $(wildcard tests/helpers/*.c)
HELPER_BINS	:= $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRCS))
KSELFTEST	:= $(CACHE)/kselftest

# libxml2's ICU dependency would add 31 MiB of tables and ICU's code with
# libstdc++; see user/icu_stub.c.
ICU_MAJOR	:= $(shell $(PKG_CONFIG) --modversion icu-uc 2>/dev/null | cut -d. -f1)

CFLAGS		?= -O2 -g
CFLAGS		+= -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow \
		   -Wformat=2 -D_GNU_SOURCE -fno-strict-aliasing \
		   -Iinclude -Iuser -I$(BUILD)/skel \
		   $(shell $(PKG_CONFIG) --cflags libxml-2.0 json-c 2>/dev/null) \
		   -DVBT_VERSION='"$(VERSION)"' -DVBT_GIT_REV='"$(GIT_REV)"' \
		   $(if $(ICU_MAJOR),-DVBT_ICU_DATA_SYMBOL=icudt$(ICU_MAJOR)_dat) \
		   -DVBT_NO_GNUTLS -DVBT_XML_TREE_ONLY
# user/util/xml_tree_only.c: libxml2 without the modules vblktrace never runs.
LDFLAGS		+= -static -Wl,--gc-sections \
		   $(if $(ICU_MAJOR),-Wl$(comma)-u$(comma)icudt$(ICU_MAJOR)_dat) \
		   -Wl,-u,vbt_xml_tree_only
LDLIBS		+= -l:libbpf.a -lelf -lz -lzstd -ljson-c -lcap \
		   $(filter-out $(if $(ICU_MAJOR),-licudata -licuuc -licui18n),$(shell $(PKG_CONFIG) --static --libs-only-l libxml-2.0 2>/dev/null)) \
		   $(MHD_LIBS) $(if $(ICU_MAJOR),,-lstdc++) -lpthread -lm
# The metrics endpoint's libmicrohttpd is built with GnuTLS; we serve plain
# HTTP, and user/sink/metrics_tls.c stands in for the TLS calls it never
# makes (-DVBT_NO_GNUTLS): GnuTLS and what it needs stay out of the binary.
MHD_NO_TLS	:= -lgnutls -lgmp -lunistring -latomic -lnettle -lhogweed -ltasn1 \
		   -lidn2 -lp11-kit
MHD_LIBS	:= $(filter-out $(MHD_NO_TLS),$(shell $(PKG_CONFIG) --static --libs-only-l libmicrohttpd 2>/dev/null))

# Fail here, not at link time, when the build packages are not there.
ifneq ($(filter $(DEPS_BUILD_GOALS) $(DEPS_ALL_GOALS) $(BUILD)/%,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell $(PKG_CONFIG) --exists libxml-2.0 json-c libmicrohttpd icu-uc && echo yes),yes)
$(error pkg-config finds no libxml-2.0, json-c, libmicrohttpd or icu-uc: run 'make deps' as root)
endif
endif

BPF_CFLAGS	:= -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(VBT_ARCH) \
		   -I$(BUILD) -Iinclude -Ibpf -Wall -Wno-unused-function

.PHONY: all deps check unit san test-san test-unit test-host test-vm demo kmod kmod-clean \
	cross-arm64 \
	checkpatch format-check clean bench tidy
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/vblktrace

deps:
	@$(DEPS) all

$(BUILD)/vmlinux.h: $(filter $(BUILD)/%,$(VMLINUX_BTF)) | $(BUILD)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.$$$$.tmp && mv $@.$$$$.tmp $@

# A cross build's BTF: the newest cloud kernel package of the target (resolved
# with apt when built), whose Image carries its .BTF section as is.
$(BUILD)/vmlinux.btf: | $(BUILD)
	kdir=$$(GUEST_ARCH=$(DEB_ARCH) scripts/guest/kernel.sh newest) && \
		sh scripts/btf-from-image.sh "$$(ls $$kdir/boot/vmlinuz-* | head -n 1)" $@.$$$$.tmp && \
		mv $@.$$$$.tmp $@

# The target's syscall numbers, from its own <asm/unistd.h> (the cross
# compiler's for arm64): syscall_fail.bpf.c runs at the one raw sys_exit
# tracepoint and tells the syscalls apart by number.
VBT_SYSCALLS	:= read write pread64 pwrite64 readv writev preadv pwritev \
		   preadv2 pwritev2 fsync fdatasync sync_file_range fallocate \
		   ioctl copy_file_range io_submit
$(BUILD)/syscall_nr.h: Makefile | $(BUILD)
	echo '#include <asm/unistd.h>' | $(CC) -E -dM -x c - | \
		awk -v want="$(VBT_SYSCALLS)" 'BEGIN { n = split(want, w); \
			for (i = 1; i <= n; i++) ok["__NR_" w[i]] = 1 } \
		$$1 == "#define" && ($$2 in ok) && $$3 ~ /^[0-9]+$$/ { \
			sub("__NR_", "", $$2); \
			printf "#define VBT_NR_%s %s\n", $$2, $$3; got++ } \
		END { if (got != n) { print "syscall_nr.h: " got " of " n \
			" syscall numbers found" > "/dev/stderr"; exit 1 } }' \
		> $@.$$$$.tmp && mv $@.$$$$.tmp $@

$(BUILD)/bpf/syscall_fail.bpf.o: $(BUILD)/syscall_nr.h

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	t=$@.$$$$.tmp; $(CLANG) $(BPF_CFLAGS) -c $< -o $$t && \
		$(BPFTOOL) gen object $@ $$t; rc=$$?; rm -f $$t; exit $$rc

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.$$$$.tmp && mv $@.$$$$.tmp $@

$(BUILD)/user/%.o: user/%.c $(USER_HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	t=$@.$$$$.tmp; $(AR) rcs $$t $^ && mv $$t $@

# The debug info (1.4 MB, a quarter of the file) goes beside the binary, in
# vblktrace.debug (gdb -s build/vblktrace.debug -e build/vblktrace); the
# symbols stay for perf.  No debuglink: perf would take the debug file's
# empty sections for the code and name the wrong functions.
$(BUILD)/vblktrace: $(BUILD)/user/main.o $(LIB)
	t=$@.$$$$.tmp; $(CC) $(LDFLAGS) -o $$t $^ $(LDLIBS) && \
		$(OBJCOPY) --only-keep-debug $$t $@.debug && \
		$(OBJCOPY) --strip-debug $$t && mv $$t $@

$(KSELFTEST)/kselftest_harness.h:
	sh scripts/kselftest.sh $(KSELFTEST)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB) $(KSELFTEST)/kselftest_harness.h tests/unit/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wno-sign-compare -I$(KSELFTEST) -Itests/unit -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# Tests that need the kernel module run inside guests (tests/vm/kmod_*.sh);
# they are built like unit tests but are not part of the host's unit suite.
$(BUILD)/tests/kmod/%: tests/kmod/%.c $(LIB) $(KSELFTEST)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wno-sign-compare -I$(KSELFTEST) -Itests/unit -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# bench/merge.sh's floor: json-c with the reader's own tokener settings.
$(BUILD)/tests/helpers/json_floor: tests/helpers/json_floor.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra $(shell $(PKG_CONFIG) --cflags fuse3) -o $@ $< \
		$(shell $(PKG_CONFIG) --libs fuse3) -lpthread

unit: $(UNIT_BINS)
helpers: $(HELPER_BINS)

# The unit tests and the libFuzzer targets again, built by clang with
# AddressSanitizer and UndefinedBehaviorSanitizer, dynamically linked (the
# sanitizer runtimes want it), any report fatal.  tests/run.sh san runs
# them; tests/fuzz/run.sh gives each fuzzer a few seconds over its corpus.
SAN		:= $(BUILD)/san
SAN_FLAGS	:= -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
		   -fno-sanitize-recover=all
SAN_CFLAGS	= $(filter-out -O2 -DVBT_ICU_DATA_SYMBOL=% -DVBT_NO_GNUTLS -DVBT_XML_TREE_ONLY,$(CFLAGS)) $(SAN_FLAGS) \
		  -Wno-format-nonliteral
SAN_LIBS	= -lbpf -lelf -lz -lzstd -ljson-c -lcap \
		  $(shell $(PKG_CONFIG) --libs libxml-2.0 libmicrohttpd 2>/dev/null) \
		  -lpthread -lm
SAN_OBJS	:= $(patsubst %.c,$(SAN)/%.o,$(filter-out user/main.c,$(USER_SRCS)))
SAN_LIB		:= $(SAN)/libvblktrace.a
SAN_UNIT_BINS	:= $(patsubst tests/unit/%.c,$(SAN)/tests/unit/%,$(UNIT_SRCS))
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS	:= $(patsubst tests/fuzz/%.c,$(SAN)/fuzz/%,$(FUZZ_SRCS))

# fuzzer-no-link: coverage for the fuzzers; the unit tests link its runtime.
$(SAN)/user/%.o: user/%.c $(USER_HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(SAN_LIB): $(SAN_OBJS)
	t=$@.$$$$.tmp; $(AR) rcs $$t $^ && mv $$t $@

$(SAN)/tests/unit/%: tests/unit/%.c $(SAN_LIB) $(KSELFTEST)/kselftest_harness.h tests/unit/*.h
	@mkdir -p $(@D)
	$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -Wno-sign-compare \
		-I$(KSELFTEST) -Itests/unit -o $@ $< $(SAN_LIB) $(SAN_LIBS)

$(SAN)/fuzz/%: tests/fuzz/%.c $(SAN_LIB)
	@mkdir -p $(@D)
	$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer -o $@ $< $(SAN_LIB) $(SAN_LIBS)

san: $(SAN_UNIT_BINS) $(FUZZ_BINS)

# The README's test command: installs what it needs, builds, runs everything
# and ends with "N passed, N failed[, N skipped]".
check: all unit san helpers cross-arm64
	@sh tests/run.sh

test-unit: unit
	@sh tests/run.sh unit
test-san: san
	@sh tests/run.sh san
test-host: all helpers cross-arm64
	@sh tests/run.sh host
test-vm: all helpers cross-arm64
	@sh tests/run.sh vm

# The guest suite runs on arm64 guests too: they need the aarch64 build.
cross-arm64:
	@$(MAKE) --no-print-directory ARCH=arm64 all

# make demo GUEST_ARCH=arm64: the seed's aarch64 installer, on an arm64 guest.
demo: all $(if $(filter arm64,$(GUEST_ARCH)),cross-arm64)
	@GUEST_ARCH=$(or $(GUEST_ARCH),amd64) sh scripts/demo.sh

# The fallback kernel module, against any kernel's build directory (for
# the guest kernels: KDIR=$$(scripts/guest/kernel.sh 6.1 --headers | sed -n 2p)).
# kbuild tracks its own dependencies, including a change of KDIR.
KDIR		?= /lib/modules/$(shell uname -r)/build

kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE)) modules
# Not kbuild's 'clean': with M= at the top of the tree it deletes every .o
# and .ko below it, the guest kernels cached in .cache/ included.
kmod-clean:
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
		kmod/modules.order .*.cmd Module.symvers modules.order

# Kernel style for everything that runs in the kernel (bpf/, kmod/, the
# ABI header): checkpatch.pl and .clang-format from Debian's linux-source
# (cached, never committed: like the kselftest harness).
KSTYLE		:= $(CACHE)/kstyle
CHECKPATCH	:= $(KSTYLE)/checkpatch.pl
KERNEL_C	= $(wildcard bpf/*.c bpf/*.h) include/vblktrace/abi.h \
		  $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h))
$(CHECKPATCH):
	@mkdir -p $(@D)
	t=$$(ls /usr/src/linux-source-6.1.tar.* | head -1) && \
	top=$$(basename "$$t" | sed 's/\.tar\..*//') && \
	tar -xf "$$t" -C $(@D) --strip-components=2 \
		"$$top/scripts/checkpatch.pl" "$$top/scripts/spelling.txt" \
		"$$top/scripts/const_structs.checkpatch" && \
	tar -xf "$$t" -C $(@D) --strip-components=1 "$$top/.clang-format"
# Benchmarks (root, minutes; not part of make check): bench/run.sh.
bench: $(BUILD)/vblktrace helpers
	bash bench/run.sh

# One documented exception: BPF settings are 'const volatile' globals in
# .rodata (libbpf's idiom: userspace sets them before load, the verifier
# then prunes disabled branches; volatile only stops clang from folding the
# initial value), so checkpatch's VOLATILE warning is off for bpf/ alone.
checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --no-tree --terse --show-types --ignore VOLATILE \
		-f $(filter bpf/%,$(KERNEL_C))
	$(CHECKPATCH) --no-tree --terse --show-types \
		-f $(filter-out bpf/%,$(KERNEL_C))
# Lists the kernel-side files clang-format would change.
format-check: $(CHECKPATCH)
	@for f in $(filter bpf/%,$(KERNEL_C)); do \
		clang-format --style=file:$(KSTYLE)/.clang-format "$$f" | \
			cmp -s - "$$f" || echo "$$f"; \
	done

$(BUILD):
	@mkdir -p $@

clean:
	rm -rf $(BUILD)

tests/unit/*.h:

endif # VBT_WRAPPED
