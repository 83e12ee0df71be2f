"""One SMA emulator per call on one fake Chime endpoint: routes the endpoint's voice requests (place a
call, update a call) to the emulator of the call they name."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from simulator.fake_chime import FakeChime
from simulator.sma import Behaviour, Dialogue, SmaEmulator, VirtualClock


class SmaSwitchboard:
    """The fake Chime endpoint knows one SMA; this routes its calls to the emulator of each call."""

    def __init__(self, chime: FakeChime) -> None:
        self._chime = chime
        self._by_transaction: dict[str, Callable[[str, str, dict[str, str]], bool]] = {}
        self._by_callee: dict[str, Callable[[str, str, str, dict[str, str]], str]] = {}
        self._update_of: dict[SmaEmulator, Callable[[str, str, dict[str, str]], bool]] = {}
        self._lock = threading.Lock()

    def emulator(
        self,
        invoke: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        callee: str,
        behaviour: Behaviour,
        sma_id: str,
    ) -> SmaEmulator:
        """An SMA for one call; `callee`: the number it dials if the call is placed through the voice API.

        Call before any traffic: the emulator installs its hooks on the fake, which this takes back.
        """
        clock = VirtualClock()
        sma = SmaEmulator(
            invoke=invoke,
            chime=self._chime,
            clock=clock,
            dialogue=Dialogue(clock),
            behaviour=behaviour,
            sma_id=sma_id,
        )
        update, create = self._chime.on_update_call, self._chime.on_create_call
        assert update is not None and create is not None
        self._by_callee[callee] = lambda *args: self._created(update, create(*args))
        self._update_of[sma] = update
        self._chime.on_update_call, self._chime.on_create_call = self._update, self._create
        return sma

    def place(self, transaction_id: str, sma: SmaEmulator) -> None:
        """Route the asynchronous requests for an inbound call (known once the SMA has rung it)."""
        with self._lock:
            self._by_transaction[transaction_id] = self._update_of[sma]

    def _created(self, update: Callable[[str, str, dict[str, str]], bool], transaction_id: str) -> str:
        with self._lock:
            self._by_transaction[transaction_id] = update
        return transaction_id

    def _create(self, sma_id: str, from_number: str, to_number: str, arguments: dict[str, str]) -> str:
        hook = self._by_callee.get(to_number)
        if hook is None:
            raise LookupError(f"no emulated SMA dials {to_number}")
        return hook(sma_id, from_number, to_number, arguments)

    def _update(self, sma_id: str, transaction_id: str, arguments: dict[str, str]) -> bool:
        with self._lock:
            hook = self._by_transaction.get(transaction_id)
        return hook is not None and hook(sma_id, transaction_id, arguments)
