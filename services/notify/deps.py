"""FastAPI dependencies of notify's routes: the service and what the routes use of it.

``async``, though they await nothing: a plain ``def`` dependency costs a thread hop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.notify.channels.webhook import WebhookPoster
from services.notify.handlers import NotifyService
from services.notify.partner_keys import PartnerKeys
from services.notify.rendering import Renderer


async def service(request: Request) -> NotifyService:
    svc: NotifyService = request.app.state.service
    return svc


async def keys(request: Request) -> PartnerKeys:
    found: PartnerKeys = request.app.state.keys
    return found


async def poster(request: Request) -> WebhookPoster:
    found: WebhookPoster = request.app.state.poster
    return found


async def renderer(request: Request) -> Renderer:
    found: Renderer = request.app.state.renderer
    return found


Service = Annotated[NotifyService, Depends(service)]
Pages = Annotated[Renderer, Depends(renderer)]
