"""Every input model, found on its own, fed hostile values: each form is either accepted with its
text exactly as typed (trimmed at the ends) and its numbers and dates storable, or refused with a
plain sentence per field. Nothing else may escape to the user."""

from __future__ import annotations

import functools
import importlib
import math
import pkgutil
import typing
from datetime import date
from enum import Enum
from types import NoneType, UnionType

import annotated_types
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

import models
from models.validation import EARLIEST, LATEST, InputModel, Invalid, parse
from tests.hostile_input import (
    assert_kept_exactly,
    assert_refused_plainly,
    assert_storable,
    hostile_dates,
    hostile_numbers,
    hostile_texts,
    hostile_values,
    storable_texts,
)

KNOWN = {"FlexStanceIn", "FixedRuleIn", "OfferIn", "ShareIn", "MilestoneIn", "CapacityIn",
         "EarlyWinIn", "LogEntryIn", "CadenceIn", "WorkshopIn", "ParticipantIn", "PartnerIn",
         "DecisionRuleIn", "TopicIn", "SignOffIn", "ExpectedResultIn", "ThemeIn", "StatusIn",
         "MeasureIn", "PartnerMissionIn", "DraftIn", "RatingIn", "NewPasswordIn",
         "NewFacilitatorIn", "PasswordChangeIn", "CheckinIn", "ReadingIn", "MilestoneReportIn",
         "CapacityGivenIn", "TargetChangeIn", "DateChangeIn", "CapacityChangeIn", "ReopenIn"}


def _subclasses(root: type) -> set[type]:
    found, pending = set(), [root]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return found


def _domain_classes(root: type) -> set[type]:
    """Subclasses of ``root`` defined in models/, after importing every module there."""
    for module in pkgutil.iter_modules(models.__path__):
        importlib.import_module(f"models.{module.name}")
    return {cls for cls in _subclasses(root) if cls.__module__.startswith("models.")}


INPUT_MODELS = sorted(_domain_classes(InputModel), key=lambda cls: cls.__name__)


def test_every_input_model_is_found():
    assert {cls.__name__ for cls in INPUT_MODELS} >= KNOWN


def test_every_form_model_in_models_shares_the_input_checks():
    """A new ``...In`` model on plain pydantic would skip the checks every form relies on."""
    forms = {cls for cls in _domain_classes(BaseModel) if cls.__name__.endswith("In")}
    assert forms and forms <= set(INPUT_MODELS)


# --- forms: plausible values, with a few fields made hostile --------------------------------------


def _constraint(info: FieldInfo, kind: type, name: str, default: object) -> object:
    return next((getattr(m, name) for m in info.metadata if isinstance(m, kind)), default)


def _plausible(annotation: object, info: FieldInfo, name: str) -> st.SearchStrategy[object]:
    """Values of the field's own type, mostly within its limits."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _plausible(args[0], info, name)
    if origin in (typing.Union, UnionType):
        return st.one_of([_plausible(arg, info, name) for arg in args])
    if annotation is NoneType:
        return st.none()
    if origin is list:
        return st.lists(_plausible(args[0], FieldInfo(), name), max_size=4)
    if name == "colour":
        return st.sampled_from(["#1F77B4", "#ffffff", "#000000"])
    if name == "email":
        return st.sampled_from(["", "ada@example.org", "grace.mbeki@riverbend.example"])
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from([member.value for member in annotation])
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        low = _constraint(info, annotated_types.Ge, "ge", -5)
        return st.integers(low, _constraint(info, annotated_types.Le, "le", low + 60))
    if annotation is float:
        return st.floats(-1e6, 1e6) | st.integers(0, 100)
    if annotation is date:
        return st.dates(EARLIEST, LATEST) | st.dates(EARLIEST, LATEST).map(date.isoformat)
    if annotation is str:
        longest = _constraint(info, annotated_types.MaxLen, "max_length", 200)
        shortest = 10 if name in ("password", "repeat") else 1
        return st.one_of(storable_texts(max_size=min(longest, 40)).filter(str.strip),
                         st.text("a b", min_size=shortest, max_size=min(longest, 40)),
                         st.just(" x" * (longest // 2)))
    raise AssertionError(f"no plausible values for {annotation!r}; teach the fuzz test")


def _hostile(info: FieldInfo) -> st.SearchStrategy[object]:
    """Hostile values, those aimed at the field's type first."""
    longest = _constraint(info, annotated_types.MaxLen, "max_length", 200)
    aimed = {str: hostile_texts() | st.just("y" * (longest + 1)), float: hostile_numbers(),
             int: hostile_numbers(), date: hostile_dates()}
    types = typing.get_args(info.annotation) or [info.annotation]
    strategies = [aimed[t] for t in types if t in aimed]
    return st.one_of(*strategies, hostile_values())


