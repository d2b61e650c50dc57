"""Lead evidence: how much each class's probability falls when one lead, or one anatomical lead group, no
longer shows this record's own signal. Faithful by construction: it is the model's own output on the changed
input, not a gradient.

For lead (or group) L and class c: evidence[L, c] = p_c(record) - p_c(record with L replaced), in
probability units (0.12 = 12 percentage points). Positive: L carried evidence FOR c; negative: L argued
against c. One batch of 1 + 12 + len(groups) predictions through the model's own rule (`predict_proba` on the
prepared signal at the model's rate, the same windows and aggregation as the probabilities shown).

Replacement ("template", the default): the lead becomes the NORM population's median beat of that lead
(`assets/evidence/norm_template.npz`: the median over PTB-XL training-fold NORM records of each record's
median beat, `fit_norm_template`), placed at this record's own R-peaks. The input stays an ECG with this
record's rhythm and timing, and in that lead a normal beat the networks saw thousands of times in training
(in distribution); only the lead's own morphology (Q waves, ST shifts, T inversions) is taken away, which is
what a reader asks a lead for. Measured on the 36 fold-9 NORM records (`bench/bench_evidence.py --stability`,
resnet1d: mean |p - p(one lead replaced)| over leads and classes), it moves the predictions least:
- "template" (each lead swapped on its own): 0.009 (95th percentile 0.043);
- "mean": the lead flat at its training mean (the standardised zero; the former occlusion): 0.017 (0.074); a
  flat lead never occurs in training;
- the template with the limb leads kept consistent (`replace_leads(consistent_limbs=True)`): 0.019 (0.082);
- a reconstruction from the remaining leads cannot serve the limb leads: any two of I, II, III, aVR, aVL, aVF
  give the other four exactly (Einthoven, Goldberger), so removing a limb lead, or the inferior or lateral
  group, by reconstruction leaves the input unchanged and its evidence 0 whatever the model does.
Without R-peaks (no beats found) the template cannot be placed and "mean" is used; `replacement` says which.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ecgcore.core.errors import ECGError, UnknownNameError
from ecgcore.core.leads import LEAD_GROUPS, LEADS, strongest_leads
from ecgcore.core.settings import ROOT
from ecgcore.models.base import PreparedInput

REPLACEMENTS = ("template", "mean")
DEFAULT_REPLACEMENT = "template"
#: the template's window around R (s): room for a PR segment before and the T wave after
TEMPLATE_BEFORE_S, TEMPLATE_AFTER_S = 0.30, 0.55
TEMPLATE_FS = 100.0
TEMPLATE_PATH = ROOT / "assets" / "evidence" / "norm_template.npz"
#: a lead is named as evidence when removing it lowers the class's probability by at least this much
MIN_CHANGE = 0.01
#: the anatomical groups whose removal is measured by default (of `ecgcore.core.leads.LEAD_GROUPS`; the posterior
#: wall's mirror V1-V3 is left to callers that ask for it, as `bench/bench_evidence.py` does for its territory)
GROUPS: tuple[str, ...] = ("inferior", "anteroseptal", "lateral")


@dataclass(frozen=True)
class LeadEvidence:
    """Per-lead and per-group evidence of one record for every class.

    probabilities: (classes,) of the record as it is; per_lead: (12, classes) probability minus the
    probability with that lead replaced (leads in `leads` order); per_group: (groups, classes) the same with
    the group's leads replaced together (`groups` names, leads in `LEAD_GROUPS`); replacement: "template" or
    "mean" (see the module docstring).
    """

    classes: tuple[str, ...]
    leads: tuple[str, ...]
    groups: tuple[str, ...]
    probabilities: np.ndarray
    per_lead: np.ndarray
    per_group: np.ndarray
    replacement: str

    def _k(self, cls: str) -> int:
        if cls not in self.classes:
            raise UnknownNameError(f"unknown class {cls!r}; choose one of {', '.join(self.classes)}")
        return self.classes.index(cls)

    def lead_changes(self, cls: str) -> dict[str, float]:
        """{lead: probability change} for class `cls`, in `leads` order."""
        k = self._k(cls)
        return {lead: float(v) for lead, v in zip(self.leads, self.per_lead[:, k])}

    def group_changes(self, cls: str) -> dict[str, float]:
        """{group: probability change} for class `cls`."""
        k = self._k(cls)
        return {g: float(v) for g, v in zip(self.groups, self.per_group[:, k])}

    def evidence_leads(self, cls: str, k: int | None = 3, min_change: float = MIN_CHANGE) -> list[str]:
        """The leads whose removal lowers p(cls) by at least `min_change`, strongest first (at most k)."""
        return strongest_leads(self.lead_changes(cls), min_change, k)

    def summary(self, cls: str, k: int = 3) -> str:
        """One line for the strip, e.g. "MI evidence: III, aVF, II"."""
        leads = self.evidence_leads(cls, k)
        if leads:
            return f"{cls} evidence: {', '.join(leads)}"
        return (f"{cls} evidence: no single lead (replacing any one lowers p({cls}) by less than "
                f"{MIN_CHANGE * 100:g} points)")

    def to_dict(self) -> dict[str, Any]:
        return {"replacement": self.replacement, "unit": "probability change when replaced",
                "probabilities": dict(zip(self.classes, np.round(self.probabilities, 4).tolist())),
                "per_lead": {c: {lead: round(float(v), 4) for lead, v in zip(self.leads, self.per_lead[:, i])}
                             for i, c in enumerate(self.classes)},
                "per_group": {c: {g: round(float(v), 4) for g, v in zip(self.groups, self.per_group[:, i])}
                              for i, c in enumerate(self.classes)}}


@dataclass(frozen=True)
class StatementMatch:
    """A criteria statement's leads against the model's evidence leads for one class."""

    text: str
    leads: tuple[str, ...]
    evidence_leads: tuple[str, ...]
    shared: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        return bool(self.shared)


#: the criteria statements' categories (`ecgcore.interpret.CATEGORIES`) that speak to each superclass
CLASS_CATEGORIES: dict[str, tuple[str, ...]] = {
    "MI": ("infarct",), "STTC": ("st_t",), "HYP": ("hypertrophy", "voltage"),
    "CD": ("ventricular_conduction", "av_conduction"), "NORM": (),
}


def compare_with_statements(evidence: LeadEvidence, cls: str, statements: Iterable[Any],
                            k: int = 3) -> list[StatementMatch]:
    """For each statement with leads (any object with `.text` and `.leads`, e.g. those of
    `ecgcore.interpret.interpret(ecg).statements`), the leads it names, the model's `k` evidence leads for
    `cls`, and the leads both name. Statements naming no lead are left out, and so are those whose `.category`
    (where they have one) does not speak to `cls` (`CLASS_CATEGORIES`; a class not listed keeps every one)."""
    top = tuple(evidence.evidence_leads(cls, k))
    wanted = CLASS_CATEGORIES.get(cls)
    out = []
    for s in statements:
        leads = tuple(getattr(s, "leads", ()) or ())
        category = getattr(s, "category", None)
        if wanted is not None and category is not None and category not in wanted:
            continue
        if leads:
            out.append(StatementMatch(str(s.text), leads, top, tuple(lead for lead in top if lead in leads)))
    return out


@lru_cache(maxsize=2)
def _template_at(fs: float, path: str) -> tuple[np.ndarray, int]:
    """(12, L) template at `fs` and the index of R in it."""
    file = Path(path)
    if not file.exists():
        raise ECGError(f"the lead-evidence template {file} is missing; rebuild it with "
                       "`python -m ecgcore.explain.template_fit` (PTB-XL training-fold NORM records)")
    with np.load(file) as z:
        tpl, r, tfs = z["template_mV"].astype(np.float64), int(z["r_index"]), float(z["fs"])
    if fs == tfs:
        return tpl, r
    t_in = (np.arange(tpl.shape[1]) - r) / tfs
    before, after = int(np.floor(-t_in[0] * fs)), int(np.floor(t_in[-1] * fs))
    t_out = np.arange(-before, after + 1) / fs
    return np.stack([np.interp(t_out, t_in, row) for row in tpl]), before


def template_signal(rpeaks: np.ndarray, n_samples: int, fs: float, path: Path = TEMPLATE_PATH) -> np.ndarray:
    """(12, n_samples) mV: the NORM template beat of every lead placed at `rpeaks` (samples at `fs`).

    Each sample belongs to one beat: beat i from min(`TEMPLATE_BEFORE_S`, 40% of the RR before it) ahead of
    its R to the next beat's start; outside the template's window the lead sits at its baseline (0 mV)."""
    tpl, r_idx = _template_at(float(fs), str(path))
    rp = np.sort(np.asarray(rpeaks, dtype=np.int64))
    out = np.zeros((tpl.shape[0], n_samples))
    if len(rp) == 0:
        return out
    lead_in = np.minimum(r_idx, (0.4 * np.diff(rp, prepend=rp[0] - 10 * r_idx)).astype(np.int64))
    bounds = rp - lead_in
    t = np.arange(n_samples)
    owner = np.clip(np.searchsorted(bounds, t, side="right") - 1, 0, len(rp) - 1)
    offset = t - rp[owner] + r_idx
    inside = (offset >= 0) & (offset < tpl.shape[1])
    out[:, inside] = tpl[:, offset[inside]]
    return out


def replacement_signal(model: Any, prepared: PreparedInput, rpeaks: np.ndarray | None,
                       replacement: str = DEFAULT_REPLACEMENT) -> tuple[np.ndarray, str]:
    """((12, samples) at the model's rate each lead's replacement, the replacement used): the NORM template at
    `rpeaks` (samples at `prepared.fs`), or "mean" when asked or when there are no R-peaks."""
    if replacement not in REPLACEMENTS:
        raise UnknownNameError(f"unknown replacement {replacement!r}; choose one of {', '.join(REPLACEMENTS)}")
    if replacement == "template" and rpeaks is not None and len(rpeaks):
        return template_signal(rpeaks, prepared.n_samples, prepared.fs), "template"
    mean = np.asarray(model.mean_, dtype=np.float64)[:, None]
    return np.repeat(mean, prepared.n_samples, axis=1), "mean"


#: hexaxial angle of each limb lead, degrees (0 = lead I, positive downward)
LIMB_ANGLES_DEG: dict[str, float] = {"I": 0.0, "II": 60.0, "III": 120.0, "aVR": -150.0, "aVL": -30.0, "aVF": 90.0}
_LIMB = [LEADS.index(lead) for lead in LIMB_ANGLES_DEG]
_I, _II = LEADS.index("I"), LEADS.index("II")


def _frontal(signal: np.ndarray) -> np.ndarray:
    """(2, samples) frontal-plane vector (x along lead I, y downward) from leads I and II (Einthoven triangle:
    II = x/2 + (sqrt 3 / 2) y)."""
    x = signal[_I]
    return np.stack([x, (signal[_II] - x / 2) * 2 / np.sqrt(3)])


def _limb_leads(h: np.ndarray) -> np.ndarray:
    """(6, samples) I, II, III, aVR, aVL, aVF from the frontal vector (Einthoven, Goldberger)."""
    lead_i, lead_ii = h[0], h[0] / 2 + h[1] * np.sqrt(3) / 2
    return np.stack([lead_i, lead_ii, lead_ii - lead_i, -(lead_i + lead_ii) / 2, lead_i - lead_ii / 2,
                     lead_ii - lead_i / 2])


def replace_leads(signal: np.ndarray, replacement: np.ndarray, leads: Sequence[str],
                  consistent_limbs: bool = False) -> np.ndarray:
    """A copy of `signal` (12, samples) in which `leads` show `replacement` (12, samples) instead.

    Every lead in `leads` is swapped on its own (the default). consistent_limbs=True keeps Einthoven's and
    Goldberger's relations instead: the six limb leads are two signals seen from six angles, so the
    frontal-plane component along the leads' axis (the circular mean of their hexaxial angles,
    `LIMB_ANGLES_DEG`) is taken from `replacement`, the perpendicular component kept, and all six limb leads
    derived again (the lead perpendicular to the axis is unchanged: I for aVF, aVL for II, aVR for III). That
    removes what a limb lead shares with its neighbours too, so it moves NORM records twice as much (resnet1d,
    fold 9: mean |change| 0.019 against 0.009 one by one) and spreads an inferior infarct's evidence to its
    reciprocal aVL: `bench/bench_evidence.py --stability` and `--variant`."""
    out = signal.copy()
    limb = [lead for lead in leads if lead in LIMB_ANGLES_DEG]
    for lead in leads:
        if lead not in LIMB_ANGLES_DEG or not consistent_limbs:
            out[LEADS.index(lead)] = replacement[LEADS.index(lead)]
    if limb and consistent_limbs:
        angles = np.radians([LIMB_ANGLES_DEG[lead] for lead in limb])
        theta = np.arctan2(np.sin(angles).sum(), np.cos(angles).sum())
        u = np.array([np.cos(theta), np.sin(theta)])[:, None]
        h, h_new = _frontal(signal), _frontal(replacement)
        h = h + u * ((h_new - h) * u).sum(axis=0, keepdims=True)
        out[_LIMB] = _limb_leads(h)
    return out


def lead_evidence(model: Any, prepared: PreparedInput, rpeaks: np.ndarray | None,
                  replacement: str = DEFAULT_REPLACEMENT,
                  groups: Mapping[str, Sequence[str]] | None = None, consistent_limbs: bool = False,
                  probabilities: np.ndarray | None = None) -> LeadEvidence:
    """The evidence of every lead and lead group for every class (`LeadEvidence`).

    prepared: `model.prepare(ecg)`; rpeaks: R-peak samples at `prepared.fs` (the model's rate), None when no
    beats were found; groups: {name: leads} (default the `GROUPS` of `LEAD_GROUPS`); consistent_limbs: see
    `replace_leads`; probabilities: `model.predict_proba` of the prepared record when the caller has it (not
    predicted again). One `predict_proba` call on 12 + groups (+ 1) signals."""
    groups = {g: LEAD_GROUPS[g] for g in GROUPS} if groups is None else dict(groups)
    unknown = sorted({lead for leads in groups.values() for lead in leads} - set(LEADS))
    if unknown:
        raise UnknownNameError(f"unknown lead(s) {unknown} in a lead group; valid: {', '.join(LEADS)}")
    repl, used = replacement_signal(model, prepared, rpeaks, replacement)
    sig = prepared.signal.astype(np.float64)
    variants = [replace_leads(sig, repl, (lead,), consistent_limbs) for lead in LEADS] \
        + [replace_leads(sig, repl, leads, consistent_limbs) for leads in groups.values()]
    if probabilities is None:
        variants.insert(0, sig)
    probs = np.asarray(model.predict_proba(np.stack(variants).astype(np.float32)), dtype=np.float64)
    if probabilities is None:
        base, probs = probs[0], probs[1:]
    else:
        base = np.asarray(probabilities, dtype=np.float64)
    return LeadEvidence(tuple(model.classes), tuple(LEADS), tuple(groups), base,
                        base[None, :] - probs[:len(LEADS)], base[None, :] - probs[len(LEADS):], used)


def fit_norm_template(signals: np.ndarray, rpeaks: Sequence[np.ndarray], fs: float) -> np.ndarray:
    """(12, L) the median over records of each record's median beat (`TEMPLATE_BEFORE_S` before R to
    `TEMPLATE_AFTER_S` after), baseline-corrected (the line between the first and last 20 ms taken away) and
    tapered to 0 over its first and last 50 ms, so a template placed beat after beat has no steps.

    signals: (records, 12, samples) mV at `fs`, NORM records of the training folds; rpeaks: each record's R-peaks."""
    from ecgcore.signal.beats import median_beat

    meds = [median_beat(s, r, fs, TEMPLATE_BEFORE_S, TEMPLATE_AFTER_S) for s, r in zip(signals, rpeaks) if len(r) > 2]
    meds = [m for m in meds if np.isfinite(m).all()]
    if not meds:
        raise ECGError("no record gave a median beat; the template needs NORM records with beats")
    tpl = np.median(np.stack(meds), axis=0)
    edge = max(1, int(round(0.02 * fs)))
    a, b = tpl[:, :edge].mean(axis=1), tpl[:, -edge:].mean(axis=1)
    tpl = tpl - (a[:, None] + (b - a)[:, None] * np.linspace(0, 1, tpl.shape[1])[None, :])
    taper = int(round(0.05 * fs))
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, taper))
    tpl[:, :taper] *= ramp
    tpl[:, -taper:] *= ramp[::-1]
    return tpl


def template_provenance(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """What the shipped template was fitted on (its .json beside the .npz)."""
    meta = path.with_suffix(".json")
    return json.loads(meta.read_text()) if meta.exists() else {}
