"""Account managers as records: create, change, and who manages a customer.

A manager is a staff member (``_id`` = staff id) with a name, an e-mail and a phone
(E.164), ``active`` (only active managers get accounts) and an optional ``capacity`` (the
most accounts they take). Managers are never deleted: one who leaves is set inactive, and
the next re-rank hands their accounts to others.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.crm.domain import phones
from services.crm.handlers import CrmService
from services.crm.store import CrmStore, CrmUnit

Document = dict[str, Any]
StaffId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:@-]{1,64}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]
Phone = Annotated[str, StringConstraints(max_length=32)]
Capacity = Annotated[int, Field(ge=0, le=100_000)]


class ManagerIn(BaseModel):
    """A new manager (REST body and import line)."""

    model_config = ConfigDict(extra="forbid")

    id: StaffId
    name: Name
    email: Email
    phone: Phone
    capacity: Capacity | None = None
    active: bool = True


class ManagerPatch(BaseModel):
    """Fields to change; ``capacity: null`` lifts the limit."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    capacity: Capacity | None = None
    active: bool | None = None


class NotFound(LookupError):
    """An unknown customer or manager; the message says which."""


class Conflict(Exception):
    """The request clashes with what is stored (an id taken, an inactive manager)."""


def manager_doc(spec: ManagerIn, country_code: str) -> Document:
    """The stored form; ValueError for a phone that is not a number."""
    return {
        "_id": spec.id,
        "name": spec.name,
        "email": spec.email,
        "phone": phones.normalise(spec.phone, country_code),
        "capacity": spec.capacity,
        "active": spec.active,
    }


def patch_changes(patch: ManagerPatch, country_code: str) -> Document:
    """The fields the patch sets (explicit nulls only for capacity); ValueError for an empty
    patch, a null where a value is needed, or a bad phone."""
    sent = patch.model_fields_set
    if not sent:
        raise ValueError("nothing to change")
    changes: Document = {}
    for name in sent:
        value = getattr(patch, name)
        if value is None and name != "capacity":
            raise ValueError(f"{name} must not be null")
        changes[name] = value
    if "phone" in changes:
        changes["phone"] = phones.normalise(changes["phone"], country_code)
    return changes


async def create_manager(svc: CrmService, manager: Document) -> Document:
    now = svc.clock.now()
    if not await svc.store.managers.create(manager, now):
        raise Conflict(f"A manager {manager['_id']!r} exists already.")
    return {**manager, "created_at": now, "updated_at": now}


async def update_manager(svc: CrmService, manager_id: str, changes: Document) -> Document:
    """Change a manager; a new name is copied to their customers in the same transaction."""

    async def change(uow: CrmUnit) -> Document | None:
        doc = await uow.managers.update(manager_id, changes, svc.clock.now())
        if doc is not None and "name" in changes:
            await uow.assignments.rename(manager_id, doc["name"])
        return doc

    doc = await svc.uow.run(change)
    if doc is None:
        raise NotFound(f"No manager {manager_id!r}.")
    return doc


async def manager_of(store: CrmStore, customer_id: str) -> Document | None:
    """The active manager document of a customer, or None (no customer, no manager, or a
    manager no longer active: nobody to alert until the next re-rank reassigns)."""
    customer = await store.customers.get(customer_id)
    manager_id = (customer or {}).get("account_manager_id")
    if not manager_id:
        return None
    manager = await store.managers.get(manager_id)
    return manager if manager is not None and manager.get("active") else None
