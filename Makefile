# rtmv2 — build, test, install.
#
#   make            librtmv2.so + librtmv2.a + tools (build/)
#   make check      every test, normally, then under ASan+UBSan, then the
#                   concurrency tests under TSan; ends with the grand total
#                   "tests: N passed, N failed" (check-normal, check-asan,
#                   check-tsan, check-msan: one flavour)
#   make demo       the main job: the demo on the embedded real table
#   make bench      benchmarks (figures only)
#   make install PREFIX=/usr/local DESTDIR=   (headers, libraries, rtmv2.pc, rtmctl,
#                   docs in share/doc/rtmv2; ldconfig when run as root without DESTDIR)
#
# WERROR=1 (CI) turns warnings into errors.  CC=clang works as well as gcc.

VERSION      := 0.2.0
SOVERSION    := 1
PREFIX       ?= /usr/local
DESTDIR      ?=
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BINDIR       ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DOCDIR       ?= $(PREFIX)/share/doc/rtmv2
MANDIR       ?= $(PREFIX)/share/man

CC       ?= cc
OPT      ?= -O2
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
            -Werror=implicit-function-declaration
ifeq ($(WERROR),1)
WARN     += -Werror
endif
# include/rtmv2/compat holds <routprot.h>, as `pkg-config --cflags rtmv2` gives it to clients.
# src/ is built in layers, a folder each (docs/DESIGN.md): base -> table -> svc -> api.  Every
# folder is on the include path; the rule that a file includes only its own layer and the ones
# below is checked by tools/layercheck, not by the compiler.
LAYERS   := base table svc ctl api
SRC_INC  := $(addprefix -Isrc/,$(LAYERS))
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -DRTMV2_VERSION=\"$(VERSION)\" -g $(OPT) $(WARN) -Iinclude -Iinclude/rtmv2/compat $(SRC_INC) -pthread
CFLAGS   ?=
LDLIBS   := -pthread

# Build flavours: normal, asan (ASan+UBSan), tsan.
SAN_asan := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_tsan := -fsanitize=thread
B        ?= build

LIB_SRC  := $(wildcard $(addsuffix /*.c,$(addprefix src/,$(LAYERS))))
LIB_HDR  := $(wildcard $(addsuffix /*.h,$(addprefix src/,$(LAYERS))))
TEST_SRC := $(wildcard tests/test_*.c)
# Unit tests of the lower layers: tests/unit/test_<x>.c links only base/ and table/.
UNIT_SRC := $(wildcard tests/unit/test_*.c)
BENCH_SRC:= $(filter-out bench/bench_dpdk.c,$(wildcard bench/bench_*.c))
TOOL_SRC := $(wildcard tools/*.c)
# A tool of several files is a folder, tools/NAME/ (main.c, the others, a private header).
TOOL_DIRS:= $(patsubst tools/%/main.c,%,$(wildcard tools/*/main.c))

.PHONY: all lib tools tests check check-normal check-asan check-tsan check-msan demo bench install clean fuzz-mrt fuzz-control

all: lib tools

# ---- one flavour: $(B) with extra flags $(XFLAGS) ----------------------------
OBJ      := $(patsubst src/%.c,$(B)/obj/%.o,$(LIB_SRC))
PIC_OBJ  := $(patsubst src/%.c,$(B)/pic/%.o,$(LIB_SRC))
TESTS    := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))
UNITS    := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
LOW_OBJ  := $(filter $(B)/obj/base/% $(B)/obj/table/%,$(OBJ))
BENCHES  := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRC))
TOOLS    := $(patsubst tools/%.c,$(B)/bin/%,$(TOOL_SRC)) $(addprefix $(B)/bin/,$(TOOL_DIRS))
ALL_CFLAGS := $(BASE_CFLAGS) $(XFLAGS) $(CFLAGS)

