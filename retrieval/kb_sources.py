"""Knowledge-base sources -> `KbSection`s -> `IndexDoc`s.

- Markdown (the τ² store policy, any FAQ file): one section per heading, titled by the heading,
  with the parent headings kept as `path`. Hand-written splitter (a dozen lines): the langchain
  text splitters are not a dependency and we need the heading tree, not just chunks.
- ABCD's guidelines.json: one section per subflow ('Initiate Refund' under 'Product Defect').
Long sections are cut into ~180-word chunks at paragraph boundaries (MiniLM reads 256 word
pieces), and each distinctive sentence gets a point of its own (see `kb_docs`); all of a
section's points share its id and title, and search returns the section once, at its best point."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from retrieval.documents import IndexDoc
from retrieval.models import KbSection

ABCD_GUIDELINES = Path(__file__).resolve().parent / "data" / "abcd" / "guidelines.json"
MAX_WORDS = 180
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "section"


def markdown_sections(markdown: str, *, source: str, doc_id: str) -> list[KbSection]:
    """Split Markdown at headings. Text before the first heading belongs to a section titled
    by the document id."""
    sections: list[KbSection] = []
    stack: list[tuple[int, str]] = []
    title, level, lines = doc_id, 0, []
    seen: dict[str, int] = {}
    in_fence = False

    def flush() -> None:
        body = "\n".join(lines).strip()
        if not body and level == 0:
            return
        base = f"{doc_id}/{slug(title)}" if level else doc_id
        n = seen.get(base, 0)
        seen[base] = n + 1
        sid = base if n == 0 else f"{base}-{n + 1}"
        parents = tuple(t for lvl, t in stack if lvl < level)
        sections.append(KbSection(section_id=sid, title=title, text=body or title, source=source,
                                  path=parents))

    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            flush()
            level, title, lines = len(m.group(1)), m.group(2).strip(), []
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
        else:
            lines.append(line)
    flush()
    return sections


def _abcd_action_text(action: dict[str, Any]) -> str:
    text = str(action.get("text", "")).strip()
    subs = [f"- {s}" for s in action.get("subtext", []) if str(s).strip()]
    return "\n".join([text, *subs]).strip()


def abcd_sections(path: Path = ABCD_GUIDELINES) -> list[KbSection]:
    """ABCD guidelines: {flow: {description, subflows: {name: {instructions[], actions[]}}}}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out: list[KbSection] = []
    for flow, body in data.items():
        description = str(body.get("description", "")).strip()
        for name, sub in body.get("subflows", {}).items():
            parts = [f"{flow}: {description}." if description else f"{flow}."]
            parts += [str(i).strip() for i in sub.get("instructions", []) if str(i).strip()]
            parts += [_abcd_action_text(a) for a in sub.get("actions", [])]
            out.append(KbSection(section_id=f"abcd/{slug(flow)}/{slug(name)}", title=name,
                                 text="\n\n".join(p for p in parts if p), source="abcd", path=(flow,)))
    return out


def faq_sections(folder: Path) -> list[KbSection]:
    """Every *.md under `folder` (sorted, recursive); the document id is its relative path."""
    out: list[KbSection] = []
    for file in sorted(Path(folder).rglob("*.md")):
        rel = file.relative_to(folder).with_suffix("").as_posix()
        out += markdown_sections(file.read_text(encoding="utf-8"), source="faq",
                                 doc_id=f"faq/{slug(rel)}")
    return out


