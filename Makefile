# The two set-up commands: `make app` and `make test`. Both create .venv on first use.
PY := .venv/bin/python
DATA ?= data/synth-ptbxl
MODELS ?= resnet1d inception1d lstm kernel leadwise
# the models with a synthetic pretraining (the kernel model is fitted on real folds only: ecgcore/learn/protocol.py)
PRETRAIN ?= resnet1d inception1d lstm leadwise
# extra `train` options of one model's pretraining: leadwise's own default (40 epochs) is for the 372 real records;
# on the synthetic corpus it runs the networks' default number of epochs (torchnet.TRAINING_DEFAULTS)
PRETRAIN_ARGS_leadwise ?= --epochs 12
PORT ?= 8501
# `make app` serves this machine only; README, Serving it to a team, says how to serve others.
ADDRESS ?= localhost

.PHONY: lock app test test-fast train synth evaluate ablation bench fuzz clean

# Every install is from an exact lock file under requirements/, one per use (pyproject.toml lists the direct
# dependencies and their ranges; `make lock` recompiles the three files). The package itself is installed
# editable, without dependencies, so the lock alone decides every version.
.venv/.%.stamp: requirements/%.lock pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r $<
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

lock: .venv/.dev.stamp
	$(PY) -m piptools compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  --extra app --output-file requirements/app.lock pyproject.toml
	$(PY) -m piptools compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  --extra app --extra scale --extra dev --output-file requirements/dev.lock pyproject.toml
	$(PY) -m piptools compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  --all-extras --output-file requirements/bench.lock pyproject.toml

app: .venv/.app.stamp
	$(PY) -m streamlit run app/main.py --server.port $(PORT) --server.address $(ADDRESS)

test: .venv/.dev.stamp
	$(PY) -m pytest -q tests

test-fast: .venv/.dev.stamp
	$(PY) -m pytest -q tests -m "not slow"

synth: .venv/.app.stamp
	$(PY) -m ecgcore synth --out $(DATA) --records 21799 --seed 0

# Reproduces the shipped weights: synthetic pretraining of the networks (PRETRAIN) on DATA (the full-size synthetic corpus,
# generated if absent) into assets/models/<name>/synthetic/, then the shipped weights: the recipe chosen by the
# ablation (assets/models/recipes.json) on real PTB-XL folds 1-8 of the data root, fold 9 selecting the epoch and
# the thresholds. 27.5 min in a fresh clone on 2 cores (install ~1, corpus ~6, pretraining ~17, fine-tuning ~3); a
# second run gave byte-identical weights. leadwise's pretraining, added later, adds ~5.5 min (325 s wall); its
# second run (pretraining, fine-tuning) gave byte-identical weights too. Cards come without figures: `make evaluate` adds them.
train: .venv/.app.stamp
	test -f $(DATA)/ptbxl_database.csv || $(MAKE) synth DATA=$(DATA)
	$(foreach m,$(PRETRAIN),$(PY) -m ecgcore train --model $(m) --data $(DATA) \
	  --out assets/models/$(m)/synthetic --threads 2 $(PRETRAIN_ARGS_$(m)) &&) true
	for m in $(MODELS); do $(PY) -m ecgcore train --model $$m --real --threads 2 || exit 1; done
	$(PY) -m ecgcore.learn.ensemble

# Figures of the shipped weights: real PTB-XL 10-fold out-of-fold CV, fold 10 and every external set (written
# with --save to assets/models/<name>/results_<set>.json and the cards), and "synthetic_fold10": fold 10 (190
# records) of a 2,000-record synthetic corpus (seed 0, not patients). The CV is nested (every recipe trained in
# every split 1-9, each split choosing on its own validation fold): about 75 min on 2 cores, resumable (an
# interrupted run goes on from data/cache/nested); models can run side by side:
# `python -m ecgcore evaluate --cv --nested --save --model resnet1d` (one per model), then `--model ensemble`.
evaluate: .venv/.app.stamp
	$(PY) -m ecgcore evaluate --cv --nested --save
	test -f data/synth-eval/ptbxl_database.csv || $(PY) -m ecgcore synth --out data/synth-eval --records 2000 --seed 0
	for m in $(MODELS); do $(PY) -m ecgcore evaluate --model $$m --data data/synth-eval --save || exit 1; done
	$(PY) -m ecgcore.learn.ensemble

# The recipe ablation on the shipped split (fold 9 chooses; writes assets/models/ablation.json, recipes.json).
ablation: .venv/.app.stamp
	$(PY) -m ecgcore evaluate --ablation --save

bench: .venv/.bench.stamp
	for f in bench/bench_*.py; do $(PY) -m bench.$$(basename $$f .py) || exit 1; done

# Bounded-time hypothesis fuzzing of every ECG reader; prints inputs executed and outcome counts.
FUZZ_SECONDS ?= 60
fuzz: .venv/.bench.stamp
	$(PY) -m bench.fuzz_readers --seconds $(FUZZ_SECONDS)

clean:
	rm -rf .venv .pytest_cache .hypothesis tests/artifacts
