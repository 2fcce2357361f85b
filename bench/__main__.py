"""``make bench``: run every benchmark in turn."""

import asyncio

from bench import publish

if __name__ == "__main__":
    asyncio.run(publish.main())