def chunk_text(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Greedy paragraph packing; a paragraph longer than max_words is cut at line breaks, then
    at word counts."""
    pieces: list[str] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        words = para.split()
        if len(words) <= max_words:
            pieces.append(para.strip())
            continue
        buf: list[str] = []
        for line in para.splitlines():
            lw = line.split()
            while len(lw) > max_words:
                pieces.append(" ".join(lw[:max_words]))
                lw = lw[max_words:]
            if sum(len(b.split()) for b in buf) + len(lw) > max_words and buf:
                pieces.append("\n".join(buf))
                buf = []
            if lw:
                buf.append(" ".join(lw) if line.split() != lw else line)
        if buf:
            pieces.append("\n".join(buf))
    chunks: list[str] = []
    cur: list[str] = []
    count = 0
    for p in pieces:
        n = len(p.split())
        if cur and count + n > max_words:
            chunks.append("\n\n".join(cur))
            cur, count = [], 0
        cur.append(p)
        count += n
    if cur:
        chunks.append("\n\n".join(cur))
    return chunks or [text.strip()]


LEAD_WORDS = 60


def lead(text: str, words: int = LEAD_WORDS) -> str:
    """The opening of a section (what it is about), cut at a sentence end when one is near."""
    toks = text.split()
    if len(toks) <= words:
        return " ".join(toks)
    head = " ".join(toks[:words])
    cut = max(head.rfind(". "), head.rfind("? "), head.rfind(": "))
    return head[:cut + 1] if cut > len(head) // 2 else head


def sentences(text: str, min_words: int = 5) -> list[str]:
    """Sentences and list items of a section; a short one joins the next."""
    units: list[str] = []
    for line in text.splitlines():
        line = line.strip().lstrip("-*• ").strip()
        if line:
            units += [u for u in re.split(r"(?<=[.?!])\s+(?=[A-Z\[\'\"])", line) if u.strip()]
    out: list[str] = []
    buf = ""
    for u in units:
        buf = f"{buf} {u}".strip()
        if len(buf.split()) >= min_words:
            out.append(buf)
            buf = ""
    if buf:
        if out:
            out[-1] += " " + buf
        else:
            out.append(buf)
    return out


SHARED_SENTENCE_SECTIONS = 3


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def kb_docs(sections: Iterable[KbSection], *, max_words: int = MAX_WORDS,
            shared: int = SHARED_SENTENCE_SECTIONS) -> Iterator[IndexDoc]:
    """Per section, points that search folds back to one result:

    - one per chunk (the section's text, ~180 words each);
    - for sections longer than their lead, a 'lead' point (breadcrumb, title and opening lines),
      so procedure boilerplate further down does not drown what the section is about;
    - one per sentence or list item, prefixed with the breadcrumb ('sentence-window' retrieval):
      a question usually matches one sentence of a policy ('What are some of the benefits of
      membership?'), and a 180-word chunk averages that sentence away. Sentences found in
      `shared` or more sections ('Start by looking up the order…') tell no section apart and
      get no point of their own.
    A sentence point returns the chunk that holds the sentence as its text."""
    sections = list(sections)
    split = [[(s, _norm(s)) for s in sentences(sec.text)] for sec in sections]
    seen_in: dict[str, int] = {}
    for pairs in split:
        for norm in {norm for _, norm in pairs}:
            seen_in[norm] = seen_in.get(norm, 0) + 1
    for sec, pairs in zip(sections, split):
        heading = " › ".join([*sec.path, sec.title])
        chunks = chunk_text(sec.text, max_words)
        base = {"source": sec.source, "section_id": sec.section_id, "path": list(sec.path),
                "chunks": len(chunks)}
        opening = lead(sec.text)

        def point(key: str, chunk: int, dense: str, sparse: str) -> IndexDoc:
            return IndexDoc(key=key, result_id=sec.section_id, title=sec.title, text=chunks[chunk],
                            dense_text=dense, sparse_text=sparse, scope=f"kb:{sec.source}",
                            payload={**base, "chunk": chunk + 1})

        if len(chunks) > 1 or len(opening.split()) < len(sec.text.split()):
            yield point(f"{sec.section_id}#lead", 0, f"{heading}: {opening}",
                        f"{heading} {sec.title} {opening}")
        for i, chunk in enumerate(chunks):
            yield point(sec.section_id if i == 0 else f"{sec.section_id}#{i + 1}", i,
                        f"{heading}\n\n{chunk}", f"{heading} {sec.title} {chunk}")
        norm_chunks = [_norm(c) for c in chunks]
        n = 0
        for sentence, norm in pairs:
            if seen_in[norm] >= shared:
                continue
            n += 1
            chunk = next((i for i, c in enumerate(norm_chunks) if norm in c), 0)
            yield point(f"{sec.section_id}#s{n}", chunk, f"{heading}: {sentence}", f"{sec.title} {sentence}")
