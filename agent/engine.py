"""The conversation engine: a LangGraph graph (understand -> decide -> respond) whose state
persists per conversation through a checkpointer on the app's SQL database."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from agent.dialogue import Dialogue, Draft, Turn, fixed
from agent.handoff import EXPLICIT, HandoffPolicy, HandoffTrigger
from agent.ports import Pseudonymizer, Retriever, Understander, Understood
from agent.replies import reply
from agent.respond import ReplyWriter, Written
from agent.sentiment import Sentiment, SentimentAnalyzer
from tools.service import ToolService
from tools.session import ToolSession

HISTORY_TURNS = 12


def _keep_recent(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return (old + new)[-2 * HISTORY_TURNS:]


class AgentState(TypedDict, total=False):
    """What persists between turns. Text is pseudonymised; no raw PII is checkpointed."""

    history: Annotated[list[dict[str, Any]], _keep_recent]
    task: dict[str, Any] | None
    pending: dict[str, Any] | None
    failures: int
    negative_streak: int
    last_intent: str
    handed_off: bool
    llm_down_streak: int
    turns: Annotated[int, operator.add]


@dataclass
class TurnResult:
    text: str
    cards: list[dict[str, Any]]
    quick_replies: list[str]
    handoff: dict[str, Any] | None
    understood: Understood
    sentiment: Sentiment
    source: str
    llm_error: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class _Run:
    """Per-turn runtime objects handed to the nodes (never checkpointed)."""

    conversation_id: str
    text: str
    session: ToolSession
    on_token: Callable[[str], None]
    understood: Understood | None = None
    sentiment: Sentiment | None = None
    draft: Draft | None = None
    written: Written | None = None
    timings: dict[str, float] = field(default_factory=dict)


class Agent:
    def __init__(self, tools: ToolService, nlu: Understander, writer: ReplyWriter, *,
                 checkpointer: BaseCheckpointSaver | None = None, retriever: Retriever | None = None,
                 pseudonymizer: Pseudonymizer | None = None, handoff: HandoffPolicy | None = None,
                 sentiment: SentimentAnalyzer | None = None, dialogue: Any | None = None) -> None:
        """`dialogue`: the decision policy; default the intents mode's `Dialogue`
        (`ToolsModeDialogue` lets a capable LLM choose the tools)."""
        self.nlu = nlu
        self.tools = tools
        self.dialogue = dialogue or Dialogue(tools, nlu, retriever)
        self.writer = writer
        self.pseudonymizer = pseudonymizer
        self.handoff = handoff or HandoffPolicy()
        self.sentiment = sentiment or SentimentAnalyzer()
        # Without a saver the state would not survive between turns; the server passes its SQL one.
        self.graph = self._build().compile(checkpointer=checkpointer or InMemorySaver())

    # ------------------------------------------------------------------ graph

    def _build(self) -> StateGraph:
        g = StateGraph(AgentState)
        g.add_node("understand", self._understand)
        g.add_node("decide", self._decide)
        g.add_node("respond", self._respond)
        g.add_edge(START, "understand")
        g.add_edge("understand", "decide")
        g.add_edge("decide", "respond")
        g.add_edge("respond", END)
        return g

    @staticmethod
    def _run(config: RunnableConfig) -> _Run:
        return config["configurable"]["run"]

    def _understand(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        run = self._run(config)
        t0 = time.perf_counter()
        run.understood = self.nlu.understand(run.text)
        run.sentiment = self.sentiment(run.text)
        run.timings["understand"] = (time.perf_counter() - t0) * 1000
        negative = run.sentiment.label == "negative"
        return {"last_intent": run.understood.intent,
                "negative_streak": (state.get("negative_streak", 0) + 1) if negative else 0}

    def _decide(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        run = self._run(config)
        assert run.understood is not None and run.sentiment is not None
        t0 = time.perf_counter()
        draft, new_state = self.dialogue.decide(dict(state), Turn(run.conversation_id, run.understood, run.session))
        failures = 0 if draft.understood else state.get("failures", 0) + 1
        new_state["failures"] = failures
        found = None if draft.handoff else self.handoff.trigger(run.text, run.understood, run.sentiment, new_state)
        if found is not None:
            draft = fixed(reply("handoff"), handoff=self._hand_off(run, found))
            new_state["pending"] = None
        elif draft.handoff and not self.handoff.allows(draft.handoff.get("trigger", EXPLICIT)):
            draft.handoff = None  # that kind of handoff is switched off: the reply stands alone
        run.draft = draft
        run.timings["decide"] = (time.perf_counter() - t0) * 1000
        return {"task": new_state.get("task"), "pending": new_state.get("pending"), "failures": failures,
                "handed_off": bool(draft.handoff) or state.get("handed_off", False)}

    def _respond(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        run = self._run(config)
        assert run.draft is not None
        t0 = time.perf_counter()
        run.written = self.writer.write(run.conversation_id, run.draft, run.text, run.on_token)
        run.timings["respond"] = (time.perf_counter() - t0) * 1000
        down = bool(run.written.llm_error or run.draft.llm_down)
        previous = state.get("llm_down_streak", 0)
        streak = previous + 1 if down else (previous if not run.draft.use_llm else 0)  # untried: unchanged
        found = None if run.draft.handoff else self.handoff.llm_down(streak)
        if found is not None:  # the reply (a template) stands; a person is asked to follow up
            run.draft.handoff = {**self._hand_off(run, found), "announce": True}
        p = self._pseudo(run.conversation_id)
        return {"history": [{"role": "shopper", "text": p(run.text)},
                            {"role": "assistant", "text": p(run.written.text)}], "turns": 1,
                "llm_down_streak": streak, "handed_off": bool(run.draft.handoff) or state.get("handed_off", False)}

    def _hand_off(self, run: _Run, found: HandoffTrigger) -> dict[str, Any]:
        """Record the transfer through the tool layer (audited) and describe it for the queue."""
        assert run.understood is not None and run.sentiment is not None
        summary = (f"Handoff: {found.reason}. Intent: {run.understood.intent}; "
                   f"sentiment {run.sentiment.label} ({run.sentiment.score:+.2f}).")
        self.tools.call(run.session, "transfer_to_human_agents", {"summary": summary})
        return {"reason": found.reason, "trigger": found.kind, "summary": summary}

    def _pseudo(self, conversation_id: str) -> Callable[[str], str]:
        if self.pseudonymizer is None:
            return lambda t: t
        return lambda t: self.pseudonymizer.pseudonymize(conversation_id, t)  # type: ignore[union-attr]

    # ------------------------------------------------------------------ API

    def run_turn(self, conversation_id: str, text: str, session: ToolSession,
                 on_token: Callable[[str], None] = lambda _t: None) -> TurnResult:
        run = _Run(conversation_id, text, session, on_token)
        self.graph.invoke({}, config={"configurable": {"thread_id": conversation_id, "run": run}})
        assert run.understood and run.sentiment and run.draft and run.written
        quick = list(run.draft.quick_replies)
        if run.written.llm_error and "Talk to a person" not in quick:
            quick.append("Talk to a person")
        return TurnResult(run.written.text, run.draft.cards, quick, run.draft.handoff, run.understood,
                          run.sentiment, run.written.source, run.written.llm_error, run.timings)

    def handed_back(self, conversation_id: str) -> None:
        """A person hands the conversation back: start the handoff counters afresh, drop any
        write awaiting a yes (the person may have changed things), keep the history."""
        config: RunnableConfig = {"configurable": {"thread_id": conversation_id}}
        if self.graph.get_state(config).values:
            self.graph.update_state(config, {"failures": 0, "negative_streak": 0, "llm_down_streak": 0,
                                             "pending": None, "task": None, "handed_off": False})

    def state(self, conversation_id: str) -> dict[str, Any]:
        snap = self.graph.get_state({"configurable": {"thread_id": conversation_id}})
        return dict(snap.values) if snap else {}
