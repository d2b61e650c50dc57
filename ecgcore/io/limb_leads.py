"""Limb-lead consistency: do the recorded limb leads obey Einthoven's and Goldberger's equations?

The six limb leads come from three electrodes, so any two determine the other four:
III = II - I, aVR = -(I + II)/2, aVL = I - II/2, aVF = II - I/2 (`ecgcore.core.leads.derive_limb_leads`). A record
whose limb leads break these equations has its rows in another order than its names say (e.g. a PTB-XL array
saved as I, II, V1-V6, III, aVR, aVL, aVF and read as I, II, III, aVR, ...): predicting on it would be predicting
on a shuffled record.

The test per equation is the relative residual `rms(recorded - expected) / rms(expected)`, after removing each
lead's mean, median over `PIECE_S`-second pieces of at most the first `WINDOW_S` seconds. Real recordings obey the equations to a few percent
(carts compute III, aVR, aVL and aVF from I and II; independently amplified limb leads differ by noise);
a lead in the wrong place gives a residual near or above 1. `MAX_RESIDUAL` sits between the two; the figures
over every real 12-lead record under the data root are printed by `bench/bench_cases.py --limb`.
Flat leads (electrode off) are not tested: they carry no evidence either way.
"""
from __future__ import annotations

from itertools import permutations
from typing import Mapping, Sequence

import numpy as np

from ecgcore.core.errors import ECGReadError
from ecgcore.core.leads import LEADS, derive_limb_leads, limb_bases

#: relative residual above which an equation is broken (real records: at most 0.33, PTB-XL 00162 aVR; a misplaced
#: lead: about 1 or more)
MAX_RESIDUAL = 0.5
#: seconds of signal tested (the start of the record)
WINDOW_S = 60.0
#: seconds searched for an order that fits
PROPOSE_S = 10.0
#: the residual is the median over pieces of this many seconds
PIECE_S = 2.0
#: a lead whose range is below this (mV) is flat and not tested
FLAT_MV = 0.01
_LIMB = ("I", "II", "III", "aVR", "aVL", "aVF")


