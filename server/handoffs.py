"""The handoff desk: every transition of a conversation between the bot and people, with what
the shopper and the consoles are told. Transitions are compare-and-set on the database
(server/handoff_queue.py); a claim also takes the conversation's lock, so it waits for a bot turn
in progress and no bot turn starts after it."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from server.conversations import Appended, message_frame
from server.hub import QUEUE_TOPIC

if TYPE_CHECKING:
    from server.gateway import Gateway

log = logging.getLogger(__name__)
CLAIM_WAIT_S = 30.0


class HandoffDesk:
    def __init__(self, gateway: Gateway, claim_wait_s: float = CLAIM_WAIT_S) -> None:
        self.gw = gateway
        self.claim_wait_s = claim_wait_s

    async def _system(self, conversation_id: str, text: str, source: str) -> None:
        stored = await asyncio.to_thread(self.gw.store.append, conversation_id, "system", text, source=source)
        if stored is not None:
            await self.gw.hub.publish(conversation_id, message_frame(stored.message))

    async def queue_changed(self) -> None:
        await self.gw.hub.publish(QUEUE_TOPIC, {"type": "queue_changed"})

    async def _wait(self, conversation_id: str, store_id: str | None) -> Any:
        online = await self.gw.presence.online(store_id)
        return await asyncio.to_thread(self.gw.queue.wait_info, conversation_id, online)

    # ------------------------------------------------------------------ shopper side
    async def request(self, conversation_id: str, trigger: str, reason: str, summary: str, *,
                      announce: bool = True) -> None:
        """Put the conversation in the queue and tell the shopper where they stand."""
        conv = await asyncio.to_thread(self.gw.store.get, conversation_id)
        if conv is None:
            return
        queued = await asyncio.to_thread(self.gw.queue.enqueue, conversation_id, trigger, reason, summary,
                                         conv.customer_id)
        if not queued:  # already queued or with a person: say so again, change nothing
            conv = await asyncio.to_thread(self.gw.store.get, conversation_id)
            if conv is not None and conv.status == "human":
                await self.gw.hub.publish(conversation_id, {
                    "type": "handoff", "status": "accepted", "reason": conv.handoff_reason or reason,
                    "staff": conv.assigned_staff, "text": f"You're chatting with {conv.assigned_staff}."})
            elif conv is not None and conv.status == "queued":
                await self._publish_wait(conversation_id, conv.store_id, conv.handoff_reason or reason)
            return
        if announce:
            log.info("handoff of %s: %s (%s)", conversation_id, reason, trigger)
        await self.gw.hub.publish(conversation_id, {
            "type": "handoff", "status": "requested", "reason": reason,
            "text": "You're being transferred to a member of our team."})
        info = await self._publish_wait(conversation_id, conv.store_id, reason)
        await self._system(conversation_id, info.text, "queue")
        await self.queue_changed()

    async def _publish_wait(self, conversation_id: str, store_id: str | None, reason: str) -> Any:
        info = await self._wait(conversation_id, store_id)
        await self.gw.hub.publish(conversation_id, {
            "type": "handoff", "status": "queued", "reason": reason, "text": info.text,
            "position": info.position, "estimated_wait_s": info.estimated_wait_s, "available": info.available})
        return info

    async def cancel(self, conversation_id: str) -> bool:
        """The shopper goes back to the bot before anyone claimed the conversation."""
        if not await asyncio.to_thread(self.gw.queue.cancel, conversation_id):
            return False
        await asyncio.to_thread(self.gw.agent.handed_back, conversation_id)
        text = "You've left the queue; you're back with the assistant. How can I help?"
        await self.gw.hub.publish(conversation_id, {"type": "handoff", "status": "cancelled",
                                                    "reason": "cancelled by the shopper", "text": text})
        await self._system(conversation_id, text, "handoff_cancelled")
        await self.queue_changed()
        return True

    async def end(self, conversation_id: str) -> bool:
        """The shopper ends the conversation (the kiosk's idle wipe, "start over"): a person who
        had it, or the queue, is told at once instead of waiting on someone who has gone."""
        was = await asyncio.to_thread(self.gw.queue.end, conversation_id)
        if was is None:
            return False
        text = "The shopper ended the conversation."
        await self._system(conversation_id, text, "ended")
        await self.gw.hub.publish(conversation_id, {"type": "handoff", "status": "closed", "by": "shopper",
                                                    "reason": "", "text": text})
        if was in ("queued", "human"):
            await self.queue_changed()
        return True

    # ------------------------------------------------------------------ staff side
    async def claim(self, conversation_id: str, staff: str) -> str | None:
        """None on success, else an error code (`unknown_conversation`, `already_claimed`, `busy`)."""
        async with self.gw.locks.hold(conversation_id, self.claim_wait_s) as owned:
            if not owned:
                return "busy"
            claimed = await asyncio.to_thread(self.gw.queue.claim, conversation_id, staff)
        if not claimed:
            conv = await asyncio.to_thread(self.gw.store.get, conversation_id)
            if conv is None or conv.status == "closed":
                return "unknown_conversation"
            return None if conv.assigned_staff == staff and conv.status == "human" else "already_claimed"
        conv = await asyncio.to_thread(self.gw.store.get, conversation_id)
        text = f"{staff} from our team has joined the chat."
        await self.gw.hub.publish(conversation_id, {"type": "handoff", "status": "accepted", "staff": staff,
                                                    "reason": (conv.handoff_reason if conv else None) or "",
                                                    "text": text})
        await self._system(conversation_id, text, "claimed")
        await self.queue_changed()
        return None

    async def staff_message(self, conversation_id: str, staff: str, text: str, client_id: str) -> Appended | None:
        """Persist and publish a staff reply; None when `staff` does not own the conversation."""
        stored = await asyncio.to_thread(self.gw.store.append, conversation_id, "staff", text, client_id=client_id,
                                         author=staff, only_if={"status": "human", "assigned_staff": staff})
        if stored is not None and not stored.duplicate:
            await self.gw.hub.publish(conversation_id, message_frame(stored.message))
        return stored

    async def release(self, conversation_id: str, staff: str) -> bool:
        if not await asyncio.to_thread(self.gw.queue.release, conversation_id, staff):
            return False
        await asyncio.to_thread(self.gw.agent.handed_back, conversation_id)
        text = f"{staff} handed you back to the assistant. Ask me anything, or ask for a person again."
        await self.gw.hub.publish(conversation_id, {"type": "handoff", "status": "released", "by": staff,
                                                    "reason": "", "text": text})
        await self._system(conversation_id, text, "released")
        await self.queue_changed()
        self.gw.forget_person(conversation_id)  # before our own frame comes back through Redis
        self.gw.runner.kick(conversation_id)
        return True

    async def close(self, conversation_id: str, staff: str) -> bool:
        if not await asyncio.to_thread(self.gw.queue.close, conversation_id, staff):
            return False
        text = f"{staff} closed this conversation. Thank you for contacting us; write again any time."
        await self.gw.hub.publish(conversation_id, {"type": "handoff", "status": "closed", "by": staff,
                                                    "reason": "", "text": text})
        await self._system(conversation_id, text, "closed")
        await self.queue_changed()
        return True
