"""The intent model: multinomial logistic regression over MiniLM embeddings, with an explicit
`out_of_scope` class and a tuned threshold on its probability.

An utterance is out of scope when P(out_of_scope) is at least `oos_threshold` (chosen on
validation data by `agent.nlu.train`). Otherwise its intent is the most probable in-scope label. The artifact holds plain numpy arrays (no pickled estimator),
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
    p_oos: float = 0.0
    p_best: float = 0.0


@dataclass
class IntentModel:
    labels: list[str]
    coef: np.ndarray  # (n_labels, dim)
    intercept: np.ndarray  # (n_labels,)
    oos_threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)
    min_confidence: float = 0.0  # applied by the NLU rules to utterances without store slots

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
        return proba[:, self._oos] >= t

    def decide(self, emb: np.ndarray, top: int = 3) -> list[Decision]:
        return self.decide_proba(self.proba(emb), top=top)

    def decide_proba(self, proba: np.ndarray, top: int = 3, threshold: float | None = None) -> list[Decision]:
        flags = self.flags(proba, threshold)
        masked = proba.copy()
        masked[:, self._oos] = -1.0
        out = []
        for row, m, flag in zip(proba, masked, flags):
            best = int(m.argmax())
            order = np.argsort(-row)[:top]
            ranking = [(self.labels[i], round(float(row[i]), 4)) for i in order]
            p_oos, p_best = float(row[self._oos]), float(row[best])
            if flag:
                out.append(Decision(OUT_OF_SCOPE, p_oos, True, self.labels[best], ranking, p_oos, p_best))
            else:
                out.append(Decision(self.labels[best], p_best, False, self.labels[best], ranking, p_oos, p_best))
        return out

    # ------------------------------------------------------------------ persistence

    def save(self, path: Path) -> None:
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"labels": list(self.labels), "coef": self.coef.astype(np.float32),
                     "intercept": self.intercept.astype(np.float32),
                     "oos_threshold": float(self.oos_threshold), "min_confidence": float(self.min_confidence),
                     "meta": self.meta}, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        import joblib

        d = joblib.load(path)
        return cls(list(d["labels"]), np.asarray(d["coef"]), np.asarray(d["intercept"]),
                   float(d["oos_threshold"]), dict(d.get("meta", {})), float(d.get("min_confidence", 0.0)))
