"""Risk scores from decaying signals, shared by every gateway process through the store.

A signal has a weight that halves every ``half_life`` seconds; noting the same signal again
adds its base weight to what is left (up to twice the base). The score is the sum of what is
left of every signal, capped at 100, and each signal keeps the reason it was raised for.

Keys: ``risk:s:USER:KIND`` (a signal), ``risk:dev:USER:DEVICE`` and ``risk:net:USER:NET``
(known devices and networks), ``risk:seen:USER``, ``risk:upl:USER:DAY`` (upload bytes per
day), ``risk:resp:USER:AT`` (a response taken), ``risk:block:USER`` (blocked until expiry).
"""

from __future__ import annotations

import ipaddress
import json
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from gateway.config import RiskConfig
from gateway.errors import StoreError
from gateway.identity import client_address
from gateway.state import Store

SIGNALS = ("new_device", "new_network", "off_hours", "dlp_findings", "mfa_failures",
           "upload_volume", "risky_app")
DEFAULT_WEIGHTS = {"new_device": 25, "new_network": 15, "off_hours": 10, "dlp_findings": 30,
                   "mfa_failures": 20, "upload_volume": 35, "risky_app": 15}
_KNOWN_TTL = 90 * 86400
_CACHE_SECONDS = 5.0
_CACHE_SIZE = 10_000


