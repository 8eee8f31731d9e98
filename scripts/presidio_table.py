#!/usr/bin/env python3
"""Merge `examples/eval` Markdown tables of several runs into one table:
per kind, precision / recall / F1 of each run side by side.

    presidio_table.py piiscan=a.md "Presidio (score >= 0)"=b.md ...

Presidio rows for kinds that no Presidio entity is mapped to (see
PRESIDIO_KINDS) show "no entity" instead of 0 / 0.  Two micro rows close the table: over all
planted kinds, and over the kinds Presidio has a mapped entity for.
"""

import sys

# piiscan kinds that scripts/presidio_scan.py maps a Presidio entity to.
PRESIDIO_KINDS = {
    "email", "phone", "card", "ipv4", "ipv6", "person", "address",
    "birth_date", "iban",
}


def parse(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("| ") or line.startswith("| kind") or line.startswith("|---"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            name = cells[0].strip("`")
            labels, findings, tp, fp, fn = (int(c) for c in cells[1:6])
            rows[name] = dict(labels=labels, findings=findings, tp=tp, fp=fp, fn=fn)
    return rows


def prf(r):
    p = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else None
    rec = r["tp"] / (r["tp"] + r["fn"]) if r["tp"] + r["fn"] else None
    f1 = 2 * p * rec / (p + rec) if p is not None and rec is not None and p + rec else 0.0
    return p, rec, f1


def fmt(x):
    return "–" if x is None else f"{x:.3f}"


def main():
    runs = []
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        runs.append((name, parse(path)))
    first = runs[0][1]
    kinds = [k for k in first if k != "**all (micro)**"]

    head = "| kind | labels |" + "".join(f" {n} P | {n} R | {n} F1 |" for n, _ in runs)
    print(head)
    print("|---|---:|" + "---:|---:|---:|" * len(runs))

    def cells(name, rows, kind):
        r = rows.get(kind)
        if r is None:
            return " – | – | – |"
        base = kind.lstrip("↳ ").split(" ")[0]
        if name.lower().startswith("presidio") and base not in PRESIDIO_KINDS:
            return " no entity | | |"
        p, rec, f1 = prf(r)
        return f" {fmt(p)} | {fmt(rec)} | {f1:.3f} |"

    for kind in kinds:
        label = f"`{kind}`" if not kind.startswith("↳") else kind
        line = f"| {label} | {first[kind]['labels']} |"
        for name, rows in runs:
            line += cells(name, rows, kind)
        print(line)

    def micro(rows, only=None):
        tot = dict(tp=0, fp=0, fn=0, labels=0)
        for k, r in rows.items():
            if k.startswith("↳") or k == "**all (micro)**":
                continue
            if only is not None and k not in only:
                continue
            for f in tot:
                tot[f] += r[f]
        return tot

    for title, only in (("**all kinds (micro)**", None),
                        ("**kinds Presidio maps (micro)**", PRESIDIO_KINDS)):
        m0 = micro(first, only)
        line = f"| {title} | {m0['labels']} |"
        for _, rows in runs:
            p, rec, f1 = prf(micro(rows, only))
            line += f" {fmt(p)} | {fmt(rec)} | {f1:.3f} |"
        print(line)


if __name__ == "__main__":
    main()
