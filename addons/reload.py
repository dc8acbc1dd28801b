"""Hot reload: a changed policy directory is built whole and swapped in, or refused."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from addons._flow import Holder
from gateway.audit import AuditEvent
from gateway.engine import Engine, hmac_key_for, policy_signature
from gateway.errors import ConfigError

logger = logging.getLogger("casb")


class Reloader:
    def __init__(self, holder: Holder) -> None:
        self.holder = holder
        self._task: asyncio.Task[None] | None = None

    def running(self) -> None:
        interval = self.holder.engine.config.policy.reload_interval
        if interval > 0:
            self._task = asyncio.get_running_loop().create_task(self._watch(interval))

    async def done(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await asyncio.to_thread(self.check)

    def check(self) -> bool:
        """Reload if the policy files changed. Returns True when a new policy is in force."""
        old = self.holder.engine
        sig = policy_signature(old.config.policy.dir)
        if sig == old.signature:
            return False
        try:
            new = Engine.build(old.config, audit=old.audit, metrics=old.metrics,
                               hmac_key=hmac_key_for(old.config), store=old.store,
                               vault=old.vault)
        except ConfigError as e:
            # Keep enforcing the old policy; remember this signature so we log once per change.
            old.signature = sig
            old.metrics.reloads.labels("refused").inc()
            logger.error("casb: policy reload refused, the previous policy stays in force: %s", e)
            old.record_event(AuditEvent(kind="policy_reload", error=str(e),
                                        detail={"result": "refused"}))
            return False
        self.holder.engine = new
        new.metrics.reloads.labels("ok").inc()
        logger.info("casb: policy reloaded: packs %s, %d rules",
                    ", ".join(new.policy.packs), len(new.policy.rules))
        new.record_event(AuditEvent(kind="policy_reload",
                                    detail={"result": "ok", "packs": list(new.policy.packs),
                                            "rules": len(new.policy.rules)}))
        return True