class LeadOrderError(ECGReadError):
    """The limb leads break the equations in the order the rows were named; `proposed_order` is the one order
    that fits the file's rows (None when no single order does)."""

    def __init__(self, message: str, proposed_order: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.proposed_order = proposed_order


def _centred(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x - x.mean()


def _residual(recorded: np.ndarray, expected: np.ndarray, step: int | None = None) -> float:
    """Median over `step`-sample pieces of rms(recorded - expected) / rms(expected): a short stretch that breaks
    the equations on its own (a calibration pulse at the end of an export, an electrode artefact) does not
    decide it."""
    step = step or len(recorded)
    values = []
    for start in range(0, max(1, len(recorded) - step // 2), step):
        r, e = recorded[start:start + step], expected[start:start + step]
        scale = max(float(np.sqrt(np.mean(e ** 2))), float(np.sqrt(np.mean(r ** 2))) * 0.5, 1e-6)
        values.append(float(np.sqrt(np.mean((r - e) ** 2)) / scale))
    return float(np.median(values))


def _live(leads: Mapping[str, np.ndarray], fs: float) -> dict[str, np.ndarray]:
    n = int(min(len(v) for v in leads.values())) if leads else 0
    n = min(n, int(WINDOW_S * fs))
    return {k: _centred(v[:n]) for k, v in leads.items()
            if k in _LIMB and n > 0 and float(np.ptp(v[:n])) >= FLAT_MV}


def limb_residuals(leads: Mapping[str, np.ndarray], fs: float) -> dict[str, float]:
    """Relative residual (dimensionless) of each testable equation, keyed by the lead it predicts.

    `leads`: recorded leads by canonical name (mV, same length). Needs two of I, II, III to test anything;
    flat leads are left out. Returns {} when nothing can be tested.
    """
    live = _live(leads, fs)
    bases = limb_bases(live)
    if bases is None:
        return {}
    lead_i, lead_ii, base = bases
    expected = {"I": lead_i, "II": lead_ii, **derive_limb_leads(lead_i, lead_ii)}
    step = max(1, int(PIECE_S * fs))
    return {lead: _residual(live[lead], expected[lead], step) for lead in _LIMB if lead in live and lead not in base}


#: sign of the coefficients of I and II in each limb lead (Einthoven/Goldberger)
_SIGNS = {"I": (1, 0), "II": (0, 1), "III": (-1, 1), "aVR": (-1, -1), "aVL": (1, -1), "aVF": (-1, 1)}
#: relative residual of a least-squares fit from I and II below which a lead has the right shape
MAX_SHAPE_RESIDUAL = 0.15


def consistent_in_shape(leads: Mapping[str, np.ndarray], fs: float) -> bool:
    """True when every recorded limb lead is a combination of I and II with the signs the equations give,
    whatever its scale: the leads are in the right places, only their gains disagree.

    Real records with per-lead gains that do not match (LUDB stores each lead with its own gain, and its limb
    leads obey the equations only up to a factor per lead) pass here and fail `limb_residuals`.
    """
    live = _live(leads, fs)
    bases = limb_bases(live)
    if bases is None:
        return True
    lead_i, lead_ii, base = bases
    basis = np.stack([lead_i, lead_ii], axis=1)
    for lead in _LIMB:
        if lead not in live or lead in base:
            continue
        coef, *_ = np.linalg.lstsq(basis, live[lead], rcond=None)
        fit = basis @ coef
        scale = max(float(np.sqrt(np.mean(live[lead] ** 2))), 1e-6)
        if float(np.sqrt(np.mean((live[lead] - fit) ** 2))) / scale > MAX_SHAPE_RESIDUAL:
            return False
        if any(sign and np.sign(c) != sign for c, sign in zip(coef, _SIGNS[lead])):
            return False
    return True


def propose_order(rows: np.ndarray, fs: float, names: Sequence[str] = LEADS) -> tuple[str, ...] | None:
    """A lead order for the 12 rows of `rows` (12, samples) in which the limb leads are consistent, or None.

    Searches every pair of rows as (I, II) for four other rows that match III, aVR, aVL and aVF; the six rows
    left are taken as V1-V6 in the order they are stored. Returns the order only when exactly one assignment
    fits, so a proposal is never a guess among several.
    """
    if rows.shape[0] != len(LEADS):
        return None
    n = min(rows.shape[1], int(PROPOSE_S * fs))
    x = np.stack([_centred(r[:n]) for r in rows])
    fits: list[tuple[str, ...]] = []
    for a, b in permutations(range(len(x)), 2):
        expected = derive_limb_leads(x[a], x[b])
        chosen = {a: "I", b: "II"}
        for lead in ("III", "aVR", "aVL", "aVF"):
            matches = [r for r in range(len(x)) if r not in chosen and _residual(x[r], expected[lead]) <= MAX_RESIDUAL]
            if len(matches) != 1:
                break
            chosen[matches[0]] = lead
        else:
            precordial = iter(("V1", "V2", "V3", "V4", "V5", "V6"))
            fits.append(tuple(chosen.get(r) or next(precordial) for r in range(len(x))))
    return fits[0] if len(fits) == 1 else None


def describe_order(order: Sequence[str]) -> str:
    """`I, II, V1-V6, III, aVR, aVL, aVF`: an order in words, runs of precordial leads shortened."""
    parts: list[str] = []
    i = 0
    while i < len(order):
        j = i
        while (j + 1 < len(order) and order[j].startswith("V") and order[j + 1].startswith("V")
               and int(order[j + 1][1:]) == int(order[j][1:]) + 1):
            j += 1
        parts.append(f"{order[i]}-{order[j]}" if j - i >= 2 else ", ".join(order[i:j + 1]))
        i = j + 1
    return ", ".join(parts)


def assess(leads: Mapping[str, np.ndarray], fs: float) -> tuple[str, dict[str, float]]:
    """("consistent" | "gains differ" | "inconsistent" | "not testable", residual per tested lead).

    "gains differ": the leads are in their places but their amplitudes disagree (see `consistent_in_shape`).
    """
    residuals = limb_residuals(leads, fs)
    if not residuals:
        return "not testable", residuals
    if max(residuals.values()) <= MAX_RESIDUAL:
        return "consistent", residuals
    return ("gains differ" if consistent_in_shape(leads, fs) else "inconsistent"), residuals
