"""The account managers' activity log (``activities``, ``_id`` = "AC-" + random hex): one
document per visit, call, e-mail, meeting or note with a customer: ``customer_id``, ``kind``,
``manager_id``, ``at`` (business time it happened), ``summary``, ``outcome``,
``next_step``, ``survey`` ({score, recommend, comment} or null; visits only),
``survey_id`` ("visit:" + _id when a survey was given), ``recorded_at``."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from fairwind.mongo.repository import Repository

Document = dict[str, Any]


class Activities(Repository):
    collection_name = "activities"

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(
            [
                IndexModel(
                    [("customer_id", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)],
                    name="customer_recent",
                )
            ]
        )

    async def insert(self, activity: Document) -> None:
        await self.collection.insert_one(activity, session=self.session)

    async def recent(self, customer_id: str, limit: int, offset: int = 0) -> list[Document]:
        """Most recent first (ties: the later id first)."""
        found = self.collection.find({"customer_id": customer_id}, session=self.session)
        ordered = found.sort([("at", DESCENDING), ("_id", DESCENDING)])
        return await ordered.skip(offset).limit(limit).to_list()
