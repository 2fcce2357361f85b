"""Request bodies of the archive (contacts, competitor evaluation) and the import's contact
lines: unknown fields refused, every string and list bounded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.crm.domain import phones
from services.crm.domain.archive import Contact

MAX_CONTACTS = 20
MAX_COMPETITORS = 20
StaffId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:@-]{1,64}$")]
OptionalEmail = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^([^@\s]+@[^@\s]+)?$")
]


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    title: Annotated[str, StringConstraints(max_length=100)] = ""
    phone: Annotated[str, StringConstraints(max_length=32)] = ""
    email: OptionalEmail = ""


class ContactsIn(BaseModel):
    """``PUT /v1/customers/{id}/contacts``: the whole list, the main contact first."""

    model_config = ConfigDict(extra="forbid")

    contacts: list[ContactIn] = Field(max_length=MAX_CONTACTS)


def contacts_of(specs: Iterable[ContactIn], country_code: str) -> list[Contact]:
    """Contacts with E.164 phones; ValueError naming the contact whose number is bad."""
    contacts: list[Contact] = []
    for index, spec in enumerate(specs):
        try:
            phone = phones.normalise(spec.phone, country_code) if spec.phone else ""
        except ValueError as exc:
            raise ValueError(f"contacts.{index}.phone: {exc}") from None
        contacts.append(Contact(spec.name, spec.title, phone, spec.email))
    return contacts


class CompetitorIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    # Share of the customer's volume that goes to this competitor.
    share_pct: int = Field(ge=0, le=100)
    price_vs_us: Literal["cheaper", "same", "dearer"]
    service_vs_us: Literal["better", "same", "worse"]


class EvaluationIn(BaseModel):
    """``PUT /v1/customers/{id}/evaluation``: what the customer said after a visit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    competitors: list[CompetitorIn] = Field(max_length=MAX_COMPETITORS)
    notes: Annotated[str, StringConstraints(max_length=2000)] = ""
    recorded_by: StaffId

    @model_validator(mode="after")
    def _consistent(self) -> EvaluationIn:
        names = [c.name.casefold() for c in self.competitors]
        if len(set(names)) != len(names):
            raise ValueError("a competitor is named twice")
        if sum(c.share_pct for c in self.competitors) > 100:
            raise ValueError("the competitors' shares add up to more than 100 %")
        return self
