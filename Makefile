# pcopy - parallel directory copy
#
#   make            build ./pcopy (installs missing build packages on Debian
#                   when run as root; otherwise prints the apt-get line)
#   make check      unit and integration tests, again under ASan+UBSan and
#                   the threaded code under TSan; ends "N passed, N failed"
#   make demo       copy a generated sample tree with the progress bar
#   make bench      the benchmark (tests/bench/bench.py)
#   make fuzz       the fuzzers, FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR= (binary and man page)
#   make WERROR=1   warnings are errors (CI)
#   make packages   the Debian packages the build and the tests need

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wformat=2
ifeq ($(WERROR),1)
WARN    += -Werror
endif
STD      = -std=c11
# Recursive (=): pkg-config runs when a recipe needs it, after the deps
# check has installed what was missing.
PKG_CFLAGS = $(shell pkg-config --cflags libarchive libxxhash)
PKG_LIBS   = $(shell pkg-config --libs libarchive libxxhash)
# Every variant compiles with these; a user's CPPFLAGS are kept.
ALL_CPPFLAGS = -Isrc -D_GNU_SOURCE -DPCOPY_VERSION=\"$(VERSION)\" \
	       $(PKG_CFLAGS) $(CPPFLAGS)
DEPFLAGS = -MMD -MP
LDLIBS   = $(PKG_LIBS) -pthread

ASAN     = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
TSAN     = -O1 -g -fsanitize=thread
FUZZ_CC  = clang
FUZZ_SAN = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60

SRCS     = $(sort $(wildcard src/*.c src/*/*.c))
LIBSRCS  = $(filter-out src/cli/main.c,$(SRCS))
UNITS    = $(basename $(notdir $(wildcard tests/unit/test_*.c)))

# Debian package : a command, pc=pkg-config module or glob=path that
# shows it is there.  .ci/run installs the same list (make packages).
BUILD_DEPS = gcc:gcc make:make pkg-config:pkg-config libc6-dev:glob=/usr/include/stdio.h \
	     libarchive-dev:pc=libarchive libxxhash-dev:pc=libxxhash
TEST_DEPS  = attr:getfattr acl:getfacl python3:python3 procps:pgrep \
	     bsdutils:script util-linux:setpriv libarchive-tools:bsdtar \
	     zstd:zstd xz-utils:xz cpio:cpio bzip2:bzip2 clang:clang \
	     groff-base:groff man-db:man \
	     libclang-rt-14-dev:glob=/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a

define need
missing=""; \
for d in $(1); do \
	pkg=$${d%%:*}; chk=$${d#*:}; \
	case $$chk in \
	pc=*) pkg-config --exists $${chk#pc=} 2>/dev/null || missing="$$missing $$pkg";; \
	glob=*) ls $${chk#glob=} >/dev/null 2>&1 || missing="$$missing $$pkg";; \
	*) command -v $$chk >/dev/null 2>&1 || missing="$$missing $$pkg";; \
	esac; \
done; \
if [ -n "$$missing" ]; then \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "pcopy: installing$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing || \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		  apt-get install -y -q $$missing; } || exit 1; \
	else \
		echo "pcopy: missing packages:$$missing"; \
		echo "pcopy: run: sudo apt-get install$$missing"; exit 1; \
	fi; \
fi
endef

.PHONY: all deps test-deps packages check unit demo bench fuzz install \
	uninstall clean

all: pcopy

deps: .build/deps-build.ok
test-deps: .build/deps-test.ok

packages:
	@for d in $(BUILD_DEPS) $(TEST_DEPS); do echo "$${d%%:*}"; done

.build/deps-build.ok:
	@$(call need,$(BUILD_DEPS))
	@mkdir -p .build && touch $@

.build/deps-test.ok: .build/deps-build.ok
	@$(call need,$(TEST_DEPS))
	@touch $@

# One compile rule per build variant, from one template: the object
# directory, the compiler, its flags and the packages it needs first.  Header dependencies come from
# the compiler (-MMD -MP).
define variant
$(1)/%.o: src/%.c | $(4)
	@mkdir -p $$(@D)
	$(2) $$(STD) $$(ALL_CPPFLAGS) $(3) $$(WARN) -pthread $$(DEPFLAGS) \
	    -c -o $$@ $$<
endef
$(eval $(call variant,.build/obj,$$(CC),$$(CFLAGS),.build/deps-build.ok))
$(eval $(call variant,.build/asan,$$(CC),$$(ASAN),.build/deps-build.ok))
$(eval $(call variant,.build/tsan,$$(CC),$$(TSAN),.build/deps-build.ok))
$(eval $(call variant,.build/fuzz,$$(FUZZ_CC),$$(FUZZ_SAN) \
    -fsanitize=fuzzer-no-link,.build/deps-test.ok))

