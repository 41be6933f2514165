"""direct_init: frozen dataclasses made through their slot descriptors behave as before."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from verifier.core.extract import Contact
from verifier.core.mentions import Mention
from verifier.core.patterns import PatternHit
from verifier.core.scan import Finding
from verifier.core.values import direct_init
from verifier.core.verdict import OfficialChannel, PlatformRef, Reason, Verdict


@direct_init
@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 7
    label: str = dataclasses.field(default="", compare=False)


def test_fields_defaults_and_keywords_are_set_as_the_generated_init_sets_them():
    assert Point(1) == Point(x=1, y=7)
    assert (Point(1, 2, "a").x, Point(1, 2, "a").y, Point(1, 2, "a").label) == (1, 2, "a")
    assert Point(1, label="b") == Point(1, 7, "c")  # label is not compared
    parameters = inspect.signature(Point).parameters.values()
    assert [(p.name, p.default) for p in parameters] == [
        ("x", inspect.Parameter.empty),
        ("y", 7),
        ("label", ""),
    ]


def test_the_instance_stays_frozen_hashable_and_replaceable():
    point = Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3  # type: ignore[misc]
    assert hash(point) == hash(Point(1, 2))
    assert dataclasses.replace(point, y=5) == Point(1, 5)
    assert repr(point) == "Point(x=1, y=2, label='')"


def test_wrong_calls_fail_as_with_any_function():
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "cls", [Reason, PlatformRef, OfficialChannel, Verdict, Finding, Mention, PatternHit, Contact]
)
def test_the_scanned_value_types_set_their_slots_directly(cls: type) -> None:
    # The generated __init__ of a frozen dataclass goes through object.__setattr__; the one
    # direct_init writes holds the slots' setters.
    assert "__dataclass_builtins_object__" not in cls.__init__.__code__.co_names
    assert {f"_set_{f.name}" for f in dataclasses.fields(cls)} <= set(cls.__init__.__globals__)


def test_the_verdict_types_still_work() -> None:
    reason = Reason("code", "message")
    assert reason.to_dict() == {"code": "code", "message": "message"}
    verdict = Verdict("a", "phone", None, "invalid", "caution", None, None, (reason,), (), 3)
    assert verdict.trust is None and verdict.reasons == (reason,)


@pytest.mark.parametrize(
    "make",
    [
        lambda: dataclasses.dataclass(frozen=True)(type("NoSlots", (), {"__annotations__": {}})),
        lambda: dataclasses.dataclass(slots=True)(type("NotFrozen", (), {"__annotations__": {}})),
    ],
)
def test_only_frozen_dataclasses_with_slots_are_accepted(make):
    with pytest.raises(TypeError):
        direct_init(make())


def test_fields_it_cannot_set_plainly_are_refused():
    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        items: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Hidden:
        shown: int
        hidden: int = dataclasses.field(default=0, init=False)

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        value: int

    for cls in (Factory, Hidden, KeywordOnly):
        with pytest.raises(TypeError):
            direct_init(cls)
