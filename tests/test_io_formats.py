"""Clinical ECG formats on every real sample file under the data root's `formats/` folder (see its SOURCE.md):
GE MUSE XML, Philips XML, DICOM waveform, HL7 aECG and SCP-ECG. Known values are the ones SOURCE.md lists
(raw samples, rates, lengths, cart measurements), read through `read_upload` as a user's upload would be.

Where SOURCE.md's Philips PR/QRS/QT differ from ours, SOURCE.md took lead I's per-lead values; the cart's global
measurements (what the cart prints) are asserted here, as the file stores them in its interpretation block.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecgcore.core import settings
from ecgcore.core.errors import ECGError, ECGReadError
from ecgcore.io import read_upload
from ecgcore.io.sniff import sniff
from ecgcore.core.leads import LEADS


def formats_root() -> Path:
    root = settings.resolve().source("formats")  # raises, naming ECG_DATA_ROOT, when there is no data root
    if not root.is_dir():
        raise AssertionError(f"{root} is missing: set ECG_DATA_ROOT to the data root that holds formats/")
    return root


def read(rel: str, as_name: str | None = None):
    path = formats_root() / rel
    return read_upload({as_name or path.name: path.read_bytes()})


def raw(ecg, lead: str, per_unit_uv: float, n: int = 10) -> list[int]:
    """The first `n` samples of a lead as the file's integers (mV back to units of `per_unit_uv` µV)."""
    return [int(v) for v in np.round(ecg.lead(lead)[:n] * 1000 / per_unit_uv)]


# file -> (rate, samples, recorded-lead derivation, lead I raw[0:10], µV per unit, cart measurements)
MUSE = {
    "braveheart_example1.xml": ([-20, -20, -20, -20, -18, -16, -14, -12, -14, -16], dict(HR=48, PR=138, QRS=96, QT=452, QTc=403, P_axis=51, QRS_axis=20, T_axis=40)),
    "braveheart_example2.xml": ([2, 2, 2, 2, 1, 0, -1, -2, -4, -4], dict(HR=65, PR=184, QRS=100, QT=420, QTc=437, P_axis=42, QRS_axis=-2, T_axis=12)),
    "braveheart_example3.xml": ([-12, -12, -12, -12, -13, -14, -15, -16, -16, -16], dict(HR=59, PR=164, QRS=106, QT=436, QTc=432, P_axis=44, QRS_axis=20, T_axis=14)),
    "easyrecg_muse_ecg1.xml": ([32, 32, 32, 32, 34, 34, 34, 34, 35, 36], dict(HR=60, PR=158, QRS=78, QT=364, QTc=364, P_axis=49, QRS_axis=54, T_axis=46)),
    "easyrecg_muse_ecg2.xml": ([-10, -10, -10, -10, -8, -8, -8, -8, -8, -8], dict(HR=60, PR=158, QRS=80, QT=366, QTc=366, P_axis=49, QRS_axis=55, T_axis=48)),
    "egm_muse-sinus.xml": ([-2, -1, -1, -1, 1, 1, 1, 1, 0, 0], dict(HR=90, PR=144, QRS=86, QT=402, QTc=491, P_axis=48, QRS_axis=0, T_axis=111)),
}


@pytest.mark.parametrize("name", sorted(MUSE))
def test_muse_xml(name):
    ecg = read(f"muse_xml/{name}")
    first, cart = MUSE[name]
    assert ecg.meta["format"] == "muse_xml"
    assert (ecg.fs, ecg.n_samples, ecg.leads) == (500.0, 5000, LEADS)
    assert ecg.derived == ("III", "aVR", "aVL", "aVF")
    assert raw(ecg, "I", 4.88) == first
    i, ii = ecg.lead("I"), ecg.lead("II")
    np.testing.assert_allclose(ecg.lead("III"), ii - i, atol=1e-6)
    np.testing.assert_allclose(ecg.lead("aVR"), -(i + ii) / 2, atol=1e-6)
    assert ecg.meta["cart_measurements"] == {k: float(v) for k, v in cart.items()}


