"""Frozen value objects that are cheap to make: the scanner makes thousands per page.

A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``,
since its own ``__setattr__`` refuses: a generic attribute lookup per field, about three times
the cost of a plain assignment (an eleven-field :class:`~verifier.core.verdict.Verdict` cost
as much to make as the rest of judging a handle). :func:`direct_init` gives such a class an
``__init__`` that writes each slot through its descriptor instead. Nothing else changes: the
class stays a frozen dataclass (fields, ``replace``, equality, hashing, ``FrozenInstanceError``).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar

__all__ = ["direct_init"]

T = TypeVar("T", bound=type)


def direct_init(cls: T) -> T:
    """Replace the ``__init__`` of ``cls``, a frozen dataclass with slots, by one with the
    same parameters that sets each slot through its member descriptor.

    Only plain fields are supported (positional or with a default value): a default factory,
    ``init=False``, keyword-only fields, ``InitVar`` or ``__post_init__`` raise ``TypeError``.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    fields = dataclasses.fields(cls)
    generated = list(inspect.signature(cls).parameters.values())
    if hasattr(cls, "__post_init__") or [(p.name, p.kind) for p in generated] != [
        (f.name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for f in fields
    ]:
        raise TypeError(f"{cls.__name__}: only plain fields and no __post_init__ are supported")
    namespace: dict[str, Any] = {}
    parameters, lines = [], []
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: a default factory is not supported")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            parameters.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
        lines.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(parameters)}):\n" + ("\n".join(lines) or "    pass")
    exec(source, namespace)  # noqa: S102 -- made only from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    setattr(cls, "__init__", init)  # noqa: B010 -- mypy refuses assigning to __init__
    return cls