@functools.cache
def _values(model: type[BaseModel]) -> dict[str, tuple[st.SearchStrategy, st.SearchStrategy]]:
    """Per field, its plausible and its hostile values (built once: building is the slow part)."""
    return {name: (_plausible(info.annotation, info, name), _hostile(info))
            for name, info in model.model_fields.items()}


@st.composite
def forms(draw: st.DrawFn, model: type[BaseModel]) -> dict[str, object]:
    values = _values(model)
    form = {name: draw(plausible) for name, (plausible, _) in values.items()}
    names = sorted(form)
    for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        form[name] = draw(values[name][1])
    for name in draw(st.lists(st.sampled_from(names), max_size=1)):
        del form[name]
    if "repeat" in form and "password" in form and draw(st.booleans()):
        form["repeat"] = form["password"]
    if draw(st.booleans()):
        form[draw(st.sampled_from(["id", "version", "__class__", ""]))] = draw(hostile_values())
    return form


# --- the property --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", INPUT_MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_any_form_is_kept_exactly_or_refused_plainly(model, data):
    form = data.draw(forms(model), label="form")
    try:
        parsed = parse(model, form)
    except Invalid as refusal:
        event("refused")
        assert_refused_plainly(refusal, set(model.model_fields))
        return
    event("accepted")
    for name, typed in form.items():
        if name in model.model_fields:
            assert_kept_exactly(typed, getattr(parsed, name))
    for value in parsed.model_dump().values():
        assert_storable(value)


# --- what the fuzzing found, kept as examples -----------------------------------------------------

NUL = "Please remove the invisible NUL character from this text."
FOUND = {
    "NaN preferred value": (
        "FlexStanceIn", {"weight": 3, "preferred_value": math.nan},
        {"preferred_value": "Please give a number."}),
    "infinite offer typed as text": (
        "OfferIn", {"number": "inf"}, {"number": "Please give a number."}),
    "infinite topic bound": (
        "TopicIn", {"title": "Rent", "category": "space", "kind": "numeric", "lower_bound": 0,
                    "upper_bound": "Infinity"}, {"upper_bound": "Please give a number."}),
    "NUL in a mission": ("PartnerMissionIn", {"mission": "ours\x00"}, {"mission": NUL}),
    "NUL in one option": (
        "TopicIn", {"title": "Days", "category": "time", "kind": "options",
                    "options": ["Monday", "Tues\x00day"]}, {"options": NUL}),
    "NUL in a rating's reason": (
        "RatingIn", {"partner_id": 1, "value": 6, "reason": "\x00"}, {"reason": NUL}),
    "partner id beyond 64 bits": (
        "MilestoneIn", {"title": "Go live", "due_on": "2027-02-01", "owner_partner_id": 2**70},
        {"owner_partner_id": "This number is far too big; please check it."}),
    "fractional weeks": ("CadenceIn", {"weeks": 1.5}, {"weeks": "Please give a whole number."}),
    "a date with a time of day": (
        "WorkshopIn", {"name": "Spring", "held_on": "2027-02-01T09:30:00Z"},
        {"held_on": "Please give a date."}),
    "a number for a name": (
        "ParticipantIn", {"name": 5}, {"name": "Please write this as text."}),
    "a lone surrogate": (
        "ShareIn", {"gave": "\ud800"},
        {"gave": "This text holds a broken character; please type it again."}),
    "neither yes nor no": (
        "CapacityIn", {"month": "2027-02-01", "hours": 3, "unavailable": "maybe"},
        {"unavailable": "Please choose yes or no."}),
    "options that are no list": (
        "FixedRuleIn", {"rule_kind": "board_policy", "title": "Bylaws", "citation": "Art. 4",
                        "allowed_options": "Monday"},
        {"allowed_options": "Please give a list."}),
}


@pytest.mark.parametrize("case", FOUND.values(), ids=FOUND.keys())
def test_what_fuzzing_found_is_refused_plainly(case):
    name, form, expected = case
    [model] = [cls for cls in INPUT_MODELS if cls.__name__ == name]
    with pytest.raises(Invalid) as refusal:
        parse(model, form)
    assert refusal.value.errors == expected