def test_muse_statements_join_fragments_and_demographics():
    ecg = read("muse_xml/egm_muse-sinus.xml")
    assert ecg.meta["cart_statements"][:4] == [
        "Normal Sinus rhythm", "Anterior infarct, age undetermined", "T wave abnormality, consider lateral ischemia",
        "Abnormal ECG"]
    assert ecg.meta["cart_statements"][4].startswith("When compared with ECG of 30-MAR-2023 09:09")
    assert (ecg.age, ecg.sex, ecg.meta["acquired"]) == (43.0, "M", "2023-04-29T22:41:16")
    assert "cart_statements" not in read("muse_xml/braveheart_example1.xml").meta  # no Diagnosis block


PHILIPS = {  # file -> (lead I..V6 at sample 2750 in 5 µV units, cart measurements)
    "129DYPRG.XML": ([-9, -17, -7, 13, -1, -12, 0, -1, -3, -4, -7, -6],
                     dict(HR=41, PR=151, QRS=135, QT=476, QTc=393, P_axis=66, QRS_axis=-21, T_axis=59)),
    "repbeats_example.xml": ([-9, -17, -7, 13, -1, -12, 0, -1, -3, -4, -7, -6],
                             dict(HR=41, PR=151, QRS=135, QT=476, QTc=393, P_axis=66, QRS_axis=-21, T_axis=59)),
    "3191723_ZZDEMOPTONLY_1-04_orig.xml": ([-11, -54, -43, 33, 16, -50, 7, -4, -14, -41, -35, -33],
                                           dict(HR=84, PR=144, QRS=84, QT=352, QTc=417, P_axis=81, QRS_axis=78, T_axis=67)),
    "ad4d3d80-d165_1-04_orig.xml": ([32, 46, 14, -39, 9, 30, -74, 320, -1633, 197, 26, 55],
                                    dict(HR=41, PR=144, QRS=102, QT=564, QTc=466, P_axis=19, QRS_axis=85, T_axis=53)),
    "2020-5-18_15-48-11.xml": ([-12, 78, 90, -33, -51, 84, 14, 3, -24, -20, -13, -21],
                               dict(HR=64, PR=164, QRS=102, QT=399, QTc=412, P_axis=27, QRS_axis=22, T_axis=80)),
}


@pytest.mark.parametrize("name", sorted(PHILIPS))
def test_philips_xml(name):
    """Midpoints are the values sierra-ecg-tools' own tests expect; III/aVR/aVL/aVF are rebuilt, not residuals."""
    ecg = read(f"philips_xml/{name}")
    mid, cart = PHILIPS[name]
    assert ecg.meta["format"] == "philips_xml"
    # 11 s stored; the 1 mV calibration pulse and padding after the ECG (every lead equal) are left out
    assert (ecg.fs, ecg.leads, ecg.derived) == (500.0, LEADS, ())
    assert 5250 <= ecg.n_samples <= 5350
    assert any("calibration pulse" in note for note in ecg.meta["notes"])
    assert [int(v) for v in np.round(ecg.signal[:, 2750] * 200)] == mid
    # rebuilt limb leads obey Einthoven within rounding (the stored residuals would not)
    assert np.abs(ecg.lead("III") - (ecg.lead("II") - ecg.lead("I"))).max() <= 0.0101
    assert ecg.meta["cart_measurements"] == {k: float(v) for k, v in cart.items()}


def test_philips_statements_and_demographics():
    ecg = read("philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml")
    assert ecg.meta["cart_statements"] == ["SINUS RHYTHM — normal P axis, V-rate 60-99",
                                           "PROBABLE LEFT VENTRICULAR HYPERTROPHY — (RaVL+SV3)xQRSd >280",
                                           "ANTERIOR ST ELEVATION, PROBABLY DUE TO LVH — ST >0.20 mV in V1-V4 & LVH",
                                           "ABNORMAL ECG"]
    assert (ecg.sex, ecg.age, ecg.meta["acquired"]) == ("M", 60.0, "2010-01-19T15:19:22")
    ecg = read("philips_xml/129DYPRG.XML")
    assert ecg.meta["cart_statements"][0] == "Sinus bradycardia — rate< 50"
    assert "Inferior infarct, acute (LCx) — ST>0.10mV, II III aVF, STd V1-V3" in ecg.meta["cart_statements"]
    assert ecg.meta["cart_statements"][-1] == "ABNORMAL ECG"


