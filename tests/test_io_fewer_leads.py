"""Records with fewer than 12 leads (a single-lead wearable, a 2-lead Holter strip, a single-lead EDF): read and
drawn with the leads present; the 12-lead models refuse them plainly unless the 8 independent leads are there.
Test files are written from a real PTB-XL record into tmp_path (never copied into the repository)."""
from __future__ import annotations

import io

import edfio
import numpy as np
import pytest
import wfdb

from ecgcore.core.ecg import twelve_leads
from ecgcore.core.errors import ECGReadError, ECGSignalError
from ecgcore.explain.record import explain_record
from ecgcore.io import read_path, read_upload
from ecgcore.core.leads import INDEPENDENT, LEADS
from ecgcore.models import load_model
from ecgcore.plot import ecg_figure
from ecgcore.plot.paper import beat_layout, paper_layout
from ecgcore.core.settings import resolve
from ecgcore.signal.resample import resample_signal

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    """PTB-XL 00001 (12, 5000) mV at 500 Hz."""
    root = resolve().require_data_root()  # fails, naming ECG_DATA_ROOT, when there is no data root
    return wfdb.rdrecord(str(root / "ptbxl" / "records500" / "00000" / "00001_hr")).p_signal.T.astype(np.float32)


@pytest.fixture(scope="module")
def holter(real, tmp_path_factory):
    """A MIT-BIH-like 2-lead strip: MLII and V1 at 360 Hz, format 212, 30 s."""
    folder = tmp_path_factory.mktemp("holter")
    sig = np.tile(resample_signal(real[[1, 6]], 500, 360), (1, 3))
    wfdb.wrsamp("h100", fs=360, units=["mV", "mV"], sig_name=["MLII", "V1"], p_signal=sig.T.astype(np.float64),
                fmt=["212", "212"], adc_gain=[200.0, 200.0], baseline=[1024, 1024], write_dir=str(folder))
    return folder / "h100.hea", sig


def test_two_lead_holter_strip_is_read_and_drawn_with_its_leads(holter):
    hea, sig = holter
    ecg = read_path(hea)
    assert ecg.leads == ("V1", "MLII") and ecg.fs == 360.0 and ecg.n_samples == sig.shape[1]
    np.testing.assert_allclose(ecg.lead("MLII"), sig[0], atol=0.01)  # 212 at 200/mV quantises to 5 µV
    assert not ecg.is_twelve_lead and "2 lead(s)" in " ".join(ecg.meta["notes"])
    for layout in ("3x4", "12x1"):
        paper = paper_layout(ecg, layout)
        assert [p.lead for p in paper.panels] == ["V1", "MLII"]
    assert [p.lead for p in beat_layout(ecg, 0, 300).panels] == ["V1", "MLII"]
    figure = ecg_figure(ecg, "3x4")
    assert [t.name for t in figure.data if t.y is not None and len(t.y) > 1000] == ["V1", "MLII"]


def test_the_models_refuse_fewer_leads_plainly(holter):
    ecg = read_path(holter[0])
    model = load_model("resnet1d", resolve().models_dir)
    for call in (lambda: twelve_leads(ecg), lambda: model.predict_proba(ecg),
                 lambda: explain_record(ecg, model)):
        with pytest.raises(ECGSignalError) as err:
            call()
        assert "cannot score" in str(err.value) and "V1, MLII" in str(err.value)


def test_single_lead_wearable_csv_with_a_metadata_preamble(real):
    lead_i = resample_signal(real[:1], 500, 512)[0] * 1000  # µV at 512 Hz, as a watch exports lead I
    preamble = ("Name,Jane Doe\nDate of Birth,\"Jan 1, 1970\"\nRecorded Date,2024-03-01 09:12:44\n"
                "Classification,Sinus Rhythm\nSample Rate,512 hertz\n\nLead,Lead I\nUnit,µV\n\n")
    data = (preamble + "\n".join(f"{v:.3f}" for v in lead_i) + "\n").encode()
    ecg = read_upload({"watch.csv": data})
    assert ecg.leads == ("I",) and ecg.fs == 512.0 and ecg.n_samples == len(lead_i)
    np.testing.assert_allclose(ecg.lead("I"), lead_i / 1000, atol=1e-5)
    said = ecg.meta["assumptions"]
    assert "'Sample Rate'" in said["rate"] and said["units"].startswith("µV") and "metadata" in said["leads"]
    assert "Jane" not in repr(ecg.meta)
    with pytest.raises(ECGSignalError, match="cannot score"):
        twelve_leads(ecg)


