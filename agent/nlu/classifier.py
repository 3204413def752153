"""The intent model: multinomial logistic regression over MiniLM embeddings, with an explicit
`out_of_scope` class and a tuned threshold on its probability.

An utterance is out of scope when P(out_of_scope) is the largest probability, or when it is at
least `oos_threshold` (chosen on validation data by `agent.nlu.train`). Otherwise its intent is
the most probable in-scope label. The artifact holds plain numpy arrays (no pickled estimator),
so it loads in milliseconds and does not depend on the scikit-learn version."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agent.nlu.labels import OUT_OF_SCOPE


@dataclass(frozen=True)
class Decision:
    intent: str
    confidence: float
    out_of_scope: bool
    best_in_scope: str
    ranking: list[tuple[str, float]]


@dataclass
class IntentModel:
    labels: list[str]
    coef: np.ndarray  # (n_labels, dim)
    intercept: np.ndarray  # (n_labels,)
    oos_threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._oos = self.labels.index(OUT_OF_SCOPE)
        self._labels = np.array(self.labels)

    def proba(self, emb: np.ndarray) -> np.ndarray:
        """Class probabilities for L2-normalised embeddings, shape (n, n_labels)."""
        z = emb.astype(np.float32) @ self.coef.T.astype(np.float32) + self.intercept.astype(np.float32)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def flags(self, proba: np.ndarray, threshold: float | None = None) -> np.ndarray:
        """Out-of-scope flags for rows of `proba`."""
        t = self.oos_threshold if threshold is None else threshold
        p_oos = proba[:, self._oos]
        in_scope = np.delete(proba, self._oos, axis=1)
        return (p_oos >= t) | (p_oos >= in_scope.max(axis=1))

    def decide(self, emb: np.ndarray, top: int = 3) -> list[Decision]:
        proba = self.proba(emb)
        flags = self.flags(proba)
        masked = proba.copy()
        masked[:, self._oos] = -1.0
        out = []
        for row, m, flag in zip(proba, masked, flags):
            best = int(m.argmax())
            order = np.argsort(-row)[:top]
            ranking = [(self.labels[i], round(float(row[i]), 4)) for i in order]
            if flag:
                out.append(Decision(OUT_OF_SCOPE, float(row[self._oos]), True, self.labels[best], ranking))
            else:
                out.append(Decision(self.labels[best], float(row[best]), False, self.labels[best], ranking))
        return out

    # ------------------------------------------------------------------ persistence

    def save(self, path: Path) -> None:
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"labels": list(self.labels), "coef": self.coef.astype(np.float32),
                     "intercept": self.intercept.astype(np.float32),
                     "oos_threshold": float(self.oos_threshold), "meta": self.meta}, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        import joblib

        d = joblib.load(path)
        return cls(list(d["labels"]), np.asarray(d["coef"]), np.asarray(d["intercept"]),
                   float(d["oos_threshold"]), dict(d.get("meta", {})))
