# Cat or Not: every command the course needs. Run `make help` for the list.
#
#   make setup   create .venv, install the pinned packages, fetch and verify the data
#   make test    unit tests plus every notebook re-executed and compared by nbval
#
# setup, test, lab and lock run `python -m course_tools.make`, the same commands Windows uses
# without make (see README).

PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/$(if $(filter Windows_NT,$(OS)),Scripts,bin)
COURSE      := $(PYTHON) -m course_tools.make --venv "$(VENV)"
# Where `make setup` gets the data: a folder or a base URL. Empty means $$DATA_SOURCE from the
# environment, else the pinned public copy (see datasets/README.md).
DATA_SOURCE ?=
NOTEBOOKS   := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
STAMP       := $(VENV)/.installed
# Optional settings, passed on only when set; the defaults live in the Python modules:
#   make test / test-unit:  TEST_WORKERS=n (processes running the tests; default: $$TEST_WORKERS,
#     else one per core; 1: one after another)
#   make test-colab:  COLAB_PYTHON=path (the stack's Python 3.12; tests/colab_simulation.py)
#   make grade / grade-class:  CELL_TIMEOUT=s (one cell), GRADE_TIMEOUT=s (the whole notebook),
#     NO_SANDBOX=1; grade-class also GRADES=folder (grades.csv, feedback/, gradebooks, summary),
#     JOBS=n (submissions at once), ROSTER=roster.csv (folder names -> LMS ids and emails),
#     ASSIGNMENT_IDS="02_logistic_regression_numpy=1234 ..." (Canvas assignment ids);
#     `python -m course_tools.classroom grade-class --help` lists defaults
#   make experiment:  SEEDS=n (seeds 1..n of the CNN procedure, about 75 s each on 2 cores)
TEST_FLAGS = $(if $(TEST_WORKERS),--workers $(TEST_WORKERS))
GRADE_FLAGS = $(if $(CELL_TIMEOUT),--cell-timeout $(CELL_TIMEOUT)) \
              $(if $(GRADE_TIMEOUT),--timeout $(GRADE_TIMEOUT)) $(if $(NO_SANDBOX),--no-sandbox)

.DEFAULT_GOAL := help
.PHONY: help setup data verify test test-unit test-notebooks test-colab lint lab lock clean \
        student badges grade grade-class experiment doctor run-notebooks site test-site

help:  ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

setup: $(STAMP) data  ## create .venv, install pinned requirements, fetch and verify the data
	@$(BIN)/python -m course_tools.sandbox install

$(STAMP): requirements.txt pyproject.toml
	$(COURSE) install

data: $(STAMP)  ## fetch the two .h5 files into datasets/ (DATA_SOURCE=folder-or-url), verified
	$(COURSE) data $(if $(DATA_SOURCE),--data-source "$(DATA_SOURCE)")

verify: $(STAMP)  ## check the dataset files: checksums, keys, shapes, labels
	$(BIN)/python -m course_tools.fetch --verify-only

test: $(STAMP)  ## unit tests and nbval on every notebook, in parallel (TEST_WORKERS=n processes)
	$(COURSE) test $(TEST_FLAGS) $(NOTEBOOKS)

test-unit: $(STAMP)  ## the unit tests only, without the slow ones (fast)
	$(COURSE) test --unit $(TEST_FLAGS)

test-notebooks: $(STAMP)  ## nbval on the notebooks only (NOTEBOOKS=notebooks/02_....ipynb for one)
	$(COURSE) test --no-unit $(TEST_FLAGS) $(NOTEBOOKS)

run-notebooks: $(STAMP)  ## run every notebook top to bottom without comparing outputs (macOS, ARM)
	$(COURSE) run-notebooks $(TEST_FLAGS) $(NOTEBOOKS)

test-colab: $(STAMP)  ## notebook 2 in a simulated Colab on a Colab-like stack (COLAB_PYTHON=python3.12)
	$(BIN)/python tests/colab_simulation.py --stack $(if $(COLAB_PYTHON),--python "$(COLAB_PYTHON)")

doctor:  ## what this machine and set-up are, to paste into an issue; names each problem and its fix
	@$(PYTHON) -m course_tools.doctor --venv "$(VENV)"

site: $(STAMP)  ## the course website from the stored outputs, offline, into build/site/
	$(BIN)/python -m course_tools.site

test-site: site  ## open the site in headless Chromium; screenshots in build/site-shots/
	$(BIN)/python -m course_tools.site_check

lint: $(STAMP)  ## ruff over helpers, course_tools, tests and notebooks
	$(BIN)/ruff check helpers course_tools tests notebooks

student: $(STAMP)  ## student editions in notebooks/student/ (no solutions, outputs or hidden tests)
	$(BIN)/python -m course_tools.classroom student $(NOTEBOOKS) --out notebooks/student
	$(BIN)/python -m course_tools.colab notebooks/student/*.ipynb

badges: $(STAMP)  ## rewrite the Colab badge + bootstrap cells and README links from pyproject.toml
	$(BIN)/python -m course_tools.colab $(NOTEBOOKS) notebooks/student/*.ipynb README.md \
		.github/ISSUE_TEMPLATE/*.yml

grade: $(STAMP)  ## grade one submission in the sandbox: make grade SUBMISSION=path/to/0N_x.ipynb [JSON=1]
	@test -n "$(SUBMISSION)" || { echo "Usage: make grade SUBMISSION=path/to/notebook.ipynb [JSON=1] [NO_SANDBOX=1]"; exit 2; }
	@$(BIN)/python -m course_tools.classroom grade "$(SUBMISSION)" $(GRADE_FLAGS) $(if $(JSON),--json)

grade-class: $(STAMP)  ## grade a folder of submissions: make grade-class SUBMISSIONS=dir/ -> build/grades/
	@test -n "$(SUBMISSIONS)" || { echo "Usage: make grade-class SUBMISSIONS=folder/ [GRADES=build/grades] [JOBS=n] [ROSTER=roster.csv] [ASSIGNMENT_IDS=\"nb=id ...\"] [NO_SANDBOX=1]"; exit 2; }
	@$(BIN)/python -m course_tools.classroom grade-class "$(SUBMISSIONS)" \
		$(if $(GRADES),--out "$(GRADES)") $(if $(JOBS),--jobs $(JOBS)) \
		$(if $(ROSTER),--roster "$(ROSTER)") \
		$(foreach id,$(ASSIGNMENT_IDS),--assignment-id $(id)) $(GRADE_FLAGS)

experiment: $(STAMP)  ## notebook 4's CNN finale for SEEDS seeds (default 5): rewrites experiments/cnn_results.md
	$(BIN)/python -m course_tools.experiment $(if $(SEEDS),--seeds $(SEEDS))

lab: $(STAMP)  ## open JupyterLab on notebooks/
	$(COURSE) lab

lock: $(STAMP)  ## re-resolve requirements.in into requirements.txt for every platform (UPGRADE=1)
	$(COURSE) lock $(if $(UPGRADE),--upgrade)

clean:  ## remove build outputs and caches (keeps .venv and the data)
	rm -rf build .pytest_cache .ruff_cache
	find . -path "./$(VENV)" -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