def test_philips_xli_decoder_against_the_aecg_export_of_the_same_ecg():
    """The aECG conversion stores the same ECG uncompressed; the two agree within 20 µV at every sample
    (4 units of 5 µV; most samples identical; correlation > 0.99 per lead), so the XLI decoding and the limb-lead rebuild are right."""
    philips = read("philips_xml/ad4d3d80-d165_1-04_orig.xml")
    aecg = read("hl7_aecg/ad4d3d80-d165_1-04_converted.xml")
    n = philips.n_samples  # the Philips file ends in a calibration pulse (left out); the aECG does not
    assert aecg.n_samples == 5500 and 5250 <= n <= 5350
    ours, theirs = philips.signal, aecg.signal[:, :n]
    assert np.abs(ours - theirs).max() <= 0.0201
    assert np.mean(np.isclose(ours, theirs, atol=1e-4)) > 0.5
    for k in range(12):
        assert np.corrcoef(ours[k], theirs[k])[0, 1] > 0.99


def test_dicom_12_lead_at_1khz():
    ecg = read("dicom/pydicom_waveform_ecg.dcm")
    assert (ecg.fs, ecg.n_samples, ecg.derived) == (1000.0, 10000, ())
    assert raw(ecg, "I", 1.25, 5) == [80, 65, 50, 35, 37]
    assert raw(ecg, "II", 1.25, 5) == [90, 85, 80, 75, 77]
    assert raw(ecg, "III", 1.25, 5) == [10, 20, 30, 40, 40]
    np.testing.assert_allclose(ecg.lead("I")[:5] * 1000, [100, 81.25, 62.5, 43.75, 46.25], atol=1e-3)
    # the file codes RR 982 ms, no heart rate: the cart's rate is 60000 / 982 = 61.1 /min
    assert ecg.meta["cart_measurements"] == dict(HR=61.1, PR=161.0, QRS=75.0, QT=368.0, QTc=370.0, P_axis=74.0,
                                                 QRS_axis=52.0, T_axis=57.0)
    assert ecg.meta["cart_statements"] == ["RITMO SINUSALE", "ECG NORMALE"]
    assert (ecg.sex, ecg.age) == ("F", 42.0)


def test_dicom_hemodynamic_sop_class_with_ecg_leads_in_mv():
    ecg = read("dicom/dcm-waveform_test_ecg.dcm")
    assert (ecg.fs, ecg.n_samples, ecg.derived) == (240.0, 2400, ())
    np.testing.assert_allclose(ecg.lead("I")[:5], np.array([186, 186, 174, 168, 156]) * 0.00122, atol=1e-6)
    np.testing.assert_allclose(ecg.lead("II")[:3], np.array([48, 48, 46]) * 0.00122, atol=1e-6)
    np.testing.assert_allclose(ecg.lead("III")[:3], np.array([-138, -138, -128]) * 0.00122, atol=1e-6)
    assert ecg.meta["cart_measurements"] == {"HR": 69.0}
    assert any("Hemodynamic" in note for note in ecg.meta["notes"])


AECG = {  # file -> (rate, samples, µV per digit, lead I digits[0:10])
    "hl7_example_aECG.xml": (500.0, 5000, 2.5, [-2, -2, -2, -2, -3, -4, -3, -5, -5, -4]),
    "ad4d3d80-d165_1-04_converted.xml": (500.0, 5500, 5.0, [10, 9, 9, 9, 10, 9, 9, 9, 10, 9]),
    "liryc_hl7aecg_example.xml": (100.0, 1000, 5.0, [-42, -40, -38, -41, -39]),
}


@pytest.mark.parametrize("name", sorted(AECG))
def test_hl7_aecg(name):
    fs, n, scale, first = AECG[name]
    ecg = read(f"hl7_aecg/{name}")
    assert (ecg.meta["format"], ecg.fs, ecg.n_samples, ecg.leads, ecg.derived) == ("hl7_aecg", fs, n, LEADS, ())
    assert raw(ecg, "I", scale, len(first)) == first


