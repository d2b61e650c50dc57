"""Who is in the synthetic corpus and what they have: one spec dict per record, sampled once, in order.

The superclass combinations are allocated by largest remainder (so any size has PTB-XL's mix, not just a
noisy draw of it) and shuffled; statements within a class follow PTB-XL's statement counts; age and sex
depend on the class; patients own 1-5 records and folds are assigned per patient (stratified by their
first record's classes), like PTB-XL's `strat_fold`. A few percent of the labels are wrong on purpose
(missed, spurious or swapped statements, recorded in `label_noise`), fewer in folds 9-10, which, as in
PTB-XL, are all human-validated.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ecgcore.synth import catalogue as C

SEED_STRIDE = 1_000_003
LABEL_NOISE = {"train": 0.05, "clean": 0.02}   # share of records with a wrong label: folds 1-8 / 9-10
P_SUBTLE = 0.35                                  # share of lesions drawn as subtle (severity 0.02-0.3)


def _allocate(n: int, probs: np.ndarray) -> np.ndarray:
    raw = probs * n
    counts = np.floor(raw).astype(int)
    short = n - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    return counts


def severity(rng: np.random.Generator, mild: bool = False) -> float:
    """A lesion severity in (0, 1]: P_SUBTLE of them subtle (0.02-0.3), the rest Beta(2.2, 2.0); mild caps at 0.35."""
    if mild:
        return float(rng.uniform(0.05, 0.35))
    if rng.random() < P_SUBTLE:
        return float(rng.uniform(0.02, 0.3))
    return float(np.clip(rng.beta(2.2, 2.0), 0.03, 1.0))


def likelihood(rng: np.random.Generator, s: float) -> float:
    """The SCP likelihood (%) a cardiologist would give a lesion of severity s."""
    if s < 0.2:
        return float(rng.choice([15.0, 35.0, 50.0, 0.0], p=[0.3, 0.3, 0.25, 0.15]))
    if s < 0.45:
        return float(rng.choice([35.0, 50.0, 80.0, 100.0, 0.0], p=[0.15, 0.25, 0.25, 0.25, 0.1]))
    return float(rng.choice([80.0, 100.0, 0.0], p=[0.3, 0.6, 0.1]))


def _exclusive_ok(chosen: list[str], cand: str) -> bool:
    return not any(cand in group and any(c in group for c in chosen) for group in C.EXCLUSIVE)


def _statements(rng: np.random.Generator, cls: str, chosen: list[str], mild: bool) -> list[str]:
    group = C.STATEMENTS[cls]
    if mild:   # alongside NORM: only the mild findings a normal ECG can carry
        group = {"CD": {"IRBBB": 5, "1AVB": 3, "LAFB": 2}, "STTC": {"NDT": 3, "NST_": 1},
                 "HYP": {"LAO/LAE": 1, "LVH": 1}}[cls]
    names = list(group)
    w = np.array([group[k] for k in names], dtype=float)
    k = 1 if mild else int(rng.choice(len(C.N_STATEMENTS[cls]), p=C.N_STATEMENTS[cls])) + 1
    out: list[str] = []
    for _ in range(k):
        ok = np.array([nm not in out and _exclusive_ok(chosen + out, nm) for nm in names])
        if not ok.any():
            break
        p = w * ok
        out.append(names[int(rng.choice(len(names), p=p / p.sum()))])
    return out


def sample_cohort(n: int, seed: int) -> list[dict[str, Any]]:
    """Specs for ecg_id 1..n (see module doc)."""
    rng = np.random.default_rng([seed, 0])
    keys = list(C.COMBOS)
    probs = np.array([C.COMBOS[k] for k in keys], dtype=float)
    probs /= probs.sum()
    combo_idx = np.repeat(np.arange(len(keys)), _allocate(n, probs))
    rng.shuffle(combo_idx)

    # patients: 1-5 records each, ~1.16 on average as in PTB-XL (21,837 records of 18,885 patients)
    sizes = []
    while sum(sizes) < n:
        sizes.append(int(rng.choice(5, p=[0.88, 0.08, 0.025, 0.01, 0.005])) + 1)
    sizes[-1] -= sum(sizes) - n
    order = rng.permutation(n)
    patient_of = np.empty(n, int)
    pos = 0
    for p, size in enumerate(sizes):
        patient_of[order[pos:pos + size]] = p
        pos += size
    n_pat = len(sizes)
    patient_ids = rng.choice(np.arange(1, max(21800, int(n_pat * 1.2))), size=n_pat, replace=False)

    # patient demographics from their first record's classes
    first = np.full(n_pat, -1)
    for i in range(n):
        if first[patient_of[i]] < 0:
            first[patient_of[i]] = i
    pat_age = np.zeros(n_pat)
    pat_male = np.zeros(n_pat, bool)
    pat_height = np.zeros(n_pat)
    pat_bmi = np.zeros(n_pat)
    for p in range(n_pat):
        combo = keys[combo_idx[first[p]]]
        main = next((c for c in ("MI", "HYP", "CD", "STTC") if c in combo), "NORM" if combo else "")
        mu, sd = C.AGE[main]
        age = float(np.clip(rng.normal(mu, sd), 18.0, 95.0))
        if main == "NORM" and rng.random() < 0.02:
            age = float(rng.integers(3, 18))
        male = bool(rng.random() < C.MALE[main])
        if age < 18:
            height = 100.0 + 5.5 * (age - 4.0) + rng.normal(0, 6)
            bmi = float(np.clip(rng.normal(17.5, 2.0), 13.0, 26.0))
        else:
            height = rng.normal(176.0, 7.0) if male else rng.normal(164.0, 6.5)
            bmi = float(np.clip(rng.normal(26.5 + 0.03 * (age - 50), 4.3), 16.0, 45.0))
        pat_age[p], pat_male[p], pat_height[p], pat_bmi[p] = age, male, height, bmi

    # folds per patient, stratified by the first record's combination
    fold_of_patient = np.zeros(n_pat, int)
    pat_key = np.array([combo_idx[first[p]] for p in range(n_pat)])
    perm = rng.permutation(n_pat)
    ranked = perm[np.argsort(pat_key[perm], kind="stable")]
    fold_of_patient[ranked] = (np.arange(n_pat) + int(rng.integers(0, 10))) % 10 + 1

    # AFIB odds by class, normalised to PTB-XL's overall share
    odds = np.array([max([C.AFIB_ODDS[c] for c in keys[ci]] or [1.0]) for ci in combo_idx])
    p_afib = np.clip(C.RHYTHMS["AFIB"] * odds / odds.mean(), 0.0, 0.5)
    other = [r for r in C.RHYTHMS if r != "AFIB"]
    p_other = np.array([C.RHYTHMS[r] for r in other])
    p_other /= p_other.sum()

    specs: list[dict[str, Any]] = []
    seen_patient: dict[int, int] = {}
    for i in range(n):
        ecg_id = i + 1
        combo = keys[combo_idx[i]]
        p = patient_of[i]
        visit = seen_patient.get(p, 0)
        seen_patient[p] = visit + 1
        age = pat_age[p] + (rng.uniform(0.2, 3.0) * visit if visit else 0.0)
        fold = int(fold_of_patient[p])
        mild = "NORM" in combo
        stmts: list[str] = []
        for cls in combo:
            if cls != "NORM":
                stmts += _statements(rng, cls, stmts, mild)
        sev = {s: severity(rng, mild) for s in stmts}

        rhythm = "AFIB" if rng.random() < p_afib[i] else str(rng.choice(other, p=p_other))
        if rhythm == "AFIB" and set(stmts) & {"1AVB", "2AVB", "3AVB", "WPW", "LAO/LAE", "RAO/RAE"}:
            rhythm = "SR"
        hr = {"SR": np.clip(rng.normal(72, 10), 60, 100), "SBRAD": rng.uniform(42, 59.5),
              "STACH": rng.uniform(101, 145), "SARRH": np.clip(rng.normal(70, 10), 55, 100),
              "AFIB": np.clip(rng.normal(88, 20), 50, 160)}[rhythm]
        n_pvc = int(min(1 + rng.poisson(0.6), 4)) if rng.random() < C.P_PVC else 0
        n_pac = int(rng.integers(1, 3)) if (rhythm != "AFIB" and rng.random() < C.P_PAC) else 0

        labels: dict[str, float] = {}
        if "NORM" in combo:
            labels["NORM"] = 100.0 if rng.random() < 0.8 else 80.0
        for s in stmts:
            labels[s] = likelihood(rng, sev[s])
        noise = _label_noise(rng, labels, combo, LABEL_NOISE["clean" if fold >= 9 else "train"])
        if noise:
            validated = bool(rng.random() < 0.2) or fold >= 9
            auto = bool(rng.random() < 0.7)
        else:
            validated = fold >= 9 or bool(rng.random() < 0.85)
            auto = bool(rng.random() < 0.2)
        if rhythm != "SR" or rng.random() < 0.95:
            labels[rhythm] = 0.0

        height = pat_height[p]
        weight = pat_bmi[p] * (height / 100.0) ** 2
        specs.append({
            "ecg_id": ecg_id, "patient_id": float(patient_ids[p]), "age": float(age), "male": bool(pat_male[p]),
            "bmi": float(pat_bmi[p]), "height": float(round(height)), "weight": float(round(weight)),
            "height_known": bool(rng.random() < 0.32), "weight_known": bool(rng.random() < 0.45),
            "record_seed": seed * SEED_STRIDE + ecg_id, "patient_seed": seed * SEED_STRIDE + 500_000 + int(patient_ids[p]),
            "statements": [(s, sev[s]) for s in stmts], "combo": combo,
            "rhythm": rhythm, "hr": float(hr), "n_pvc": n_pvc, "n_pac": n_pac,
            "labels": labels, "label_noise": noise, "strat_fold": fold,
            "validated_by_human": validated, "initial_autogenerated_report": auto,
            "second_opinion": bool(rng.random() < 0.03),
            "nurse": float(rng.integers(0, 12)) if rng.random() < 0.8 else np.nan,
            "site": float(min(rng.geometric(0.35) - 1, 50)),
            "validated_by": float(rng.integers(0, 12)) if validated and rng.random() < 0.6 else np.nan,
        })
    _dates(rng, specs)
    return specs


def _label_noise(rng: np.random.Generator, labels: dict[str, float], combo: tuple[str, ...], rate: float) -> str:
    """Maybe corrupt `labels` in place; returns what was done ("" when nothing)."""
    if rng.random() >= rate:
        return ""
    lesions = [s for s in labels if s != "NORM"]
    kind = str(rng.choice(["missing", "spurious", "swap"], p=[0.4, 0.4, 0.2])) if lesions else "spurious"
    others = [c for c in ("MI", "STTC", "CD", "HYP") if c not in combo]
    if kind == "missing":
        gone = str(rng.choice(lesions))
        del labels[gone]
        if not any(s in C.SUPERCLASS_OF for s in labels):
            labels["NORM"] = 80.0
        return f"missing:{gone}"
    cls = str(rng.choice(others)) if others else "STTC"
    group = C.STATEMENTS[cls]
    names = list(group)
    w = np.array([group[k] for k in names], dtype=float)
    new = names[int(rng.choice(len(names), p=w / w.sum()))]
    if kind == "swap":
        gone = str(rng.choice(lesions))
        del labels[gone]
        labels[new] = float(rng.choice([35.0, 50.0, 80.0, 100.0]))
        return f"swap:{gone}>{new}"
    if "NORM" in labels and rng.random() < 0.7:
        del labels["NORM"]
    labels[new] = float(rng.choice([15.0, 35.0, 50.0, 100.0]))
    return f"spurious:{new}"


def _dates(rng: np.random.Generator, specs: list[dict[str, Any]]) -> None:
    """Recording times increasing with ecg_id, 1984-11 to 2001-06 (PTB-XL's span)."""
    start = np.datetime64("1984-11-09T08:00:00")
    span = int((np.datetime64("2001-06-01T00:00:00") - start) / np.timedelta64(1, "s"))
    secs = np.sort(rng.integers(0, span, len(specs)))
    for spec, s in zip(specs, secs):
        when = start + np.timedelta64(int(s), "s")
        spec["recording_date"] = str(when).replace("T", " ")


def make_spec(statements: dict[str, float] | None = None, *, seed: int = 0, ecg_id: int = 1, age: float = 60.0,
              male: bool = True, bmi: float = 25.0, rhythm: str = "SR", hr: float = 70.0, n_pvc: int = 0,
              n_pac: int = 0, patient_id: int = 1, fold: int = 1) -> dict[str, Any]:
    """A hand-made spec for one record: `statements` maps SCP codes to severities in (0, 1] (none = a normal
    ECG). The labels are the statements themselves (likelihood 100), without label noise."""
    statements = dict(statements or {})
    unknown = [s for s in statements if s not in C.SUPERCLASS_OF or s == "NORM"]
    if unknown:
        raise ValueError(f"unknown diagnostic statement(s) {unknown}; use codes like {sorted(C.SUPERCLASS_OF)[:8]}...")
    combo = tuple(c for c in ("MI", "STTC", "CD", "HYP") if any(C.SUPERCLASS_OF[s] == c for s in statements)) or ("NORM",)
    labels = {s: 100.0 for s in statements} if statements else {"NORM": 100.0}
    labels[rhythm] = 0.0
    return {
        "ecg_id": ecg_id, "patient_id": float(patient_id), "age": float(age), "male": bool(male), "bmi": float(bmi),
        "height": 175.0, "weight": float(round(bmi * 1.75 ** 2)), "height_known": True, "weight_known": True,
        "record_seed": seed * SEED_STRIDE + ecg_id, "patient_seed": seed * SEED_STRIDE + 500_000 + patient_id,
        "statements": list(statements.items()), "combo": combo, "rhythm": rhythm, "hr": float(hr),
        "n_pvc": n_pvc, "n_pac": n_pac, "labels": labels, "label_noise": "", "strat_fold": fold,
        "validated_by_human": True, "initial_autogenerated_report": False, "second_opinion": False,
        "nurse": 0.0, "site": 0.0, "validated_by": 0.0, "recording_date": "1990-01-01 12:00:00",
    }
