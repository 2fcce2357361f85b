"""Opting out from a message's link: the person gets nothing more about the parcel. Their
messages not sent yet are suppressed (``opted_out``) and published as such, in one unit of
work with the preference."""

from __future__ import annotations

from services.notify.domain.links import link_signed
from services.notify.domain.rules import Audience
from services.notify.handlers import NotifyService, suppressed_event
from services.notify.store import NotifyUnit


class UnknownLink(LookupError):
    """A link whose signature does not match, or for nobody notify knows."""


def checked(svc: NotifyService, waybill: str, audience: str, presented: str) -> Audience:
    """The person a signed opt-out link is for; UnknownLink otherwise."""
    if audience not in {a.value for a in Audience} or len(waybill) > 40:
        raise UnknownLink(waybill)
    if not link_signed(svc.link_key, "unsubscribe", f"{waybill}:{audience}", presented):
        raise UnknownLink(waybill)
    return Audience(audience)


async def opt_out(svc: NotifyService, waybill: str, audience: Audience) -> int:
    """Unsubscribe the person from the parcel; how many waiting messages were withdrawn."""
    now = svc.clock.now()

    async def work(uow: NotifyUnit) -> int:
        if not await uow.parcels.unsubscribe(waybill, audience.value):
            raise UnknownLink(waybill)
        withdrawn = await uow.messages.withdraw(waybill, audience.value, "opted_out")
        uow.emit(*(suppressed_event(svc, doc | {"reason": "opted_out"}, now) for doc in withdrawn))
        return len(withdrawn)

    return await svc.uow.run(work)
