"""Models by name: `@register("resnet1d")` on a class, then `create(name)` / `load_model(name)`.

The shipped model modules register themselves when `ecgcore.models` is imported; nothing else in the
code base knows the list of models.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ecgcore.core.settings import resolve
from ecgcore.core.errors import UnknownNameError

if TYPE_CHECKING:
    from ecgcore.models.base import ECGModel

_REGISTRY: dict[str, type["ECGModel"]] = {}
T = TypeVar("T", bound=type)


def register(name: str) -> Callable[[T], T]:
    """Class decorator: make a model class available under `name`."""

    def decorate(cls: T) -> T:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(f"model name {name!r} is already registered by {_REGISTRY[name].__qualname__}")
        cls.name = name  # type: ignore[attr-defined]
        _REGISTRY[name] = cls  # type: ignore[assignment]
        return cls

    return decorate


def model_names() -> list[str]:
    """Every registered model name, sorted."""
    _import_shipped()
    return sorted(_REGISTRY)


def model_class(name: str) -> type["ECGModel"]:
    """The class registered as `name`; UnknownNameError lists the valid names."""
    _import_shipped()
    if name not in _REGISTRY:
        raise UnknownNameError(f"unknown model {name!r}; valid models: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def create(name: str, **config: Any) -> "ECGModel":
    """A new, untrained model; `config` overrides its hyper-parameters (e.g. epochs=3, classes=[...])."""
    return model_class(name)(**config)


def load_model(name: str, models_dir: str | Path | None = None) -> "ECGModel":
    """The trained model in `models_dir/name/`, after checking its files' sha256 against its card.

    Raises UnknownNameError for a name that is not registered and `CheckpointError` (an ECGError) for a
    missing, corrupt or changed checkpoint.
    """
    cls = model_class(name)
    return cls.load(resolve(models_dir=models_dir).models_dir / name)


def _import_shipped() -> None:
    import ecgcore.models  # noqa: F401  (its __init__ imports the shipped model modules, which register)
