"""Survey answers (``surveys``, ``_id`` = the survey id): the id is the key, so a survey is
answered once; a second answer finds the first one there. Inside a transaction, two answers
at once conflict and the transaction's retry finds the winner's."""

from __future__ import annotations

from typing import Any

from fairwind.mongo.repository import Repository

Document = dict[str, Any]


class Surveys(Repository):
    collection_name = "surveys"

    async def create_indexes(self) -> None:
        """Only the ``_id`` index: it is what makes an answer the only one."""

    async def answer(self, doc: Document) -> bool:
        """Keep the survey's answer; False if it was answered already."""
        # Looked for first: a duplicate key inside a transaction would abort all of it.
        if await self.get(doc["_id"]) is not None:
            return False
        await self.collection.insert_one(doc, session=self.session)
        return True

    async def get(self, survey: str) -> Document | None:
        found: Document | None = await self.collection.find_one(
            {"_id": survey}, session=self.session
        )
        return found