def test_hl7_aecg_maps_leads_by_code_and_reads_annotations():
    ecg = read("hl7_aecg/hl7_example_aECG.xml")  # stored I, II, V1-V6, III, aVR, aVL, aVF
    assert (ecg.sex, ecg.age, ecg.meta["acquired"]) == ("M", 46.0, "2002-11-22T09:10:00")  # "Reported Age" 46
    np.testing.assert_allclose(ecg.lead("III"), ecg.lead("II") - ecg.lead("I"), atol=0.0051)
    assert ecg.meta["cart_measurements"] == dict(PR=148.0, QRS=120.0, QT=420.0, QTc=443.0, P_axis=44.0,
                                                 QRS_axis=-61.0, T_axis=86.0)
    converted = read("hl7_aecg/ad4d3d80-d165_1-04_converted.xml")
    assert converted.meta["cart_statements"] == ["(SB) SINUS BRADYCARDIA, V-rate<60",
                                                 "(NPTA) NO PREVIOUS TRACING AVAILABLE FOR COMPARISON"]
    assert converted.meta["cart_measurements"]["HR"] == 41.0
    liryc = read("hl7_aecg/liryc_hl7aecg_example.xml")
    assert liryc.meta["cart_measurements"] == dict(HR=57.0, PR=192.0, QRS=88.0, QT=418.0)
    assert liryc.meta["cart_statements"][0] == "Rythme sinusal avec ESA"


def test_scp_huffman_second_differences_equal_the_aecg_digits():
    """Example.scp is the HL7 example ECG converted to SCP-ECG: every decoded sample equals the aECG's."""
    scp = read("scp_ecg/Example.scp")
    aecg = read("hl7_aecg/hl7_example_aECG.xml")
    assert (scp.fs, scp.n_samples, scp.derived) == (500.0, 5000, ())
    assert raw(scp, "I", 2.5) == [-2, -2, -2, -2, -3, -4, -3, -5, -5, -4]
    np.testing.assert_array_equal(scp.signal, aecg.signal)


def test_scp_raw_samples_with_eight_leads():
    ecg = read("scp_ecg/demo.scp")
    assert (ecg.fs, ecg.n_samples) == (1000.0, 10000)
    assert ecg.derived == ("III", "aVR", "aVL", "aVF")
    assert ecg.meta["format"] == "scp_ecg"
    span = np.ptp(ecg.signal, axis=1)
    assert 0.3 < float(np.median(span)) < 5  # 183 nV per unit gives millivolt-sized leads


ALL_FILES = [f"{folder}/{name}" for folder, names in
             {"muse_xml": MUSE, "philips_xml": PHILIPS, "hl7_aecg": AECG}.items() for name in names] + \
            ["dicom/pydicom_waveform_ecg.dcm", "dicom/dcm-waveform_test_ecg.dcm", "scp_ecg/Example.scp",
             "scp_ecg/demo.scp"]


@pytest.mark.parametrize("rel", ALL_FILES)
@pytest.mark.parametrize("as_name", ["record.txt", "record", "record.csv", "RECORD.DAT"])
def test_content_sniffing_beats_a_wrong_or_missing_extension(rel, as_name):
    right = read(rel)
    wrong = read(rel, as_name=as_name)
    assert wrong.meta["format"] == right.meta["format"]
    np.testing.assert_array_equal(wrong.signal, right.signal)


def test_sniff_names_each_format():
    expected = {"muse_xml": "muse_xml", "philips_xml": "philips_xml", "hl7_aecg": "hl7_aecg", "dicom": "dicom",
                "scp_ecg": "scp_ecg"}
    for rel in ALL_FILES:
        assert sniff((formats_root() / rel).read_bytes()) == expected[rel.split("/")[0]], rel


NAMES = {"muse_xml/egm_muse-sinus.xml": ["JOHN", "DOE", "081486213"],
         "muse_xml/easyrecg_muse_ecg1.xml": ["TEST 05"],
         "philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml": ["ZZDEMOPTONLY"],
         "dicom/dcm-waveform_test_ecg.dcm": ["Patient^Test"],
         "dicom/pydicom_waveform_ecg.dcm": ["Anonymous"],
         "hl7_aecg/hl7_example_aECG.xml": ["Clark", "SBJ-123"],
         "scp_ecg/Example.scp": ["Clark", "SBJ-123"],
         "scp_ecg/demo.scp": ["Patient Demo", "12-678-QW"]}


