"""Where the understanding layer's shipped files live."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
STORE_INTENTS_FILE = DATA_DIR / "store_intents.yaml"
BITEXT_FILE = DATA_DIR / "bitext" / "bitext_utterances.csv"
CLINC_FILE = DATA_DIR / "clinc150" / "clinc150_utterances.json.gz"
MODEL_FILE = DATA_DIR / "intent_model.joblib"
REPO_ROOT = PACKAGE_DIR.parent.parent
DEFAULT_CATALOG_FILE = REPO_ROOT / "tools" / "data" / "tau2_retail" / "db.json"
SHARED_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
