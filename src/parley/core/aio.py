"""Small asyncio helpers shared by the server's background parts."""

import asyncio
from collections.abc import Iterable


async def cancel_all(tasks: Iterable[asyncio.Task]) -> None:
    """Cancel the tasks and wait until each has ended, whatever it raised while ending."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass
