# ecsim — build, test, demo, bench, install.
#
#   make            build build/ecsim
#   make deps       install missing Debian packages (libyaml-dev, libcmocka-dev, gnuplot-nox,
#                   time, python3-simpy3)
#   make demo       deps + build + simulate scenarios/quickstart.yaml
#   make test       deps + build + every test (unit, golden, bad-input corpus, sanitizer build)
#   make bench      growth curves (exponents, peak RSS) and speed against ../shared/anchors
#                   (ratios, never a test); BENCH_REPS, BENCH_TIMEOUT, BENCH_QUICK=1, BENCH_ONLY
#   make fuzz       run the loader fuzzer for FUZZ_SECONDS (libFuzzer, clang)
#   make install    PREFIX=/usr/local DESTDIR=
#
# CC, CFLAGS, LDFLAGS, PREFIX and DESTDIR may be overridden; SANITIZE=address,undefined
# builds with sanitizers (into build/san by default).

CC       ?= cc
PKG_CONFIG ?= pkg-config
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/ecsim
DESTDIR  ?=
O        ?= 2
SANITIZE ?=

ifneq ($(SANITIZE),)
BUILD    ?= build/san
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD    ?= build
SANFLAGS :=
endif

YAML_CFLAGS   := $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
YAML_LIBS     := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

WARN     := -Wall -Wextra -Wpedantic -Wstrict-prototypes -Wmissing-prototypes -Wvla \
            -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS   ?= -O$(O) -g
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) $(SANFLAGS) \
              -Iinclude -Isim $(YAML_CFLAGS) -MMD -MP \
              -DECSIM_DATADIR='"$(DATADIR)"'
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)
LIBS     := $(YAML_LIBS) -lm

LAYERS   := core input policy model report cli
LIB_SRC  := $(filter-out sim/cli/main.c,$(sort $(foreach l,$(LAYERS),$(wildcard sim/$(l)/*.c))))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libecsim.a
BIN      := $(BUILD)/ecsim

TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

# time: peak RSS in `make bench`; python3-simpy3: its SimPy anchor.
DEBIAN_PKGS := libyaml-dev libcmocka-dev gnuplot-nox time python3-simpy3

.SECONDARY:

.PHONY: all deps demo test check unit integration sanitize bench fuzz install uninstall \
        clean format lint valgrind readme

all: $(BIN)

$(BUILD)/sim/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/sim/cli/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Itests -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIBS)

$(BUILD)/bench/%.o: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# ---- set-up -------------------------------------------------------------------

# Install what is missing, once: `apt-get update` only when something is.
deps:
	@missing=""; for p in $(DEBIAN_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || \
	  { echo "make deps: could not install$$missing" >&2; exit 1; }; \
	fi

demo: deps
	@$(MAKE) --no-print-directory all
	$(BIN) run scenarios/quickstart.yaml --out out

# ---- tests ----------------------------------------------------------------------

test: deps
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory sanitize
	@$(MAKE) --no-print-directory valgrind

# Unit tests (cmocka) and the data-driven integration tests, in this build.
check: unit integration

unit: $(TEST_BIN) $(BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  ECSIM_BIN=$(BIN) $$t || fail=1; \
	done; exit $$fail

integration: $(BIN)
	@ECSIM_BIN=$(BIN) sh tests/integration.sh

# The same suites under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	@$(MAKE) --no-print-directory SANITIZE=address,undefined O=1 check

# ---- speed ----------------------------------------------------------------------

bench: $(BIN) $(BENCH_BIN)
	@ECSIM_BIN=$(BIN) BUILD=$(BUILD) sh tests/bench/run.sh

# ---- fuzzing ----------------------------------------------------------------------

FUZZ_SECONDS ?= 60
fuzz:
	@mkdir -p build/fuzz
	clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined \
	  -Iinclude -Isim $(YAML_CFLAGS) -DECSIM_DATADIR='"$(DATADIR)"' \
	  -o build/fuzz/fuzz_loader tests/fuzz/fuzz_loader.c $(LIB_SRC) $(LIBS)
	@mkdir -p build/fuzz/corpus
	@cp scenarios/*.yaml tests/bad/*.yaml build/fuzz/corpus/ 2>/dev/null || true
	build/fuzz/fuzz_loader -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	  -dict=tests/fuzz/yaml.dict build/fuzz/corpus

# ---- install ----------------------------------------------------------------------

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/plots $(DESTDIR)$(DATADIR)/scenarios/traces
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/ecsim
	install -m 644 plots/*.gp $(DESTDIR)$(DATADIR)/plots/
	install -m 644 scenarios/*.yaml $(DESTDIR)$(DATADIR)/scenarios/
	install -m 644 scenarios/traces/*.csv $(DESTDIR)$(DATADIR)/scenarios/traces/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ecsim
	rm -rf $(DESTDIR)$(DATADIR)

# ---- docs -------------------------------------------------------------------------

# Refresh the scenario field reference in README.md from the schema.
readme: $(BIN)
	@$(BIN) validate --list-fields > $(BUILD)/fields.md
	@awk -v f=$(BUILD)/fields.md '/<!-- fields:begin -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next } \
	  /<!-- fields:end -->/ { skip = 0 } !skip' README.md > README.md.tmp && mv README.md.tmp README.md
	@echo "README.md: field reference refreshed"

# ---- hygiene ----------------------------------------------------------------------

format:
	clang-format -i sim/*/*.c sim/*/*.h include/ecsim/*.h tests/*.c tests/*.h 2>/dev/null || true

# cppcheck, then the module graph: no include cycle between modules, layers
# in order (core < input < policy < model < report < cli), private headers
# private (tests/lint_modules.sh).
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --std=c11 -Iinclude -Isim --suppress=missingIncludeSystem sim
	@sh tests/lint_modules.sh

# The program under valgrind on scenarios that exercise every module: no
# invalid access, no definite leak (skipped, saying so, where valgrind is absent).
VALGRIND_SCENARIOS := quickstart deploy-rollback coldstart-ec2 latency-slo fail-registry-outage
valgrind: $(BIN)
	@if ! command -v valgrind >/dev/null 2>&1; then echo "valgrind: not installed, skipped"; exit 0; fi; \
	pass=0; fail=0; for s in $(VALGRIND_SCENARIOS); do \
	  if valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
	       $(BIN) run scenarios/$$s.yaml --out $(BUILD)/valgrind-out --quiet --no-plots; \
	  then pass=$$((pass + 1)); else fail=$$((fail + 1)); echo "valgrind: $$s FAILED"; fi; \
	done; echo "valgrind: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

clean:
	rm -rf build out

-include $(LIB_OBJ:.o=.d) $(BUILD)/sim/cli/main.d $(TEST_BIN:=.d)
