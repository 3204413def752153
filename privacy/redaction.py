"""Detect, then replace what the policy says, with the conversation's pseudonyms.

Replacement goes through Presidio's `AnonymizerEngine` with the `pseudonym` operator, so the
text surgery (offsets, overlaps) is Presidio's; detection and policy stay separate: every
detection is reported, only the policy's types are replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from privacy.config import RedactionPolicy
from privacy.detector import Detection, PiiDetector
from privacy.engine import build_anonymizer
from privacy.pseudonym_operator import PseudonymOperator
from privacy.pseudonyms import PseudonymMap
from privacy.text_input import clean_text


@dataclass(frozen=True)
class RedactionResult:
    text: str  # the cleaned input the offsets refer to
    redacted: str
    entities: list[Detection]  # everything detected
    replaced: list[Detection]  # what the policy replaced

    def __repr__(self) -> str:  # the input is PII: keep it out of reprs and logs
        return f"RedactionResult(entities={len(self.entities)}, replaced={len(self.replaced)})"


def apply_pseudonyms(text: str, detections: Iterable[Detection], mapping: PseudonymMap) -> str:
    results = [RecognizerResult(d.entity_type, d.start, d.end, d.score) for d in detections]
    if not results:
        return text
    out = build_anonymizer().anonymize(
        text=text,
        analyzer_results=results,
        operators={"DEFAULT": OperatorConfig(PseudonymOperator.NAME, {"mapping": mapping})},
    )
    return out.text


def redact(
    text: str | bytes | None,
    detector: PiiDetector,
    policy: RedactionPolicy | None = None,
    mapping: PseudonymMap | None = None,
    known: Mapping[str, Iterable[str]] | None = None,
) -> RedactionResult:
    """Pseudonymise `text`: `mapping` (a fresh one if None) gains the new values."""
    policy = policy or detector.config.policy
    clean = clean_text(text)[: detector.config.max_input_chars]
    entities = detector.detect(clean, known=known)
    replaced = [d for d in entities if policy.should_redact(d.entity_type, d.score)]
    mapping = mapping if mapping is not None else PseudonymMap(conversation_id="-")
    return RedactionResult(clean, apply_pseudonyms(clean, replaced, mapping), entities, replaced)
