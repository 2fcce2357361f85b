"""A local SMS provider speaking the Twilio Messages API (what ``services/notify/channels/
sms.py`` talks to), so ``make run`` and the tests run the real adapter over real HTTP.

- ``POST /2010-04-01/Accounts/{sid}/Messages.json`` (form ``To``, ``From``, ``Body``; Basic
  auth): 201 with the message resource, or the provider's error JSON (``code``,
  ``message``, ``more_info``, ``status``): 401/20003 on a wrong key, 400/21211 on a number
  that is not E.164, 400/21602 on an empty body. A repeated ``Idempotency-Key`` gets the
  first answer again, not a second text.
- ``GET`` on the same path lists what was received, newest first (``messages``).
- Tests make it misbehave in-process: ``fail_next`` (a status, an error code, a
  ``Retry-After``) and ``delay_s``.

``python -m devstack.smsbox --port P --account SID --token TOKEN --log FILE`` runs it
alone, appending each message received to FILE as a JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiohttp import BasicAuth, web

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
ERRORS = "https://www.twilio.com/docs/errors/"


@dataclass
class Fault:
    status: int
    code: int = 0
    retry_after: str | None = None


@dataclass
class SmsBox:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "local-token"
    log: Path | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    delay_s: float = 0.0
    attempts: int = 0  # every POST, refused or not
    _by_key: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fail_next(
        self, count: int, status: int, code: int = 0, retry_after: str | None = None
    ) -> None:
        self.faults.extend(Fault(status, code, retry_after) for _ in range(count))

    def app(self) -> web.Application:
        app = web.Application()
        path = "/2010-04-01/Accounts/{sid}/Messages.json"
        app.router.add_post(path, self._create)
        app.router.add_get(path, self._list)
        return app

    async def _create(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        if self.faults:
            fault = self.faults.pop(0)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return _error(fault.status, fault.code, "Injected failure", headers)
        key = request.headers.get("Idempotency-Key", "")
        if key in self._by_key:
            return web.json_response(self._by_key[key], status=201)
        form = await request.post()
        to, sender, body = (str(form.get(name, "")) for name in ("To", "From", "Body"))
        if not E164.match(to):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not sender:
            return _error(400, 21604, "A 'From' phone number is required.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        message = _resource(self.account_sid, to, sender, body)
        self.received.append(message)
        if key:
            self._by_key[key] = message
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as out:
                out.write(json.dumps(message, ensure_ascii=False) + "\n")
        return web.json_response(message, status=201)

    async def _list(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        return web.json_response({"messages": list(reversed(self.received))})

    def _authorized(self, request: web.Request) -> bool:
        try:
            auth = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            return False
        account = request.match_info["sid"]
        return (auth.login, auth.password, account) == (
            self.account_sid,
            self.auth_token,
            self.account_sid,
        )


def _resource(account: str, to: str, sender: str, body: str) -> dict[str, Any]:
    created = format_datetime(datetime.now(UTC), usegmt=True)
    sid = "SM" + uuid.uuid4().hex
    return {
        "sid": sid,
        "account_sid": account,
        "to": to,
        "from": sender,
        "body": body,
        "status": "queued",
        "num_segments": str(-(-len(body) // 70)),  # UCS-2: 70 characters a segment
        "direction": "outbound-api",
        "date_created": created,
        "date_updated": created,
        "error_code": None,
        "error_message": None,
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
    }


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"code": code, "message": message, "more_info": f"{ERRORS}{code}", "status": status}
    return web.json_response(body, status=status, headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--account", default=SmsBox.account_sid)
    parser.add_argument("--token", default=SmsBox.auth_token)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    args.log.parent.mkdir(parents=True, exist_ok=True)
    box = SmsBox(args.account, args.token, args.log)
    web.run_app(box.app(), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
