"""Label statistics the synthetic corpus copies from PTB-XL (Wagner et al., Sci. Data 2020, v1.0.1/1.0.2).

Counts are per 21,837 records. Superclass combinations are chosen so that the marginals equal PTB-XL's
exactly (NORM 9,528, MI 5,486, STTC 5,250, CD 4,907, HYP 2,655); statement weights within a superclass and
rhythm/form frequencies follow the statement counts PTB-XL publishes (rounded).
"""
from __future__ import annotations

PTBXL_RECORDS = 21837
PTBXL_SUPERCLASS_COUNTS: dict[str, int] = {"NORM": 9528, "MI": 5486, "STTC": 5250, "CD": 4907, "HYP": 2655}

#: superclass combination -> records (of 21,837); () = only rhythm/form statements.
COMBOS: dict[tuple[str, ...], int] = {
    ("NORM",): 9069, ("NORM", "CD"): 407, ("NORM", "STTC"): 28, ("NORM", "HYP"): 24,
    ("MI",): 2493, ("STTC",): 2400, ("CD",): 1708, ("HYP",): 535,
    ("MI", "CD"): 1297, ("STTC", "HYP"): 840, ("MI", "STTC"): 744, ("MI", "HYP"): 222,
    ("CD", "STTC"): 471, ("CD", "HYP"): 316, ("MI", "STTC", "HYP"): 233, ("MI", "CD", "STTC"): 223,
    ("CD", "STTC", "HYP"): 211, ("MI", "CD", "HYP"): 174, ("MI", "CD", "STTC", "HYP"): 100, (): 342,
}

#: diagnostic statement -> PTB-XL record count, grouped by superclass (weights for sampling within a class).
STATEMENTS: dict[str, dict[str, int]] = {
    "MI": {"IMI": 2685, "ASMI": 2363, "ILMI": 479, "AMI": 354, "ALMI": 290, "INJAS": 215, "LMI": 201,
           "INJAL": 148, "IPLMI": 51, "IPMI": 33, "INJIN": 18, "INJLA": 17, "PMI": 17, "INJIL": 15},
    "STTC": {"NDT": 1829, "ISC_": 1275, "NST_": 770, "ISCAL": 660, "ISCIN": 219, "DIG": 181, "ISCIL": 179,
             "ISCAS": 170, "ISCLA": 142, "LNGQT": 118, "ANEUR": 104, "EL": 97, "ISCAN": 44},
    "CD": {"LAFB": 1626, "IRBBB": 1118, "1AVB": 797, "IVCD": 789, "CRBBB": 542, "CLBBB": 536, "LPFB": 177,
           "WPW": 80, "ILBBB": 77, "3AVB": 16, "2AVB": 14},
    "HYP": {"LVH": 2137, "LAO/LAE": 427, "RVH": 126, "RAO/RAE": 99, "SEHYP": 30},
    "NORM": {"NORM": 9528},
}
SUPERCLASS_OF: dict[str, str] = {s: c for c, group in STATEMENTS.items() for s in group}

#: probability of 1, 2, 3 statements of the same superclass in one record (PTB-XL averages ~1.1-1.3).
N_STATEMENTS: dict[str, tuple[float, ...]] = {
    "MI": (0.76, 0.21, 0.03), "STTC": (0.90, 0.10), "CD": (0.83, 0.16, 0.01), "HYP": (0.94, 0.06), "NORM": (1.0,),
}

#: statements that cannot coexist in one record (each set: at most one member).
EXCLUSIVE: tuple[frozenset[str], ...] = (
    frozenset({"CLBBB", "CRBBB", "IRBBB", "ILBBB", "IVCD", "WPW"}),
    frozenset({"CLBBB", "LAFB", "LPFB"}),
    frozenset({"LAFB", "LPFB", "WPW"}),
    frozenset({"1AVB", "2AVB", "3AVB", "WPW"}),
    frozenset({"DIG", "LNGQT"}),
    frozenset({"LVH", "RVH"}),
    frozenset({"IMI", "ILMI", "IPLMI", "IPMI", "INJIN", "INJIL"}),
    frozenset({"ASMI", "AMI", "ALMI", "INJAS", "INJAL", "ANEUR"}),
    frozenset({"LMI", "ALMI", "ILMI", "INJLA", "INJAL", "INJIL"}),
)

#: rhythm statement -> share of records (PTB-XL: SR 16,782, AFIB 1,514, STACH 826, SARRH 772, SBRAD 637).
RHYTHMS: dict[str, float] = {"SR": 0.829, "AFIB": 0.069, "STACH": 0.038, "SARRH": 0.035, "SBRAD": 0.029}
#: AFIB is more likely in these superclasses (odds multipliers), NORM far less.
AFIB_ODDS: dict[str, float] = {"NORM": 0.08, "MI": 1.0, "STTC": 1.5, "CD": 1.3, "HYP": 2.0}

#: PVCs in 5.2% of PTB-XL records, PACs in 1.8%.
P_PVC = 0.052
P_PAC = 0.018

#: age (mean, sd) in years per superclass; the record's age uses its first non-NORM class.
AGE: dict[str, tuple[float, float]] = {"NORM": (49.0, 17.0), "MI": (66.0, 11.5), "STTC": (63.0, 14.0),
                                       "CD": (64.0, 15.0), "HYP": (66.0, 12.5), "": (68.0, 14.0)}
#: share of males per superclass (PTB-XL: 52% overall, MI ~70%).
MALE: dict[str, float] = {"NORM": 0.45, "MI": 0.70, "STTC": 0.47, "CD": 0.60, "HYP": 0.57, "": 0.55}

#: MI territory of each MI statement (and the ST-T / injury statements), used by the lesion models.
TERRITORY: dict[str, str] = {
    "IMI": "inferior", "ILMI": "inferolateral", "IPLMI": "inferolateral", "IPMI": "inferior", "PMI": "posterior",
    "ASMI": "anteroseptal", "AMI": "anterior", "ALMI": "anterolateral", "LMI": "lateral",
    "INJAS": "anteroseptal", "INJAL": "anterolateral", "INJIN": "inferior", "INJLA": "lateral",
    "INJIL": "inferolateral", "ANEUR": "anterior",
    "ISCAL": "anterolateral", "ISCAS": "anteroseptal", "ISCLA": "lateral", "ISCAN": "anterior",
    "ISCIN": "inferior", "ISCIL": "inferolateral",
}
