"""A Presidio anonymizer operator that replaces a value by its conversation pseudonym.

Registered with `AnonymizerEngine.add_anonymizer`, as Presidio's docs recommend for
pseudonymisation; the operator only asks the `PseudonymMap` passed in its params, so the
engine itself stays stateless and shared between conversations.
"""

from __future__ import annotations

from presidio_anonymizer.operators import Operator, OperatorType

from privacy.pseudonyms import PseudonymMap


class PseudonymOperator(Operator):
    """params: {"mapping": PseudonymMap}; Presidio adds "entity_type"."""

    NAME = "pseudonym"

    def operate(self, text: str, params: dict | None = None) -> str:
        params = params or {}
        mapping: PseudonymMap = params["mapping"]
        return mapping.pseudonym_for(params["entity_type"], text)

    def validate(self, params: dict | None = None) -> None:
        if not params or not isinstance(params.get("mapping"), PseudonymMap):
            raise ValueError("the pseudonym operator needs a PseudonymMap under 'mapping'")

    def operator_name(self) -> str:
        return self.NAME

    def operator_type(self) -> OperatorType:
        return OperatorType.Anonymize
