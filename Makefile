# The two set-up commands: `make app` and `make test`. Both create .venv on first use.
PY := .venv/bin/python
DATA ?= data/synth-ptbxl
MODELS ?= resnet1d inception1d lstm kernel
PORT ?= 8501

.PHONY: lock app test test-fast train synth evaluate bench fuzz clean

# Every install is from the exact lock file; `make lock` refreshes it from the ranges in requirements.txt.
.venv/installed: requirements.lock
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

lock:
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet pip-tools==7.6.2
	$(PY) -m piptools compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock requirements.txt

app: .venv/installed
	$(PY) -m streamlit run app/main.py --server.port $(PORT)

test: .venv/installed
	$(PY) -m pytest -q tests

test-fast: .venv/installed
	$(PY) -m pytest -q tests -m "not browser"

synth: .venv/installed
	$(PY) -m ecgcore synth --out $(DATA) --records 21799 --seed 0

# Retrains every shipped model on DATA (default: the full-size synthetic corpus, generated if absent),
# then evaluates each on DATA's fold 10 and on every real labelled record of the data root (`--data real`).
train: .venv/installed
	test -f $(DATA)/ptbxl_database.csv || $(MAKE) synth DATA=$(DATA)
	for m in $(MODELS); do $(PY) -m ecgcore train --model $$m --data $(DATA) || exit 1; done
	$(MAKE) evaluate DATA=$(DATA)

evaluate: .venv/installed
	for m in $(MODELS); do $(PY) -m ecgcore evaluate --model $$m --data $(DATA) --save && \
	  $(PY) -m ecgcore evaluate --model $$m --data real --save || exit 1; done

bench: .venv/installed
	for f in bench/bench_*.py; do $(PY) $$f || exit 1; done

# Bounded-time hypothesis fuzzing of every ECG reader; prints inputs executed and outcome counts.
FUZZ_SECONDS ?= 60
fuzz: .venv/installed
	$(PY) bench/fuzz_readers.py --seconds $(FUZZ_SECONDS)

clean:
	rm -rf .venv .pytest_cache .hypothesis tests/artifacts
