"""Turning bad input into plain messages keyed by field, so a page can show each next to its field.

Input models (``*In``) are ordinary pydantic models; ``parse`` runs one and translates pydantic's
errors into short sentences a partner representative understands.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import ValidationError as PydanticError
from sqlmodel import Session

Model = TypeVar("Model", bound=BaseModel)
Row = TypeVar("Row")

# Dates outside these are typing mistakes in a partnership's plans.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
# What an SQLite INTEGER holds; an id beyond it would crash the query rather than miss.
_STORABLE_INTEGERS = range(-(2**63), 2**63)


class InputModel(BaseModel):
    """What a form sends: text trimmed, unknown fields ignored, and only values the database
    keeps exactly: no NaN or infinity, no NUL character, no integer beyond 64 bits."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            problem = _unstorable(item)
            if problem:
                raise ValueError(problem)
        return value


def _unstorable(value: Any) -> str | None:
    if isinstance(value, str) and "\x00" in value:
        return "Please remove the invisible NUL character from this text."
    if isinstance(value, int) and value not in _STORABLE_INTEGERS:
        return "This number is far too big; please check it."
    return None


def existing(session: Session, table: type[Row], row_id: int) -> Row:
    """A row by id, or a plain refusal when someone removed it meanwhile."""
    row = session.get(table, row_id)
    if row is None:
        raise Invalid({"form": "This was removed a moment ago, perhaps in another window."})
    return row


class Invalid(Exception):
    """Input that cannot be saved; ``errors`` maps a field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Conflict(Exception):
    """Someone else saved this first; ``current`` is what they saved, to show the user."""

    def __init__(self, message: str, current: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.current = current or {}


# Only a broken or forged form sends these: a page always sends the right kind of value.
_WRONG_KIND = {"string_type": "Please write this as text.",
               "string_unicode": "This text holds a broken character; please type it again.",
               "bool_type": "Please choose yes or no.", "bool_parsing": "Please choose yes or no.",
               "list_type": "Please give a list."}


def plain_message(error: dict[str, Any]) -> str:
    """One pydantic error as a short sentence a partner representative understands."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "Please fill this in."
    if kind == "string_too_short":
        return f"Please write at least {ctx['min_length']} characters."
    if kind == "string_too_long":
        return f"Please keep this under {ctx['max_length']} characters."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Please give a number of at least {ctx.get('ge', ctx.get('gt')):g}."
    if kind in ("less_than_equal", "less_than"):
        return f"Please give a number no more than {ctx.get('le', ctx.get('lt')):g}."
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type", "finite_number",
                "int_parsing_size"):
        return "Please give a number."
    if kind == "int_from_float":
        return "Please give a whole number."
    if kind.startswith("date_"):
        return "Please give a date."
    if kind == "enum":
        return f"Please choose one of: {ctx.get('expected', '')}."
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return _WRONG_KIND.get(kind, "Please check this value.")


def parse(model: type[Model], data: dict[str, Any], prefix: str = "") -> Model:
    """Validate ``data`` as ``model`` or raise ``Invalid`` with one plain message per field.

    A model may add checks across fields with a ``problems()`` method returning field -> message.
    """
    try:
        parsed = model.model_validate(data)
    except PydanticError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "form"
            errors.setdefault(prefix + field, plain_message(error))
        raise Invalid(errors) from None
    problems = getattr(parsed, "problems", None)
    found = problems() if problems else {}
    if found:
        raise Invalid({prefix + field: message for field, message in found.items()})
    return parsed
