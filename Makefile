# rtmv2 — build, test, install.
#
#   make            librtmv2.so + librtmv2.a + tools (build/)
#   make check      every test, normally, then under ASan+UBSan, then the
#                   concurrency tests under TSan
#   make demo       the main job: the demo on the embedded real table
#   make bench      benchmarks (figures only)
#   make install PREFIX=/usr/local DESTDIR=
#
# WERROR=1 (CI) turns warnings into errors.  CC=clang works as well as gcc.

VERSION      := 0.1.0
SOVERSION    := 0
PREFIX       ?= /usr/local
DESTDIR      ?=
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BINDIR       ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

CC       ?= cc
OPT      ?= -O2
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN     += -Werror
endif
# include/rtmv2/compat holds <routprot.h>, as `pkg-config --cflags rtmv2` gives it to clients.
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) -Iinclude -Iinclude/rtmv2/compat -Isrc -pthread
CFLAGS   ?=
LDLIBS   := -pthread

# Build flavours: normal, asan (ASan+UBSan), tsan.
SAN_asan := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_tsan := -fsanitize=thread
B        ?= build

LIB_SRC  := $(wildcard src/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
BENCH_SRC:= $(filter-out bench/bench_dpdk.c,$(wildcard bench/bench_*.c))
TOOL_SRC := $(wildcard tools/*.c)

.PHONY: all lib tests check check-normal check-asan check-tsan check-msan demo bench install clean format

all: lib tools

# ---- one flavour: $(B) with extra flags $(XFLAGS) ----------------------------
OBJ      := $(patsubst src/%.c,$(B)/obj/%.o,$(LIB_SRC))
PIC_OBJ  := $(patsubst src/%.c,$(B)/pic/%.o,$(LIB_SRC))
TESTS    := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))
BENCHES  := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRC))
TOOLS    := $(patsubst tools/%.c,$(B)/bin/%,$(TOOL_SRC))
ALL_CFLAGS := $(BASE_CFLAGS) $(XFLAGS) $(CFLAGS)

lib: $(B)/librtmv2.a $(B)/librtmv2.so
tools: $(TOOLS)
# The tests include test_rtmctl, which runs the tool: build the tools of the flavour too.
tests: $(TESTS) $(TOOLS)

$(B)/obj/%.o: src/%.c $(wildcard src/*.h include/*.h include/rtmv2/*.h include/rtmv2/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/pic/%.o: src/%.c $(wildcard src/*.h include/*.h include/rtmv2/*.h include/rtmv2/compat/*.h)
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

$(B)/bench/%: bench/%.c bench/common.h $(B)/librtmv2.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/librtmv2.a $(LDLIBS) -lm

$(B)/bin/%: tools/%.c $(B)/librtmv2.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/librtmv2.a $(LDLIBS)

# ---- checks -------------------------------------------------------------------
check: check-normal check-asan check-tsan
	@echo "make check: all flavours passed"

check-normal:
	$(MAKE) --no-print-directory B=build tests
	@tests/run.sh build

check-asan:
	$(MAKE) --no-print-directory B=build-asan OPT=-O1 XFLAGS="$(SAN_asan)" tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/run.sh build-asan

# TSan runs the tests that start threads (test_mt_*, test_timer).
check-tsan:
	$(MAKE) --no-print-directory B=build-tsan OPT=-O1 XFLAGS="$(SAN_tsan)" \
		$(patsubst tests/%.c,build-tsan/tests/%,$(wildcard tests/test_mt_*.c) tests/test_timer.c)
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 tests/run.sh build-tsan

# MemorySanitizer (clang only; CI runs it): every test, uninitialised reads.
check-msan:
	$(MAKE) --no-print-directory B=build-msan CC=clang OPT=-O1 \
		XFLAGS="-fsanitize=memory -fsanitize-memory-track-origins -fno-omit-frame-pointer" tests
	@MSAN_OPTIONS=halt_on_error=1 tests/run.sh build-msan

# ---- the main job and benchmarks ---------------------------------------------
TABLE := data/full-table-2023.txt.gz

# The demo sees only the public headers (no -Isrc) and links the shared library.
DEMO_CFLAGS := $(filter-out -Isrc,$(BASE_CFLAGS))

demo: $(B)/librtmv2.so
	@mkdir -p $(B)/demo
	$(CC) $(DEMO_CFLAGS) $(CFLAGS) demo/demo.c -o $(B)/demo/demo -L$(B) -lrtmv2 -Wl,-rpath,'$$ORIGIN/..' $(LDLIBS)
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
install: all
	install -d $(DESTDIR)$(INCLUDEDIR)/rtmv2/compat $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	install -m 644 include/rtmv2.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/rtmv2/*.h $(DESTDIR)$(INCLUDEDIR)/rtmv2/
	install -m 644 include/rtmv2/compat/*.h $(DESTDIR)$(INCLUDEDIR)/rtmv2/compat/
	install -m 644 $(B)/librtmv2.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/librtmv2.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf librtmv2.so.$(VERSION) $(DESTDIR)$(LIBDIR)/librtmv2.so.$(SOVERSION)
	ln -sf librtmv2.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/librtmv2.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' dist/rtmv2.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/rtmv2.pc
	for t in $(TOOLS); do install -m 755 $$t $(DESTDIR)$(BINDIR)/; done

format:
	clang-format -i src/*.c src/*.h include/*.h include/rtmv2/*.h tests/*.c tests/*.h bench/*.c tools/*.c demo/*.c

clean:
	rm -rf build build-asan build-tsan build-msan build-clang