@pytest.mark.parametrize("rel", sorted(NAMES))
def test_patient_name_and_id_never_kept(rel):
    ecg = read(rel)
    shown = repr((ecg.record_id, ecg.meta, ecg.summary())).lower()
    for ident in NAMES[rel]:
        assert ident.lower() not in shown


@pytest.mark.parametrize("rel", ["philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml", "muse_xml/egm_muse-sinus.xml",
                                 "scp_ecg/Example.scp", "dicom/dcm-waveform_test_ecg.dcm"])
def test_errors_on_damaged_files_never_echo_the_patient(rel):
    data = (formats_root() / rel).read_bytes()
    damaged = data[: len(data) * 2 // 3]
    with pytest.raises(ECGError) as info:
        read_upload({Path(rel).name: damaged})
    message = str(info.value)
    for ident in ("ZZDEMOPTONLY", "JOHN", "DOE", "081486213", "Clark", "SBJ-123"):
        assert ident.lower() not in message.lower()


def test_wrong_kind_of_xml_and_dicom_get_a_clear_message():
    with pytest.raises(ECGReadError, match="not an ECG format this app reads"):
        read_upload({"a.xml": b"<?xml version='1.0'?><html><body/></html>"})
    with pytest.raises(ECGReadError, match="not a DICOM file"):
        read_upload({"a.dcm": b"not dicom at all" * 20})
    data = (formats_root() / "muse_xml/egm_muse-sinus.xml").read_bytes()
    head, tail = data.rsplit(b"<LeadDataCRC32>", 1)  # the last lead of the Rhythm waveform
    tampered = head + b"<LeadDataCRC32>1" + tail
    with pytest.raises(ECGReadError, match="CRC32"):
        read_upload({"a.xml": tampered})


# --- SCP-ECG beyond the two sample files: the record's own Huffman tables, reference-beat subtraction ---

def scp_record(bodies: dict[int, bytes]) -> bytes:
    """An SCP-ECG record from section bodies {id: bytes}: Section 0 pointers, 16-byte headers, length and CRC."""
    import binascii
    import struct

    ids = sorted(bodies)
    section0_length = 16 + 10 * (len(ids) + 1)
    index = 7 + section0_length  # 1-based: 6 bytes of record header, then Section 0
    pointers, blobs = [struct.pack("<HII", 0, section0_length, 7)], []
    for sid in ids:
        length = 16 + len(bodies[sid])
        pointers.append(struct.pack("<HII", sid, length, index))
        blobs.append(struct.pack("<HHI", 0, sid, length) + b"\x14\x14SCPECG" + bodies[sid])
        index += length
    section0 = struct.pack("<HHI", 0, 0, section0_length) + b"\x14\x14SCPECG" + b"".join(pointers)
    record = section0 + b"".join(blobs)
    record = struct.pack("<I", len(record) + 6) + record
    return struct.pack("<H", binascii.crc_hqx(record, 0xFFFF)) + record


def scp_sections(data: bytes) -> dict[int, bytes]:
    from ecgcore.io import scp_ecg

    return {sid: scp_ecg._section(data, pointer, sid) for sid, pointer in scp_ecg._pointers(data).items() if sid}


def test_scp_reference_beat_and_global_measurements_match_the_aecg():
    """Section 5's reference beat decodes to the aECG's representative beat; Section 7 gives its measurements."""
    import struct

    from defusedxml import ElementTree

    from ecgcore.io import scp_ecg

    data = (formats_root() / "scp_ecg/Example.scp").read_bytes()
    sections = scp_sections(data)
    tables = scp_ecg._huffman_tables(data, scp_ecg._pointers(data)[2])
    avm, interval, difference = struct.unpack_from("<HHB", sections[5])
    sizes = struct.unpack_from("<12H", sections[5], 6)
    beats = scp_ecg._decode_leads(sections[5], 30, sizes, [599] * 12, tables, difference, "Section 5")
    root = ElementTree.fromstring((formats_root() / "hl7_aecg/hl7_example_aECG.xml").read_bytes())
    ns = "{urn:hl7-org:v3}"
    beat_set = list(root.iter(f"{ns}sequenceSet"))[1]
    lead_i = next(s for s in beat_set.iter(f"{ns}sequence") if s.find(f"{ns}code").get("code") == "MDC_ECG_LEAD_I")
    digits = [int(v) for v in lead_i.find(f"{ns}value/{ns}digits").text.split()]
    assert (avm, interval, len(digits)) == (2500, 2000, 599)
    assert beats[0].astype(int).tolist() == digits
    assert read("scp_ecg/Example.scp").meta["cart_measurements"] == dict(
        PR=148.0, QRS=120.0, QT=420.0, P_axis=44.0, QRS_axis=-61.0, T_axis=86.0)  # the aECG's annotations


def test_scp_with_its_own_huffman_table_decodes_the_same():
    """Example.scp rewritten with the default table spelled out as the record's own table (Section 2 entries:
    prefix bits, total bits, mode, base value, base code) decodes to the same samples."""
    import struct

    from ecgcore.io.scp_ecg import DEFAULT_TABLE

    data = (formats_root() / "scp_ecg/Example.scp").read_bytes()
    sections = scp_sections(data)
    sections[2] = struct.pack("<HH", 1, len(DEFAULT_TABLE)) + b"".join(struct.pack("<BBBhI", *e) for e in DEFAULT_TABLE)
    rebuilt = read_upload({"own_table.scp": scp_record(sections)})
    np.testing.assert_array_equal(rebuilt.signal, read("scp_ecg/Example.scp").signal)


def test_scp_reference_beat_subtraction_is_undone():
    """A record whose rhythm is stored as residuals (the reference beat subtracted around three QRS complexes,
    Sections 4 and 5, raw int16) reads back to the original samples exactly. Built from Example.scp's real
    rhythm and reference beat; the index conventions are those of EN 1064 (1-based samples)."""
    import struct

    ecg = read("scp_ecg/Example.scp")
    rhythm = np.round(ecg.signal[[0, 1, 6, 7, 8, 9, 10, 11]] * 400).astype(np.int64)  # 2.5 µV units, 8 leads
    codes = [1, 2, 3, 4, 5, 6, 7, 8]
    beat = rhythm[:, 1000:1599].copy()  # any 599-sample beat (1198 ms at 500 Hz)
    fiducial = 200  # 1-based sample of the beat's fiducial
    complexes = [(0, 1601, 1800, 2000), (1, 2500, 2600, 2700), (0, 3801, 4000, 4100)]  # type, start, fid, end
    residual = rhythm.copy()
    for kind, start, fid, end in complexes:
        if kind == 0:
            m0 = fiducial - fid + start - 1
            residual[:, start - 1:end] -= beat[:, m0:m0 + end - start + 1]
    lead_def = struct.pack("<BB", 8, 0x05) + b"".join(struct.pack("<IIB", 1, 5000, c) for c in codes)
    qrs = struct.pack("<HHH", 1198, fiducial, len(complexes)) + b"".join(struct.pack("<HIII", *c) for c in complexes)
    section5 = struct.pack("<HHBB", 2500, 2000, 0, 0) + struct.pack("<8H", *[599 * 2] * 8) + \
        b"".join(b.astype("<i2").tobytes() for b in beat)
    section6 = struct.pack("<HHBB", 2500, 2000, 0, 0) + struct.pack("<8H", *[5000 * 2] * 8) + \
        b"".join(r.astype("<i2").tobytes() for r in residual)
    data = scp_record({3: lead_def, 4: qrs, 5: section5, 6: section6})
    out = read_upload({"subtracted.scp": data})
    got = np.round(out.signal[[0, 1, 6, 7, 8, 9, 10, 11]] * 400).astype(np.int64)
    np.testing.assert_array_equal(got, rhythm)
    assert not np.array_equal(residual, rhythm)  # the residual really differs


def test_scp_bimodal_compression_is_refused_clearly():
    import struct

    data = (formats_root() / "scp_ecg/demo.scp").read_bytes()
    sections = scp_sections(data)
    body = bytearray(sections[6])
    body[5] = 1  # bimodal flag
    sections[6] = bytes(body)
    with pytest.raises(ECGReadError, match="bimodal compression"):
        read_upload({"bimodal.scp": scp_record(sections)})
    assert struct.unpack_from("<H", sections[6])[0] == 183


def test_philips_xli_chunk_that_expands_past_its_lead_is_refused():
    """An LZW chunk crafted to expand ~600-fold (each code the longest string so far) is stopped at the lead's
    announced length instead of decoding for minutes."""
    import base64
    import re
    import struct

    codes = [65] + list(range(256, 1022)) + [1021] * 4000
    bits = "".join(f"{c:010b}" for c in codes)
    bits += "0" * (-len(bits) % 8)
    body = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
    chunk = struct.pack("<ihh", len(body), 0, 0) + body
    data = (formats_root() / "philips_xml/129DYPRG.XML").read_bytes()
    crafted = re.sub(rb"(<parsedwaveforms[^>]*>)[^<]*(</parsedwaveforms>)",
                     lambda m: m.group(1) + base64.b64encode(chunk * 12) + m.group(2), data)
    with pytest.raises(ECGReadError, match="decompresses to more than"):
        read_upload({"bomb.xml": crafted})


def test_patient_name_in_a_statement_is_cut_out_as_a_whole_word():
    data = (formats_root() / "muse_xml/egm_muse-sinus.xml").read_bytes()
    edited = data.replace(b"<StmtText>Abnormal ECG</StmtText>", b"<StmtText>Abnormal ECG, DOE DOES well</StmtText>")
    ecg = read_upload({"doe_john.xml": edited})
    assert "Abnormal ECG, … DOES well" in ecg.meta["cart_statements"]
    assert ecg.record_id == "muse_xml upload"  # nothing but the name: a neutral id


def test_muse_base64_without_padding_reads_the_same():
    import re

    data = (formats_root() / "muse_xml/egm_muse-sinus.xml").read_bytes()
    unpadded = re.sub(rb"=+(\s*</WaveFormData>)", rb"\1", data)
    assert unpadded != data
    np.testing.assert_array_equal(read_upload({"x.xml": unpadded}).signal, read("muse_xml/egm_muse-sinus.xml").signal)


# --------------------------------------------------------------------------------- a bare MATLAB .mat array
def _files(relative: str) -> dict[str, bytes]:
    from tests.bad_inputs.real_records import record_files

    return record_files(relative)


def _mat(**variables) -> bytes:
    import io as _io

    from scipy.io import savemat

    buf = _io.BytesIO()
    savemat(buf, variables)
    return buf.getvalue()


def test_a_bare_mat_array_gets_the_same_form_as_npy():
    """A (12, N) array saved with savemat and no .hea: rate, units and lead order as for an NPY file."""
    from ecgcore.core.errors import ECGReadError
    from ecgcore.io.limb_leads import LeadOrderError

    ecg = read_upload(_files("ptbxl/records500/00000/00001_hr.hea"))
    with pytest.raises(ECGReadError, match="no sampling rate") as err:
        read_upload({"ecg.mat": _mat(ecg=ecg.signal)})
    assert ".hea" not in str(err.value)  # never asks for a header that never existed
    read = read_upload({"ecg.mat": _mat(ecg=ecg.signal)}, fs=500)
    np.testing.assert_allclose(read.signal, ecg.signal, atol=1e-6)
    assert read.meta["format"] == "mat" and "as you entered it" in read.meta["assumptions"]["rate"]
    transposed = read_upload({"ecg.mat": _mat(ecg=ecg.signal.T * 1000)}, fs=500, units="µV")
    np.testing.assert_allclose(transposed.signal, ecg.signal, atol=1e-5)
    shuffled = ecg.signal[[0, 1, 6, 7, 8, 9, 10, 11, 2, 3, 4, 5]]
    with pytest.raises(LeadOrderError) as err:
        read_upload({"ecg.mat": _mat(ecg=shuffled)}, fs=500)
    assert err.value.proposed_order[:3] == ("I", "II", "V1")


def test_a_challenge_mat_alone_still_asks_for_its_header():
    from ecgcore.core.errors import ECGReadError

    files = _files("cinc/georgia/E07500.hea")
    with pytest.raises(ECGReadError, match="without its .hea"):
        read_upload({"E07500.mat": files["E07500.mat"]})


# ------------------------------------------------------------------------- OpenSignals (BITalino) text export
def _opensignals(counts: np.ndarray, device: str, resolution: list[int], fs: int = 500) -> bytes:
    import json

    header = {"00:07:80:3B:46:61": {"sensor": ["RAW", "ECG"], "column": ["nSeq", "I1", "I2", "O1", "O2", "A1", "A2"],
                                    "device": device, "sampling rate": fs, "label": ["A1", "A2"],
                                    "resolution": resolution, "date": "2017-4-6", "time": "10:29:34.722"}}
    rows = "\n".join(f"{i % 16}\t0\t0\t1\t1\t512\t{c}\t" for i, c in enumerate(counts))
    return f"# OpenSignals Text File Format. Version 1\n# {json.dumps(header)}\n# EndOfHeader\n{rows}\n".encode()


def test_a_bitalino_opensignals_text_export_reads_its_ecg_channel():
    """The header line is JSON, the rows tab-separated counts: the ECG sensor's channel in mV by PLUX's
    transfer function (BITalino: (ADC/2^10 - 1/2) * 3.3 V / 1100), the rate from the header."""
    lead = read_upload(_files("ptbxl/records500/00000/00001_hr.hea")).lead("I")
    counts = np.round((lead / (3.3 / 1100 * 1000) + 0.5) * 1024).astype(int)
    ecg = read_upload({"opensignals_201704061029.txt": _opensignals(counts, "bitalino_rev", [4, 1, 1, 1, 1, 10, 10])})
    assert ecg.leads == ("ECG",) and ecg.fs == 500.0 and ecg.meta["format"] == "opensignals"
    np.testing.assert_allclose(ecg.signal[0], lead, atol=0.5 * 3.3 / 1100 * 1000 / 1024 + 1e-6)
    assert "transfer function for bitalino_rev" in ecg.meta["assumptions"]["units"]
    with pytest.raises(ECGReadError, match="transfer function is not known"):
        read_upload({"o.txt": _opensignals(counts, "some_other_device", [4, 1, 1, 1, 1, 10, 10])})
    stated = read_upload({"o.txt": _opensignals(counts, "some_other_device", [4, 1, 1, 1, 1, 10, 10])},
                         units="counts", gain=1000)
    np.testing.assert_allclose(stated.signal[0], counts / 1000, atol=1e-6)


def test_scp_leads_longer_than_32767_samples_are_read():
    """40,000 uncompressed samples per lead (80,000 bytes): the 16-bit byte counts of Section 6 wrap modulo
    65,536, as writers store them; the samples are there and are read."""
    import struct

    from ecgcore.io import scp_ecg

    data = (formats_root() / "scp_ecg/demo.scp").read_bytes()
    short = read_upload({"demo.scp": data})
    sections = scp_sections(data)
    count, flags = sections[3][0], sections[3][1]
    codes = [sections[3][2 + 9 * i + 8] for i in range(count)]
    avm, interval = struct.unpack_from("<HH", sections[6])
    pointer = scp_ecg._pointers(data)
    ranges = scp_ecg._section3(data, pointer[3])[0]["ranges"]
    decoded = scp_ecg._section6(data, pointer[6], ranges, None)["leads"]  # µV
    units = [np.round(lead / (avm / 1000.0)).astype("<i2") for lead in decoded]
    n = 4 * len(units[0])
    sections[3] = bytes([count, flags]) + b"".join(struct.pack("<IIB", 1, n, code) for code in codes)
    long_leads = [np.tile(u, 4) for u in units]
    sizes = [(2 * n) % 0x10000] * count
    sections[6] = struct.pack("<HHBB", avm, interval, 0, 0) + struct.pack(f"<{count}H", *sizes) + b"".join(
        lead.tobytes() for lead in long_leads)
    ecg = read_upload({"long.scp": scp_record(sections)})
    assert ecg.n_samples == n == 40_000
    np.testing.assert_allclose(ecg.signal[:, :short.n_samples], short.signal, atol=1e-6)
    np.testing.assert_allclose(ecg.signal[:, -short.n_samples:], short.signal, atol=1e-6)
