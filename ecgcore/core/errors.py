"""Errors that carry a message a clinician can act on: what is wrong, and what would work."""


class ECGError(ValueError):
    """Any problem with an ECG input, a record or a setting; its message is shown to the user as is."""


class ECGReadError(ECGError):
    """A file could not be read as an ECG (broken, truncated, unknown format, too large)."""


class ReaderFailure(ECGReadError):
    """A reader failed in a way it does not foresee (a bug, or a file no check anticipated): the message says
    which reader and what would work, without the exception's text (it may hold server paths); the original
    exception is its `__cause__`, for the server's log. Fuzzing counts these as crashes."""


class ECGSignalError(ECGError):
    """A file was read but its signal is unusable (too short, NaN/Inf, flat, absurd amplitude)."""


class UnknownNameError(ECGError):
    """An unknown model, class, task or command name."""
