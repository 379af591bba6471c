# pcopy - parallel directory copy
#
#   make            build ./pcopy (installs missing build packages on Debian
#                   when run as root; otherwise prints the apt-get line)
#   make check      unit and integration tests, again under ASan+UBSan and
#                   the threaded code under TSan; ends "N passed, N failed"
#   make demo       copy a generated sample tree with the progress bar
#   make install    PREFIX=/usr/local DESTDIR= (binary and man page)
#   make WERROR=1   warnings are errors (CI)

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
DEFS     = -D_GNU_SOURCE -DPCOPY_VERSION=\"$(VERSION)\"
# Recursive (=): evaluated when a recipe runs, after the deps check.
PKG_CFLAGS = $(shell pkg-config --cflags libarchive)
PKG_LIBS   = $(shell pkg-config --libs libarchive)
LDLIBS   = $(PKG_LIBS) -lpthread

ASAN     = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
TSAN     = -O1 -g -fsanitize=thread

SRCS     = $(wildcard src/*.c)
HDRS     = $(wildcard src/*.h)
LIBSRCS  = $(filter-out src/pcopy.c,$(SRCS))
UNITS    = $(basename $(notdir $(wildcard tests/unit/test_*.c)))

OBJ      = .build/obj
AOBJ     = .build/asan
TOBJ     = .build/tsan
FOBJ     = .build/fuzz
FUZZ_CC  = clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60

# Debian package : command or pc=pkg-config module that shows it is there.
BUILD_DEPS = gcc:gcc make:make pkg-config:pkg-config libarchive-dev:pc=libarchive
TEST_DEPS  = attr:getfattr acl:getfacl python3:python3 procps:pgrep \
	     bsdutils:script util-linux:setpriv libarchive-tools:bsdtar \
	     zstd:zstd xz-utils:xz cpio:cpio bzip2:bzip2 clang:clang \
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

.PHONY: all deps test-deps check unit demo bench fuzz install uninstall clean

all: pcopy

deps: .build/deps-build.ok
test-deps: .build/deps-test.ok

.build/deps-build.ok:
	@$(call need,$(BUILD_DEPS))
	@mkdir -p .build && touch $@

.build/deps-test.ok: .build/deps-build.ok
	@$(call need,$(TEST_DEPS))
	@touch $@

pcopy: $(SRCS:src/%.c=$(OBJ)/%.o)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OBJ)/%.o: src/%.c $(HDRS) | .build/deps-build.ok
	@mkdir -p $(OBJ)
	$(CC) $(STD) $(DEFS) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(AOBJ)/%.o: src/%.c $(HDRS) | .build/deps-build.ok
	@mkdir -p $(AOBJ)
	$(CC) $(STD) $(DEFS) $(PKG_CFLAGS) $(ASAN) $(WARN) -c -o $@ $<

$(TOBJ)/%.o: src/%.c $(HDRS) | .build/deps-build.ok
	@mkdir -p $(TOBJ)
	$(CC) $(STD) $(DEFS) $(PKG_CFLAGS) $(TSAN) $(WARN) -c -o $@ $<

$(AOBJ)/pcopy: $(SRCS:src/%.c=$(AOBJ)/%.o)
	$(CC) $(ASAN) -o $@ $^ $(LDLIBS)

$(TOBJ)/pcopy: $(SRCS:src/%.c=$(TOBJ)/%.o)
	$(CC) $(TSAN) -o $@ $^ $(LDLIBS)

$(AOBJ)/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIBSRCS:src/%.c=$(AOBJ)/%.o)
	$(CC) $(STD) $(DEFS) -Isrc $(PKG_CFLAGS) $(ASAN) $(WARN) -o $@ $< \
	    $(LIBSRCS:src/%.c=$(AOBJ)/%.o) $(LDLIBS)

$(TOBJ)/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIBSRCS:src/%.c=$(TOBJ)/%.o)
	$(CC) $(STD) $(DEFS) -Isrc $(PKG_CFLAGS) $(TSAN) $(WARN) -o $@ $< \
	    $(LIBSRCS:src/%.c=$(TOBJ)/%.o) $(LDLIBS)

unit: $(UNITS:%=$(AOBJ)/%) $(TOBJ)/test_queue

# The fuzz target of the extraction path (libFuzzer, clang).
$(FOBJ)/%.o: src/%.c $(HDRS) | .build/deps-test.ok
	@mkdir -p $(FOBJ)
	$(FUZZ_CC) $(STD) $(DEFS) $(PKG_CFLAGS) -g -O1 \
	    -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(FOBJ)/fuzz_unpack: tests/fuzz/fuzz_unpack.c $(LIBSRCS:src/%.c=$(FOBJ)/%.o)
	$(FUZZ_CC) $(STD) $(DEFS) -Isrc $(PKG_CFLAGS) -g -O1 -fsanitize=fuzzer \
	    $(FUZZ_SAN) -o $@ $^ $(LDLIBS)

# Fuzz for FUZZ_SECONDS; new inputs go to .build/fuzz/corpus, the seeds
# in tests/fuzz/corpus stay as they are.
fuzz: $(FOBJ)/fuzz_unpack
	@mkdir -p $(FOBJ)/corpus
	$(FOBJ)/fuzz_unpack -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -rss_limit_mb=2048 -timeout=10 $(FOBJ)/corpus tests/fuzz/corpus

.build/treecmp: tests/tools/treecmp.c | .build/deps-build.ok
	$(CC) -O2 -g $(WARN) -o $@ $<

check: .build/deps-test.ok pcopy unit .build/treecmp $(AOBJ)/pcopy \
    $(TOBJ)/pcopy $(FOBJ)/fuzz_unpack
	@UNITS="$(UNITS)" FUZZ_UNPACK=$(FOBJ)/fuzz_unpack tests/check.sh

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
	install -m 644 man/pcopy.1 $(DESTDIR)$(MANDIR)/man1/pcopy.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pcopy $(DESTDIR)$(MANDIR)/man1/pcopy.1

clean:
	rm -rf .build pcopy