def test_single_lead_edf(real):
    signal = edfio.EdfSignal(real[0].astype(np.float64) * 1000, sampling_frequency=500, label="ECG I",
                             physical_dimension="uV", physical_range=(-5000, 5000))
    buf = io.BytesIO()
    edfio.Edf([signal]).write(buf)
    ecg = read_upload({"lead1.edf": buf.getvalue()})
    assert ecg.leads == ("I",) and ecg.fs == 500.0
    np.testing.assert_allclose(ecg.lead("I"), real[0], atol=1e-3)


def test_eight_independent_leads_give_the_models_all_twelve(real):
    eight = real[[LEADS.index(lead) for lead in INDEPENDENT]]
    ecg = read_upload({"r.csv": ("time," + ",".join(INDEPENDENT) + "\n" + "".join(
        f"{i / 500:.3f}," + ",".join(f"{v:.4f}" for v in eight[:, i]) + "\n" for i in range(eight.shape[1]))).encode()})
    full = twelve_leads(ecg)
    assert full.leads == LEADS and set(full.derived) == {"III", "aVR", "aVL", "aVF"}
    model = load_model("resnet1d", resolve().models_dir)
    whole = read_upload({"r.npy": _npy(real)}, fs=500)
    np.testing.assert_allclose(model.predict_proba(ecg), model.predict_proba(whole), atol=0.05)


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def test_app_shows_a_holter_strip_and_says_the_models_cannot_score_it(holter):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app" / "main.py"), default_timeout=180)
    at.switch_page("views/upload.py").run()
    files = [(p.name, p.read_bytes(), "application/octet-stream") for p in sorted(holter[0].parent.iterdir())]
    at.file_uploader[0].set_value(files).run()
    assert not at.exception and not at.error
    assert any("cannot score" in w.value for w in at.warning)
    at.switch_page("views/viewer.py").run()
    assert not at.exception and not at.error
    at.switch_page("views/predict.py").run()
    assert not at.exception and any("cannot score" in e.value for e in at.error)


def test_a_single_channel_labelled_ecg_is_kept_its_lead_unknown(real):
    signal = edfio.EdfSignal(real[1].astype(np.float64), sampling_frequency=500, label="ECG",
                             physical_dimension="mV", physical_range=(-5, 5))
    buf = io.BytesIO()
    edfio.Edf([signal]).write(buf)
    ecg = read_upload({"patch.edf": buf.getvalue()})
    assert ecg.leads == ("ECG",) and "does not say which lead" in " ".join(ecg.meta["notes"])
    np.testing.assert_allclose(ecg.lead("ECG"), real[1], atol=1e-3)
    csv = ("time,ECG\n" + "".join(f"{i / 500:.3f},{v:.4f}\n" for i, v in enumerate(real[1]))).encode()
    assert read_upload({"patch.csv": csv}).leads == ("ECG",)
    two = ("time,ECG1,ECG2\n" + "".join(f"{i / 500:.3f},{v:.4f},{v:.4f}\n" for i, v in enumerate(real[1]))).encode()
    with pytest.raises(ECGReadError, match="names no standard lead"):  # two unnamed channels: which is which?
        read_upload({"two.csv": two})


def test_beats_heart_rate_and_rhythm_of_fewer_leads_match_the_12_lead_record(real, holter):
    from ecgcore.core.ecg import ECG
    from ecgcore.signal import analyse_record

    full = analyse_record(ECG(np.tile(real, (1, 3)), 500.0, "ptbxl/00001", "ptbxl"))
    strip = analyse_record(read_path(holter[0]))
    assert abs(len(strip.beats.rpeaks) - len(full.beats.rpeaks)) <= 1
    assert abs(strip.measurements["HR"].value - full.measurements["HR"].value) < 2
    assert strip.rhythm.name


@pytest.mark.parametrize("label", ["ECG", "EKG1", "ecg_0", "EEG EKG1-REF", "EEG EKG-LE", "POL ECG", "EEG ECG2-AVG"])
def test_an_ecg_electrode_label_in_any_position_is_an_unnamed_lead(label):
    from ecgcore.core.leads import is_unspecified_lead

    assert is_unspecified_lead(label)


def test_two_unnamed_ecg_channels_are_refused_by_name():
    from ecgcore.io.assemble import plan_leads

    names = [f"EEG C{i}-REF" for i in range(20)] + ["ECG L", "ECG R"]
    with pytest.raises(ECGReadError) as err:
        plan_leads(names)
    assert "2 ECG channels" in str(err.value) and "'ECG L', 'ECG R'" in str(err.value)
