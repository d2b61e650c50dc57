"""Fixtures shared by several test modules."""
import pytest

from ecgcore.core.settings import passive_thread_waits

passive_thread_waits()


def pytest_collection_modifyitems(config, items):
    """Every browser test is also slow: `make test-fast` (-m "not slow") leaves out the browser, training and
    the AppTest cold starts (each marked `slow` where it is defined)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread: on a shared 2-core machine it is both faster and steadier than oversubscribing.

    Use with `pytestmark = pytest.mark.usefixtures("one_torch_thread")`.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def data_root():
    """The data root (real records); the test FAILS, naming ECG_DATA_ROOT, when there is none."""

    from tests.bad_inputs.real_records import data_root as find

    return find()


@pytest.fixture(scope="session")
def settings(data_root):
    """`ecgcore.core.settings.resolve()` with a data root (fails without one, see `data_root`)."""
    from ecgcore.core.settings import resolve

    return resolve()


@pytest.fixture(scope="session")
def real(settings):
    """The real PTB-XL records of the data root with their superclasses and strat_folds
    (`ecgcore.data.evalsets.ptbxl_set`), loaded once per session; tests only read it."""
    from ecgcore.data.evalsets import ptbxl_set

    return ptbxl_set(settings)
