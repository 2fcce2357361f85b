"""Messages from templates: an e-mail (subject, plain text and HTML parts) or an SMS, in the
recipient's language, for one moment of a parcel.

The copy of each moment, per language, is in ``templates/<language>.toml`` (subject,
heading, paragraphs, SMS). Copy lines are Jinja2 rendered as plain text. The HTML part is
``templates/email.html`` with autoescaping, so a name or a reason from outside can never
become markup. The plain text part is ``templates/email.txt``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from fairwind.v1 import common_pb2
from services.notify.domain.rules import Moment

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("zh", "en")
_PARTS = ("subject", "heading", "lines", "sms")
REASON_PREFIX = "EXCEPTION_REASON_"
OPTIONAL = {"survey_url": ""}  # what only some messages fill (the survey's link)


class TemplateError(ValueError):
    """A copy file that lacks a moment or a part, or a placeholder nobody fills."""


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    text: str
    html: str
    language: str


class Renderer:
    def __init__(self, copy: dict[str, dict[str, Any]], directory: Path = TEMPLATES) -> None:
        self._plain = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        self._files = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self._copy = copy
        # Compiled once per line of copy (a fixed set): compiling on every render was 14 %
        # of notify's CPU in bench e2e.
        self._lines: dict[str, jinja2.Template] = {}
        for language in LANGUAGES:
            _check(copy, language)

    @classmethod
    def load(cls, directory: Path = TEMPLATES) -> Renderer:
        copy = {}
        for language in LANGUAGES:
            path = directory / f"{language}.toml"
            try:
                copy[language] = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise TemplateError(f"{path}: {exc}") from exc
        return cls(copy, directory)

    def email(self, moment: Moment, language: str, context: dict[str, Any]) -> Email:
        language = _supported(language)
        copy = self._copy[language]
        values = (
            OPTIONAL
            | context
            | copy["common"]
            | {"tier_benefits": copy["tier_benefits"], "reason": _reason(copy, context)}
        )
        lines = [self._line(text, values) for text in copy[moment]["lines"]]
        parts = values | {
            "language": language,
            "subject": self._line(copy[moment]["subject"], values),
            "heading": self._line(copy[moment]["heading"], values),
            "lines": lines,
        }
        return Email(
            subject=parts["subject"],
            text=self._file("email.txt", parts),
            html=self._file("email.html", parts),
            language=language,
        )

    def sms(self, moment: Moment, language: str, context: dict[str, Any]) -> str:
        copy = self._copy[_supported(language)]
        sign: str = copy["common"]["sms_sign"]
        values = OPTIONAL | context | {"reason": _reason(copy, context)}
        return sign + self._line(copy[moment]["sms"], values)

    def survey_page(
        self, language: str, waybill: str, *, action: str = "", token: str = "", message: str = ""
    ) -> str:
        """The survey's answer page: the form, or ``message`` (a key of the page's copy:
        thanks, answered, invalid) in its place."""
        language = _supported(language)
        page = self._copy[language]["survey_page"]
        return self._file(
            "survey.html",
            {
                "language": language,
                "page": page,
                "question": self._line(page["score"], {"waybill": waybill}),
                "action": action,
                "token": token,
                "message": page[message] if message else "",
            },
        )

    def unsubscribe_page(
        self,
        language: str,
        waybill: str,
        *,
        audience: str = "",
        token: str = "",
        message: str = "",
    ) -> str:
        """The opt-out page: the confirmation form, or ``message`` (done, invalid)."""
        language = _supported(language)
        page = self._copy[language]["unsubscribe_page"]
        return self._file(
            "unsubscribe.html",
            {
                "language": language,
                "page": page,
                "question": self._line(page["question"], {"waybill": waybill}),
                "action": waybill,
                "audience": audience,
                "token": token,
                "message": page[message] if message else "",
            },
        )

    def _line(self, text: str, values: dict[str, Any]) -> str:
        try:
            template = self._lines.get(text)
            if template is None:
                template = self._lines[text] = self._plain.from_string(text)
            return template.render(values)
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{text!r}: {exc.message}") from exc

    def _file(self, name: str, values: dict[str, Any]) -> str:
        try:
            return self._files.get_template(name).render(values)
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{name}: {exc.message}") from exc


def _supported(language: str) -> str:
    """``zh-CN`` → ``zh``; a language we have no copy in gets Chinese, the network's own."""
    base = language.split("-", 1)[0].lower()
    return base if base in LANGUAGES else "zh"


def _reason(copy: dict[str, Any], context: dict[str, Any]) -> str:
    """A failure's or exception's reason (``EXCEPTION_REASON_...``) as the person reads it;
    a dash where the event gave none."""
    code = str(context.get("reason") or "")
    if not code.startswith(REASON_PREFIX):
        return code or "—"
    return str(
        copy["reasons"].get(code.removeprefix(REASON_PREFIX), copy["reasons"]["UNSPECIFIED"])
    )


def _check(copy: dict[str, dict[str, Any]], language: str) -> None:
    table = copy.get(language)
    pages = ("common", "survey_page", "unsubscribe_page", "tier_benefits", "reasons")
    if table is None or any(name not in table for name in pages):
        raise TemplateError(f"no {language} copy (or one of its {', '.join(pages)} tables)")
    codes = common_pb2.ExceptionReason.keys()
    named = {name.removeprefix(REASON_PREFIX) for name in codes}
    if missing := sorted(named - set(table["reasons"])):
        raise TemplateError(f"{language} copy names no reason {', '.join(missing)}")
    for moment in Moment:
        parts = table.get(moment.value)
        missing = [part for part in _PARTS if not parts or part not in parts]
        if missing:
            raise TemplateError(f"{language} copy of {moment.value} lacks {', '.join(missing)}")