lib: $(B)/librtmv2.a $(B)/librtmv2.so $(B)/librtmv2-fib.a $(B)/librtmv2-mrt.a
tools: $(TOOLS)
# The tests include test_rtmctl, which runs the tool: build the tools of the flavour too.
tests: $(TESTS) $(UNITS) $(TOOLS)

$(B)/obj/%.o: src/%.c $(LIB_HDR) $(wildcard include/*.h include/rtmv2/*.h include/rtmv2/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/pic/%.o: src/%.c $(LIB_HDR) $(wildcard include/*.h include/rtmv2/*.h include/rtmv2/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(B)/librtmv2.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/librtmv2.so: $(PIC_OBJ) dist/rtmv2.map
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,librtmv2.so.$(SOVERSION) \
		-Wl,--version-script=dist/rtmv2.map -o $(B)/librtmv2.so.$(VERSION) $(PIC_OBJ) $(LDLIBS)
	ln -sf librtmv2.so.$(VERSION) $(B)/librtmv2.so.$(SOVERSION)
	ln -sf librtmv2.so.$(SOVERSION) $@

# Tests link the static library: they may call internal rtm__ functions.
$(B)/tests/%: tests/%.c $(B)/librtmv2.a $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/librtmv2.a $(LDLIBS)

# The kernel FIB agent (fib/): a component on the public headers, in a library
# of its own so that the core keeps no netlink dependency (libmnl).
FIB_SRC := $(wildcard fib/*.c)
FIB_OBJ := $(patsubst fib/%.c,$(B)/fib/%.o,$(FIB_SRC))

$(B)/fib/%.o: fib/%.c fib/fib.h $(wildcard include/*.h include/rtmv2/*.h include/rtmv2/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SRC_INC),$(ALL_CFLAGS)) -c $< -o $@

$(B)/librtmv2-fib.a: $(FIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Its test sees the public headers only and links the agent, libmnl and the core.
$(B)/tests/test_fib $(B)/tests/test_fib_learn: $(B)/tests/%: tests/%.c $(B)/librtmv2-fib.a $(B)/librtmv2.a $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SRC_INC),$(ALL_CFLAGS)) $< -o $@ $(B)/librtmv2-fib.a $(B)/librtmv2.a -lmnl $(LDLIBS)

# MRT (mrt/, RFC 6396): a component on the public headers, in a library of its
# own so that the core keeps no zlib or libbz2 dependency.
MRT_SRC := $(wildcard mrt/*.c)
MRT_OBJ := $(patsubst mrt/%.c,$(B)/mrt/%.o,$(MRT_SRC))
MRT_LIBS := -lz -lbz2

$(B)/mrt/%.o: mrt/%.c mrt/mrt.h $(wildcard include/*.h include/rtmv2/*.h include/rtmv2/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SRC_INC),$(ALL_CFLAGS)) -c $< -o $@

$(B)/librtmv2-mrt.a: $(MRT_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The codec's test sees its private header (mrt/mrt.h); test_mrt the public one only.
$(B)/tests/test_mrt_codec: tests/test_mrt_codec.c $(B)/librtmv2-mrt.a $(B)/librtmv2.a $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SRC_INC),$(ALL_CFLAGS)) -Imrt $< -o $@ $(B)/librtmv2-mrt.a $(B)/librtmv2.a $(MRT_LIBS) $(LDLIBS)
$(B)/tests/test_mrt $(B)/tests/test_mrt_replay $(B)/tests/test_mrt_others: $(B)/tests/%: tests/%.c $(B)/librtmv2-mrt.a $(B)/librtmv2.a $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SRC_INC),$(ALL_CFLAGS)) $< -o $@ $(B)/librtmv2-mrt.a $(B)/librtmv2.a $(MRT_LIBS) $(LDLIBS)

# The MRT reader's fuzz target (libFuzzer: clang), run for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
MRT_CODEC := mrt/codec.c mrt/io.c
build-fuzz/fuzz_mrt: tests/fuzz/fuzz_mrt.c $(MRT_CODEC) mrt/mrt.h
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) -Imrt -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$< $(MRT_CODEC) -o $@ $(MRT_LIBS)
fuzz-mrt: build-fuzz/fuzz_mrt
	@mkdir -p build-fuzz/corpus-mrt
	build-fuzz/fuzz_mrt -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		build-fuzz/corpus-mrt tests/fuzz/seed-mrt

# The control socket's request parser (src/ctl/), the same way: the library's
# sources built into the target with the fuzzer's instrumentation.
build-fuzz/fuzz_control: tests/fuzz/fuzz_control.c $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$< $(LIB_SRC) -o $@ $(LDLIBS)
fuzz-control: build-fuzz/fuzz_control
	@mkdir -p build-fuzz/corpus-control
	build-fuzz/fuzz_control -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		build-fuzz/corpus-control tests/fuzz/seed-control

# Unit tests link the objects of base/ and table/ alone: the proof that the
# table needs nothing above it.
$(UNITS): $(B)/tests/%: tests/unit/%.c $(LOW_OBJ) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Isrc/svc -Isrc/api,$(ALL_CFLAGS)) $< -o $@ $(LOW_OBJ) $(LDLIBS)

$(B)/bench/%: bench/%.c bench/common.h $(B)/librtmv2.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/librtmv2.a $(LDLIBS) -lm

# The FIB agent's bench links the agent and libmnl (its raw-netlink anchor too).
$(B)/bench/bench_fib: bench/bench_fib.c bench/common.h $(B)/librtmv2.a $(B)/librtmv2-fib.a
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SRC_INC),$(ALL_CFLAGS)) $< -o $@ $(B)/librtmv2-fib.a $(B)/librtmv2.a -lmnl $(LDLIBS)

# The control socket's bench sees only the public headers, as a client would.
$(B)/bench/bench_ctl: bench/bench_ctl.c bench/common.h bench/gateways.h $(B)/librtmv2.a
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SRC_INC),$(ALL_CFLAGS)) $< -o $@ $(B)/librtmv2.a $(LDLIBS)

# The MRT bench links librtmv2-mrt, zlib and libbz2.
$(B)/bench/bench_mrt: bench/bench_mrt.c bench/common.h bench/gateways.h $(B)/librtmv2.a $(B)/librtmv2-mrt.a
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SRC_INC),$(ALL_CFLAGS)) $< -o $@ $(B)/librtmv2-mrt.a $(B)/librtmv2.a $(MRT_LIBS) $(LDLIBS)

# Tools see only the public headers: no -Isrc/.
TOOL_CFLAGS := $(filter-out $(SRC_INC),$(ALL_CFLAGS))

$(B)/bin/%: tools/%.c $(B)/librtmv2.a
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) $< -o $@ $(B)/librtmv2.a $(LDLIBS)

# A folder tool: all of tools/NAME/*.c into bin/NAME, rebuilt when any of its files changes.
# (rtmctl runs the kernel FIB agent and MRT too: librtmv2-fib and libmnl,
# librtmv2-mrt, zlib and libbz2.)
# rtmctl's shell edits lines with libedit (libedit-dev) where it is installed.
EDIT_CFLAGS := $(shell pkg-config --exists libedit 2>/dev/null && echo -DHAVE_LIBEDIT)
EDIT_LIBS   := $(shell pkg-config --exists libedit 2>/dev/null && pkg-config --libs libedit)
$(B)/bin/%: tools/%/main.c $(B)/librtmv2.a $(B)/librtmv2-fib.a $(B)/librtmv2-mrt.a
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) $(EDIT_CFLAGS) $(filter %.c,$^) -o $@ $(B)/librtmv2-fib.a $(B)/librtmv2-mrt.a \
		$(B)/librtmv2.a -lmnl $(MRT_LIBS) $(EDIT_LIBS) $(LDLIBS)
$(foreach t,$(TOOL_DIRS),$(eval $(B)/bin/$(t): $(wildcard tools/$(t)/*.c tools/$(t)/*.h)))

# ---- checks -------------------------------------------------------------------
# Each flavour is built by its own tests-FLAVOUR target (in parallel under -j);
# the test runs then go one flavour after the other from one recipe, so that
# -j never interleaves their output.  tests/run.sh prints each flavour's total
# ("normal: N passed, N failed") and, last, the grand total of all flavours
# ("tests: N passed, N failed").  CHECK_FLAVOURS chooses the flavours of
# `make check` (CI adds msan).
CHECK_FLAVOURS ?= normal asan tsan

# Where each flavour is built.
DIR_normal := build
DIR_asan   := build-asan
DIR_tsan   := build-tsan
DIR_msan   := build-msan

# The sanitizers' options; each runtime reads only its own.
CHECK_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	MSAN_OPTIONS=halt_on_error=1

.PHONY: tests-normal tests-asan tests-tsan tests-msan

check: $(addprefix tests-,$(CHECK_FLAVOURS))
	@$(CHECK_ENV) tests/run.sh $(foreach f,$(CHECK_FLAVOURS),$(DIR_$(f)) $(f))

check-normal check-asan check-tsan check-msan: check-%: tests-%
	@$(CHECK_ENV) tests/run.sh $(DIR_$*) $*

tests-normal:
	$(MAKE) --no-print-directory B=build tests

tests-asan:
	$(MAKE) --no-print-directory B=build-asan OPT=-O1 XFLAGS="$(SAN_asan)" tests

# TSan runs the tests that start threads, themselves or through the library's
# timer thread (route lifetimes, hold-downs): found with `strace -f -e clone3`.
# test_rtmctl runs the tool, so the flavour's tools are built too.
TSAN_TESTS := $(wildcard tests/test_mt_*.c tests/test_timer*.c tests/test_notify*.c \
	tests/test_enum*.c tests/test_samples*.c tests/unit/test_table.c) tests/test_methods.c \
	tests/test_time.c tests/test_handles.c tests/test_oom.c tests/test_rtmctl.c tests/test_daemon.c tests/test_leftovers.c \
	tests/test_owner_refs.c tests/test_owner_refs2.c tests/unit/test_epoch.c tests/unit/test_arena.c tests/unit/test_arena2.c \
	tests/test_trie_cases.c tests/test_fib.c tests/test_fib_learn.c tests/test_control.c tests/test_control2.c

tests-tsan:
	$(MAKE) --no-print-directory B=build-tsan OPT=-O1 XFLAGS="$(SAN_tsan)" tools \
		$(addprefix build-tsan/tests/,$(basename $(notdir $(TSAN_TESTS))))

# MemorySanitizer (clang only; CI runs it): every test, uninitialised reads.
tests-msan:
	$(MAKE) --no-print-directory B=build-msan CC=clang OPT=-O1 \
		XFLAGS="-fsanitize=memory -fsanitize-memory-track-origins -fno-omit-frame-pointer" tests

# ---- the main job and benchmarks ---------------------------------------------
TABLE := data/full-table-2023.txt.gz

# The demo sees only the public headers (no -Isrc) and links the shared library.
DEMO_CFLAGS := $(filter-out $(SRC_INC),$(BASE_CFLAGS))

demo: $(B)/librtmv2.so $(B)/librtmv2-fib.a $(B)/librtmv2-mrt.a
	@mkdir -p $(B)/demo
	$(CC) $(DEMO_CFLAGS) $(CFLAGS) demo/demo.c -o $(B)/demo/demo $(B)/librtmv2-fib.a $(B)/librtmv2-mrt.a \
		-L$(B) -lrtmv2 -lmnl $(MRT_LIBS) -Wl,-rpath,'$$ORIGIN/..' $(LDLIBS)
	$(B)/demo/demo $(TABLE)

# bench_dpdk, the DPDK anchor, is built only where pkg-config knows libdpdk
# (Debian: dpdk-dev); elsewhere it is skipped silently and run.sh prints
# rtmv2's figures alone.  A DPDK it cannot build against is reported, not fatal.
HAVE_DPDK := $(shell pkg-config --exists libdpdk 2>/dev/null && echo yes)

bench: $(BENCHES)
	@mkdir -p $(B)/bench
ifeq ($(HAVE_DPDK),yes)
	@$(CC) $(BASE_CFLAGS) $(CFLAGS) $$(pkg-config --cflags libdpdk) bench/bench_dpdk.c \
		-o $(B)/bench/bench_dpdk $$(pkg-config --libs libdpdk) || \
		{ rm -f $(B)/bench/bench_dpdk; echo "bench: bench_dpdk does not build against this DPDK; no anchor"; }
else
	@rm -f $(B)/bench/bench_dpdk
endif
	@bench/run.sh $(B) $(TABLE)

# ---- install ------------------------------------------------------------------
# The documentation the headers refer to goes to $(DOCDIR).
DOCS := docs/API-NOTES.md docs/DESIGN.md docs/CONFIG.md docs/rtmctl.md docs/control.md

install: all
	install -d $(DESTDIR)$(INCLUDEDIR)/rtmv2/compat $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	install -m 644 include/rtmv2.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/rtmv2/*.h $(DESTDIR)$(INCLUDEDIR)/rtmv2/
	install -m 644 include/rtmv2/compat/*.h $(DESTDIR)$(INCLUDEDIR)/rtmv2/compat/
	install -m 644 $(B)/librtmv2.a $(B)/librtmv2-fib.a $(B)/librtmv2-mrt.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/librtmv2.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf librtmv2.so.$(VERSION) $(DESTDIR)$(LIBDIR)/librtmv2.so.$(SOVERSION)
	ln -sf librtmv2.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/librtmv2.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' dist/rtmv2.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/rtmv2.pc
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' dist/rtmv2-fib.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/rtmv2-fib.pc
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' dist/rtmv2-mrt.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/rtmv2-mrt.pc
	@# iproute2 names the agent's routes' protocol (ip route ... proto rtmv2).
	install -d $(DESTDIR)$(PREFIX)/share/iproute2/rt_protos.d
	install -m 644 dist/rt_protos.d/rtmv2.conf $(DESTDIR)$(PREFIX)/share/iproute2/rt_protos.d/
	for t in $(TOOLS); do install -m 755 $$t $(DESTDIR)$(BINDIR)/; done
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	@# Manual pages and rtmctl's bash completion.
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(wildcard man/*.3) $(DESTDIR)$(MANDIR)/man3/
	install -m 644 dist/rtmctl.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/rtmctl
	@# The dynamic linker's cache: refreshed when installing for real as root
	@# (LIBDIR must be one of its directories, as /usr/local/lib is on Debian).
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		PATH="$$PATH:/sbin:/usr/sbin" ldconfig && echo "ldconfig: refreshed the shared library cache"; \
	elif [ -z "$(DESTDIR)" ]; then \
		echo "note: not root, ldconfig not run: run 'ldconfig' as root, or set LD_LIBRARY_PATH=$(LIBDIR), before running a client"; \
	fi

# ---- manual pages -------------------------------------------------------------
# mandoc's lint at level warning (style notes pass), or where mandoc is missing
# groff's warnings; any message fails.
MANPAGES := $(wildcard man/*.[0-9])

.PHONY: man-lint
man-lint:
	@if command -v mandoc >/dev/null 2>&1; then \
		out=$$(mandoc -T lint -W warning $(MANPAGES) 2>&1); \
	else \
		out=$$(for f in $(MANPAGES); do groff -man -ww -z $$f 2>&1; done); \
	fi; \
	if [ -n "$$out" ]; then printf '%s\n' "$$out"; exit 1; fi; \
	echo "man-lint: $(MANPAGES): no warnings"

clean:
	rm -rf build build-asan build-tsan build-msan build-clang build-fuzz
