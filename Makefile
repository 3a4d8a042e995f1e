# inlet: incremental file ingestion as small C filters over NDJSON pipes.
VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# Where each shell looks: zsh's fpath has $(PREFIX)/share/zsh/site-functions
# (Debian's packages use vendor-completions under /usr); fish and
# bash-completion look under every folder of XDG_DATA_DIRS.
ZSHCOMPDIR  ?= $(DATADIR)/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
DOCDIR    ?= $(DATADIR)/doc/inlet
EXDIR      = $(DOCDIR)/examples

CC        ?= cc
OPT       ?= -O2
CFLAGS    ?= $(OPT) -g
WARN       = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS  += -D_GNU_SOURCE -DINLET_VERSION='"$(VERSION)"' -Ilibcommon
CSV_LIBS  ?= $(shell pkg-config --libs csv 2>/dev/null || echo -lcsv)
SQLITE_LIBS ?= $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
ZLIB_LIBS ?= -lz
ZSTD_LIBS ?= -lzstd
PQ_CFLAGS ?= $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)

# The build tree: B=build for the normal build, B=build-san for sanitizers.
B         ?= build
BIN       ?= bin

# Every folder of cmd/ with C sources is a stage (cmd/inlet is the
# dispatcher); every cmd/NAME/NAME.sh is a composite script.
STAGES    := $(filter-out inlet,$(sort $(patsubst cmd/%/,%,$(dir $(wildcard cmd/*/*.c)))))
SCRIPTS   := $(sort $(patsubst cmd/%/,%,$(dir $(wildcard cmd/*/*.sh))))
LIB_SRC    = $(wildcard libcommon/*.c)
LIB_OBJ    = $(LIB_SRC:%.c=$(B)/%.o)
LIB        = $(B)/libcommon.a

# Libraries each stage links beyond libcommon.
LIBS_parse  = $(CSV_LIBS) $(ZLIB_LIBS) $(ZSTD_LIBS)
LIBS_commit = $(SQLITE_LIBS)
LIBS_join   = $(SQLITE_LIBS)
LIBS_cast   = $(JQ_LIBS)
LIBS_window =
LIBS_discover = -pthread
LIBS_rescue =
LIBS_status = $(SQLITE_LIBS)
JQ_LIBS    ?= $(shell pkg-config --libs libjq 2>/dev/null || echo -ljq)

# The examples installed under EXDIR: the shop demo and the runnable notebook.
EXAMPLES_DATA = examples/README.md examples/Makefile
EXAMPLES_EXEC = examples/gen-shop examples/continuous.sh
NOTEBOOK_DATA = examples/notebook/README.md examples/notebook/Makefile \
	examples/notebook/lib.sh examples/notebook/orders-per-window.png \
	$(wildcard examples/notebook/*.expected)
NOTEBOOK_EXEC = examples/notebook/plot.sh $(wildcard examples/notebook/[0-9][0-9]-*.sh)
EXAMPLES_ALL  = $(EXAMPLES_DATA) $(EXAMPLES_EXEC) $(NOTEBOOK_DATA) $(NOTEBOOK_EXEC)

PROGS      = $(BIN)/inlet $(STAGES:%=$(BIN)/inlet-%) $(SCRIPTS:%=$(BIN)/inlet-%)
# The prelude the composite scripts source, installed beside them.
PRELUDE    = $(BIN)/inlet.sh-setup

all: $(PROGS) $(PRELUDE)

$(B)/%.o: %.c libcommon/*.h $(wildcard cmd/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# Only the PostgreSQL sink, status's and join's readers of it and
# libcommon/pgconn and pq see libpq's headers.  No program links libpq:
# libcommon/pq loads it when PostgreSQL is first named.
$(B)/cmd/commit/sink_pg.o: CPPFLAGS += $(PQ_CFLAGS)
$(B)/cmd/status/db_pg.o: CPPFLAGS += $(PQ_CFLAGS)
$(B)/cmd/join/source.o: CPPFLAGS += $(PQ_CFLAGS)
$(B)/libcommon/pgconn.o: CPPFLAGS += $(PQ_CFLAGS)
$(B)/libcommon/pq.o: CPPFLAGS += $(PQ_CFLAGS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/inlet: $(B)/cmd/inlet/inlet.o $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

define stage_rule
$(BIN)/inlet-$(1): $(patsubst %.c,$(B)/%.o,$(wildcard cmd/$(1)/*.c)) $(LIB)
	@mkdir -p $(BIN)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LIBS_$(1))
endef
$(foreach s,$(STAGES),$(eval $(call stage_rule,$(s))))

define script_rule
$(BIN)/inlet-$(1): cmd/$(1)/$(1).sh Makefile
	@mkdir -p $(BIN)
	sed 's/@VERSION@/$(VERSION)/' $$< > $$@.tmp && chmod +x $$@.tmp && mv $$@.tmp $$@
endef
$(foreach s,$(SCRIPTS),$(eval $(call script_rule,$(s))))

$(PRELUDE): cmd/inlet/inlet.sh-setup
	@mkdir -p $(BIN)
	cp $< $@.tmp && chmod 644 $@.tmp && mv $@.tmp $@

# C unit tests of libcommon.
UNIT_SRC   = $(wildcard tests/unit/*.c)
UNIT_BIN   = $(UNIT_SRC:%.c=$(B)/%)
$(B)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(UNIT_CFLAGS_$*) $(CFLAGS) $(WARN) -o $@ $< $(LIB) $(UNIT_LIBS_$*)
# The test of libcommon/pgconn sees libpq's headers, as the programs that use it do.
UNIT_CFLAGS_test_pgconn = $(PQ_CFLAGS)

unit: $(UNIT_BIN)

# Debian packages the build, the tests and the demo need.
DEB_PKGS = build-essential pkg-config libcsv-dev libjq-dev libsqlite3-dev \
	zlib1g-dev libzstd-dev zstd sqlite3 jq bats bats-assert bats-support \
	bats-file mandoc bash-completion gnuplot-nox procps zsh fish \
	libpq-dev postgresql parallel strace
deps:
	@$(MAKE) -s install-packages PKGS="$(DEB_PKGS)"
# The fuzz harnesses' compiler, for make fuzz and make check.
FUZZ_PKGS = clang libclang-rt-14-dev

install-packages:
	@missing=$$(for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# check: unit tests, Bats, man page lint, the fuzz harnesses on their
# reproducers and seeds; then the same under ASan+UBSan.
check: deps
	@$(MAKE) -s install-packages PKGS="$(FUZZ_PKGS)"
	@$(MAKE) -s all unit
	@$(MAKE) -s B=build-san BIN=build-san/bin OPT='-O1' \
		CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		LDFLAGS='-fsanitize=address,undefined' all unit
	@tests/run-all

demo: deps all
	@$(MAKE) -s -C examples demo

bench: deps all
	@bench/run-all

# Crash torture: kill -9 at random moments, then count rows lost and doubled,
# windows that differ and files left in landing (20 cycles a variant and trigger).
torture: deps all
	@tests/torture/run --cycles 20

# Stops in a composite's first moments: 500 starts of inlet-autoload, each
# sent one TERM 0 to 30 ms in; a stop lost is printed with the state of the
# processes (tests/torture/stop-early).
torture-stop: deps all
	@tests/torture/stop-early --starts 500

# The libFuzzer harnesses (clang), each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) -s install-packages PKGS="$(FUZZ_PKGS)"
	@tests/fuzz/run $(FUZZ_SECONDS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(PRELUDE) $(DESTDIR)$(BINDIR)/
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 644 completions/inlet.bash $(DESTDIR)$(BASHCOMPDIR)/inlet
	for p in $(STAGES) $(SCRIPTS); do ln -sf inlet $(DESTDIR)$(BASHCOMPDIR)/inlet-$$p; done
	install -m 644 completions/_inlet $(DESTDIR)$(ZSHCOMPDIR)/_inlet
	install -m 644 completions/inlet.fish $(DESTDIR)$(FISHCOMPDIR)/inlet.fish
	for p in $(STAGES) $(SCRIPTS); do install -m 644 completions/inlet.fish $(DESTDIR)$(FISHCOMPDIR)/inlet-$$p.fish; done
	install -d $(DESTDIR)$(EXDIR)/notebook
	install -m 644 $(EXAMPLES_DATA) $(DESTDIR)$(EXDIR)/
	install -m 755 $(EXAMPLES_EXEC) $(DESTDIR)$(EXDIR)/
	install -m 644 $(NOTEBOOK_DATA) $(DESTDIR)$(EXDIR)/notebook/
	install -m 755 $(NOTEBOOK_EXEC) $(DESTDIR)$(EXDIR)/notebook/

uninstall:
	rm -f $(PROGS:$(BIN)/%=$(DESTDIR)$(BINDIR)/%) $(PRELUDE:$(BIN)/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(wildcard man/*.7))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/inlet $(DESTDIR)$(ZSHCOMPDIR)/_inlet $(DESTDIR)$(FISHCOMPDIR)/inlet.fish
	for p in $(STAGES) $(SCRIPTS); do rm -f $(DESTDIR)$(BASHCOMPDIR)/inlet-$$p $(DESTDIR)$(FISHCOMPDIR)/inlet-$$p.fish; done
	rm -f $(patsubst examples/%,$(DESTDIR)$(EXDIR)/%,$(EXAMPLES_ALL))
	rmdir $(DESTDIR)$(EXDIR)/notebook $(DESTDIR)$(EXDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf build build-san build-fuzz bin

.PHONY: all unit deps install-packages check demo bench torture torture-stop fuzz install uninstall clean