OBJS = $(SRCS:src/%.c=$(1)/%.o)
LIBOBJS = $(LIBSRCS:src/%.c=$(1)/%.o)

pcopy: $(call OBJS,.build/obj)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.build/asan/pcopy: $(call OBJS,.build/asan)
	$(CC) $(ASAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.build/tsan/pcopy: $(call OBJS,.build/tsan)
	$(CC) $(TSAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests link the whole engine but main(); tests/unit/fake.[ch] is
# the scripted backend the coordinator tests drive.
UNIT_HELPERS = $(wildcard tests/unit/fake.c)
.build/asan/test_%: tests/unit/test_%.c $(UNIT_HELPERS) $(call LIBOBJS,.build/asan)
	$(CC) $(STD) $(ALL_CPPFLAGS) -Itests/unit $(ASAN) $(WARN) -pthread \
	    $(DEPFLAGS) -o $@ $< $(UNIT_HELPERS) $(call LIBOBJS,.build/asan) $(LDLIBS)

.build/tsan/test_%: tests/unit/test_%.c $(UNIT_HELPERS) $(call LIBOBJS,.build/tsan)
	$(CC) $(STD) $(ALL_CPPFLAGS) -Itests/unit $(TSAN) $(WARN) -pthread \
	    $(DEPFLAGS) -o $@ $< $(UNIT_HELPERS) $(call LIBOBJS,.build/tsan) $(LDLIBS)

unit: $(UNITS:%=.build/asan/%) .build/tsan/test_queue

# The fuzz target of the extraction path (libFuzzer, clang).
.build/fuzz/fuzz_unpack: tests/fuzz/fuzz_unpack.c $(UNIT_HELPERS) \
    $(call LIBOBJS,.build/fuzz) | .build/deps-test.ok
	$(FUZZ_CC) $(STD) $(ALL_CPPFLAGS) -Itests/unit $(FUZZ_SAN) \
	    -fsanitize=fuzzer -o $@ $< $(UNIT_HELPERS) \
	    $(call LIBOBJS,.build/fuzz) $(LDLIBS)

# Both fuzzers, FUZZ_SECONDS each: the byte fuzzer (libFuzzer; new inputs
# go to .build/fuzz/corpus, the seeds in tests/fuzz/corpus stay as they
# are; what libarchive allocates on an archive's word without touching it,
# as a cpio name of 2.6 GB in a 573-byte input, is let through: memory is
# judged by RSS) and the structure-aware one (tests/fuzz/tarfuzz.py: random
# archives extracted by every backend; a failing one is saved in
# .build/fuzz/found, to be added to tests/fuzz/tarcases once fixed).
fuzz: .build/fuzz/fuzz_unpack pcopy
	@mkdir -p .build/fuzz/corpus
	.build/fuzz/fuzz_unpack -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -rss_limit_mb=2048 -malloc_limit_mb=16384 -timeout=10 \
	    -close_fd_mask=2 -artifact_prefix=.build/fuzz/ \
	    .build/fuzz/corpus tests/fuzz/corpus
	python3 tests/fuzz/tarfuzz.py --pcopy ./pcopy --seconds $(FUZZ_SECONDS) \
	    --save .build/fuzz/found

.build/treecmp: tests/tools/treecmp.c | .build/deps-build.ok
	$(CC) -O2 -g $(WARN) -o $@ $<

check: .build/deps-test.ok pcopy unit .build/treecmp .build/asan/pcopy \
    .build/tsan/pcopy .build/fuzz/fuzz_unpack
	@UNITS="$(UNITS)" FUZZ_UNPACK=.build/fuzz/fuzz_unpack tests/check.sh

demo: pcopy
	@tests/demo.sh ./pcopy

# The benchmark (not part of check): deterministic workloads copied by
# pcopy's backends, cp -a, tar | tar and rsync -a on tmpfs and on disk.
# BENCH_ARGS passes options to tests/bench/bench.py (see its --help).
bench: pcopy .build/floor
	@$(call need,rsync:rsync gnuplot-nox:gnuplot python3:python3)
	python3 tests/bench/bench.py --floor .build/floor $(BENCH_ARGS)

# The least work a copy can do, timed beside the others (see floor.c).
.build/floor: tests/bench/floor.c
	@mkdir -p .build
	$(CC) -O2 -Wall -pthread -o $@ tests/bench/floor.c

install: pcopy
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 pcopy $(DESTDIR)$(BINDIR)/pcopy
	sed 's/@VERSION@/$(VERSION)/' man/pcopy.1 > $(DESTDIR)$(MANDIR)/man1/pcopy.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/pcopy.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pcopy $(DESTDIR)$(MANDIR)/man1/pcopy.1

clean:
	rm -rf .build pcopy

-include $(wildcard .build/*/*.d .build/*/*/*.d)
