"""PII scrubbing for Concierge: Presidio detection, reversible per-conversation pseudonyms,
an output guard, log redaction and erasure. Configuration comes in explicitly
(`PrivacyConfig`); this package never reads settings or the environment."""

from privacy.config import DETECTED_ENTITY_TYPES, PrivacyConfig, RedactionPolicy
from privacy.conversation import ConversationPrivacy, PrivacyService
from privacy.detector import Detection, PiiDetector
from privacy.log_filter import PiiLogFilter, install_log_redaction
from privacy.output_guard import GuardVerdict, guard_output
from privacy.pseudonyms import PseudonymMap
from privacy.redaction import RedactionResult, redact
from privacy.store import InMemoryPseudonymStore, PseudonymStore, SqlPseudonymStore

__all__ = [
    "DETECTED_ENTITY_TYPES",
    "ConversationPrivacy",
    "Detection",
    "GuardVerdict",
    "InMemoryPseudonymStore",
    "PiiDetector",
    "PiiLogFilter",
    "PrivacyConfig",
    "PrivacyService",
    "PseudonymMap",
    "PseudonymStore",
    "RedactionPolicy",
    "RedactionResult",
    "SqlPseudonymStore",
    "guard_output",
    "install_log_redaction",
    "redact",
]