def _q(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str
    weight: float
    """What is left of it now."""
    at: float
    reason: str


@dataclass(frozen=True, slots=True)
class Score:
    user: str
    score: int
    signals: tuple[Signal, ...]
    blocked_for: float | None = None


@dataclass(frozen=True, slots=True)
class RiskResponseTaken:
    user: str
    score: int
    at: int
    revoked: bool
    block_seconds: int


def network_of(address: str) -> str | None:
    """The /24 (IPv4) or /64 (IPv6) a client address belongs to."""
    ip = client_address(address)
    if ip is None:
        return None
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class RiskEngine:
    """Notes signals and computes scores; every method is bounded by the store's timeout."""

    def __init__(self, store: Store, config: RiskConfig, *,
                 on_response: Callable[[RiskResponseTaken], None] | None = None,
                 revoke: Callable[[str], object] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.config = config
        self.weights = {**DEFAULT_WEIGHTS, **config.weights}
        self.zone = ZoneInfo(config.timezone)
        self.clock = clock
        self._on_response = on_response
        self._revoke = revoke
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[float, Score]] = OrderedDict()
        self._once: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._known: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.note_errors = 0
        self._later = _Later(self, self._count_error)

    def _count_error(self) -> None:
        with self._lock:
            self.note_errors += 1

    def later(self, user: str, *, findings: int = 0, upload: int = 0) -> None:
        """Note DLP findings and upload volume from a worker thread (never blocks)."""
        if findings or upload:
            self._later.put(lambda: self._note_request(user, findings, upload))

    def _note_request(self, user: str, findings: int, upload: int) -> None:
        if findings:
            self.note(user, "dlp_findings", f"{findings} sensitive finding(s) in a request")
        if upload:
            self.note_upload(user, upload)

    def observe_later(self, user: str, *, device: str | None, client_ip: str,
                      app_name: str | None, app_risk: int | None) -> None:
        """:meth:`observe` from the worker thread, for requests no risk rule waits on."""
        self._later.put(lambda: self.observe(user, device=device, client_ip=client_ip,
                                             app_name=app_name, app_risk=app_risk))

    def drain(self, timeout: float = 5.0) -> None:
        self._later.drain(timeout)

    # -- signals ------------------------------------------------------------------------------
    def _decay(self, weight: float, age: float) -> float:
        return float(weight * 0.5 ** (max(age, 0.0) / self.config.half_life))

    def note(self, user: str, kind: str, reason: str) -> None:
        """Raise signal ``kind`` for ``user`` (adds to what is left of an earlier one)."""
        base = self.weights.get(kind, 0)
        if base <= 0:
            return
        key = f"risk:s:{_q(user)}:{kind}"
        now = self.clock()
        for _ in range(10):
            raw = self.store.get(key)
            left = 0.0
            if raw is not None:
                old = json.loads(raw)
                left = self._decay(float(old["w"]), now - float(old["at"]))
            value = json.dumps({"w": min(left + base, 2.0 * base), "at": now,
                                "reason": reason}).encode()
            if self.store.compare_and_set(key, raw, value, ttl=self.config.half_life * 8):
                break
        with self._lock:
            self._cache.pop(user, None)

    def _first_time(self, user: str, what: str, value: str) -> bool:
        """True when ``value`` is new for ``user`` and the user was seen before."""
        memo = (user, f"{what}:{value}")
        with self._lock:
            if memo in self._known:
                return False
        new = self.store.set(f"risk:{what}:{_q(user)}:{_q(value)}", b"1", ttl=_KNOWN_TTL,
                             only_if_absent=True)
        with self._lock:
            self._known[memo] = None
            if len(self._known) > _CACHE_SIZE:
                self._known.popitem(last=False)
        if not new:
            return False
        seen = not self.store.set(f"risk:seen:{_q(user)}:{what}", b"1", ttl=_KNOWN_TTL,
                                  only_if_absent=True)
        return seen

    def observe(self, user: str, *, device: str | None, client_ip: str,
                app_name: str | None, app_risk: int | None) -> None:
        """Context signals of one request: new device, new network, off-hours, risky app."""
        if device and self._first_time(user, "dev", device):
            self.note(user, "new_device", f"first request from device {device}")
        net = network_of(client_ip)
        if net and self._first_time(user, "net", net):
            self.note(user, "new_network", f"first request from network {net}")
        start, end = self.config.work_hours
        hour = datetime.fromtimestamp(self.clock(), self.zone).hour
        if not (start <= hour < end) and self._once_per(user, "off_hours", 600):
            self.note(user, "off_hours", f"activity at {hour:02d}h outside {start}-{end}h")
        if app_risk is not None and app_risk >= self.config.risky_app_min \
                and self._once_per(user, f"app:{app_name}", 600):
            self.note(user, "risky_app", f"use of {app_name} (app risk {app_risk})")

    def _once_per(self, user: str, what: str, seconds: float) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._once.get((user, what), 0.0) > now:
                return False
            self._once[(user, what)] = now + seconds
            self._once.move_to_end((user, what))
            if len(self._once) > _CACHE_SIZE:
                self._once.popitem(last=False)
        return self.store.set(f"risk:once:{_q(user)}:{_q(what)}", b"1", ttl=seconds,
                              only_if_absent=True)

    def note_upload(self, user: str, size: int) -> None:
        """Count upload bytes per day; far above the user's own baseline is a signal."""
        day = int(self.clock() // 86400)
        today = self.store.incr(f"risk:upl:{_q(user)}:{day}", size, ttl=15 * 86400)
        past = [self.store.get(f"risk:upl:{_q(user)}:{day - i}") for i in range(1, 8)]
        baseline = sum(int(v) for v in past if v) / 7
        limit = max(self.config.upload_floor_bytes, baseline * self.config.upload_factor)
        if today > limit and self._once_per(user, "upload_volume", 3600):
            self.note(user, "upload_volume",
                      f"{today} bytes uploaded today, baseline {baseline:.0f} per day")

    # -- score ----------------------------------------------------------------------------------
    def score(self, user: str) -> Score:
        now = self.clock()
        signals = []
        for kind in SIGNALS:
            raw = self.store.get(f"risk:s:{_q(user)}:{kind}")
            if raw is None:
                continue
            data = json.loads(raw)
            left = self._decay(float(data["w"]), now - float(data["at"]))
            if left >= 0.5:
                signals.append(Signal(kind, left, float(data["at"]), str(data["reason"])))
        total = min(100, round(sum(s.weight for s in signals)))
        blocked = self.store.ttl(f"risk:block:{_q(user)}")
        result = Score(user, total, tuple(sorted(signals, key=lambda s: -s.weight)), blocked)
        with self._lock:
            self._cache[user] = (time.monotonic() + _CACHE_SECONDS, result)
            self._cache.move_to_end(user)
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    def assess(self, user: str, *, device: str | None, client_ip: str,
               app_name: str | None, app_risk: int | None) -> Score:
        """Observe one request's context, then the score (recomputed every few seconds, or
        at once when a signal was raised), taking any response it calls for."""
        self.observe(user, device=device, client_ip=client_ip, app_name=app_name,
                     app_risk=app_risk)
        with self._lock:
            hit = self._cache.get(user)
        if hit is not None and hit[0] >= time.monotonic():
            return hit[1]
        score = self.score(user)
        self.respond(score)
        return score

    def cached(self, user: str | None) -> int | None:
        """The score computed in the last few seconds (no store access), or None."""
        if user is None:
            return None
        with self._lock:
            hit = self._cache.get(user)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1].score

    def respond(self, score: Score) -> list[RiskResponseTaken]:
        """Take the configured responses whose threshold the score reached (once per hold)."""
        taken = []
        for r in sorted(self.config.responses, key=lambda r: r.at):
            if score.score < r.at:
                continue
            hold = max(r.block_seconds, self.config.half_life)
            if not self.store.set(f"risk:resp:{_q(score.user)}:{r.at}", b"1", ttl=hold,
                                  only_if_absent=True):
                continue
            if r.revoke_grants and self._revoke is not None:
                self._revoke(score.user)
            if r.block_seconds:
                self.store.set(f"risk:block:{_q(score.user)}", b"1", ttl=r.block_seconds)
            t = RiskResponseTaken(score.user, score.score, r.at, r.revoke_grants,
                                  r.block_seconds)
            taken.append(t)
            if self._on_response is not None:
                self._on_response(t)
        return taken

    def blocked_for(self, user: str) -> float | None:
        return self.store.ttl(f"risk:block:{_q(user)}")

    def clear(self, user: str) -> None:
        """Forget the user's signals, responses and block (``casb risk reset``)."""
        for prefix in (f"risk:s:{_q(user)}:", f"risk:resp:{_q(user)}:", f"risk:once:{_q(user)}:"):
            self.store.delete_prefix(prefix)
        self.store.delete(f"risk:block:{_q(user)}")
        with self._lock:
            self._cache.pop(user, None)


class _Later:
    """A queue of signal notes written by one worker thread, so the proxy never waits.

    The worker exits after a minute without work (an engine generation replaced by a reload
    leaves no thread behind). A full queue drops the note and counts it.
    """

    def __init__(self, engine: RiskEngine, on_error: Callable[[], None]) -> None:
        self._engine = engine
        self._on_error = on_error
        self._queue: queue.Queue[Callable[[], None]] = queue.Queue(maxsize=10_000)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def put(self, work: Callable[[], None]) -> None:
        try:
            self._queue.put_nowait(work)
        except queue.Full:
            self._on_error()
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="casb-risk",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                work = self._queue.get(timeout=60)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                work()
            except StoreError:
                self._on_error()
            finally:
                self._queue.task_done()

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until queued notes are written (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
