#!/usr/bin/env python3
"""Regenerate the table of docs/comparison.md from a Checkov and a mamori run.

    checkov -d CORPUS --framework kubernetes --skip-download -o json > checkov.json
    (cd CORPUS && mamori scan . --fail-on never --format json) > mamori.json
    tools/compare_checkov.py checkov.json mamori.json            # the table
    tools/compare_checkov.py checkov.json mamori.json --details CKV_K8S_40

Objects are matched by (file, kind, name): Checkov names a resource
`Kind.namespace.name` with `default` for an unset namespace, mamori reports
the namespace it assumed, so the namespace is left out of the key. Neither
tool's output is committed; this script and the mapping below are.
"""

import argparse
import json
import re
import sys
from collections import defaultdict

# Checkov check -> (mamori codes that judge the same thing, note). An empty
# tuple means no mamori check; the note says why.
FULL = "RBAC001 reports full control once"

MAPPING = {
    "CKV_K8S_1": (("SCH007",), "PodSecurityPolicy, removed in 1.25: mamori reports the object once, as not served"),
    "CKV_K8S_2": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_3": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_4": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_5": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_6": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_7": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_32": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_36": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_24": (("SCH007",), "PodSecurityPolicy (see CKV_K8S_1)"),
    "CKV_K8S_8": (("POD027",), ""),
    "CKV_K8S_9": (("POD028",), ""),
    "CKV_K8S_10": (("POD021",), "mamori: no CPU nor memory request (a limit defaults the request)"),
    "CKV_K8S_11": (("POD029",), ""),
    "CKV_K8S_12": (("POD021", "POD042"), "POD021: no request at all; POD042: CPU but no memory (a memory limit defaults the request)"),
    "CKV_K8S_13": (("POD020",), ""),
    "CKV_K8S_14": (("IMG001",), ""),
    "CKV_K8S_15": (("IMG003",), "different rule: mamori flags a mutable tag without Always"),
    "CKV_K8S_16": (("POD001",), ""),
    "CKV_K8S_17": (("POD011",), ""),
    "CKV_K8S_18": (("POD012",), ""),
    "CKV_K8S_19": (("POD013",), ""),
    "CKV_K8S_20": (("POD002",), ""),
    "CKV_K8S_21": (("POD031",), "mamori: only a namespace written as default"),
    "CKV_K8S_22": (("POD010",), ""),
    "CKV_K8S_23": (("POD003", "POD004"), ""),
    "CKV_K8S_25": (("POD006", "POD025"), ""),
    "CKV_K8S_26": (("POD016",), ""),
    "CKV_K8S_27": (("POD014",), ""),
    "CKV_K8S_28": (("POD005", "POD006"), "NET_RAW is in the runtime default set: drop ALL (POD005)"),
    "CKV_K8S_29": ((), "no field-presence check; each setting is judged by its own POD check"),
    "CKV_K8S_30": ((), "no field-presence check; each setting is judged by its own POD check"),
    "CKV_K8S_31": (("POD007",), ""),
    "CKV_K8S_33": (("EXP008",), ""),
    "CKV_K8S_34": (("EXP007",), ""),
    "CKV_K8S_35": (("SEC004",), ""),
    "CKV_K8S_37": (("POD005",), ""),
    "CKV_K8S_38": (("POD023",), ""),
    "CKV_K8S_39": (("POD006",), ""),
    "CKV_K8S_40": (("POD003", "POD004", "POD030"), "mamori: root (POD003), unknown user (POD004), uid below 10000 (POD030)"),
    "CKV_K8S_41": (("POD022",), ""),
    "CKV_K8S_42": (("POD022",), ""),
    "CKV_K8S_43": (("IMG002",), ""),
    "CKV_K8S_44": (("EXP007",), ""),
    "CKV_K8S_45": (("EXP007",), ""),
    "CKV_K8S_49": (("RBAC002",), ""),
    "CKV_K8S_153": (("EXP009",), ""),
    "CKV_K8S_154": (("EXP009",), ""),
    "CKV_K8S_152": (("EXP009",), ""),
    # Full control is reported once, by RBAC001 on the binding, not by every
    # narrower check; a role counts as flagged when a binding of it is.
    "CKV_K8S_155": (("RBAC010", "RBAC001"), FULL),
    "CKV_K8S_156": (("RBAC009", "RBAC001"), FULL),
    "CKV_K8S_157": (("RBAC006", "RBAC001"), FULL),
    "CKV_K8S_158": (("RBAC006", "RBAC001"), FULL),
    "CKV2_K8S_1": (("RBAC006", "RBAC001"), FULL),
    "CKV2_K8S_2": (("RBAC004", "RBAC008", "RBAC001"), FULL),
    "CKV2_K8S_3": (("RBAC006", "RBAC001"), FULL),
    "CKV2_K8S_4": (("RBAC019", "RBAC001"), FULL),
    "CKV2_K8S_5": (("RBAC003", "RBAC001"), FULL),
}


def checkov_results(path):
    with open(path) as f:
        data = json.load(f)
    runs = data if isinstance(data, list) else [data]
    failed, passed = defaultdict(set), defaultdict(set)
    names = {}
    for run in runs:
        if run.get("check_type") != "kubernetes":
            continue
        for key, into in (("failed_checks", failed), ("passed_checks", passed)):
            for r in run["results"][key]:
                kind, _ns, name = r["resource"].split(".", 2)
                obj = (r["file_path"].lstrip("/"), kind, name)
                into[r["check_id"]].add(obj)
                names[r["check_id"]] = r["check_name"]
    return failed, passed, names


def mamori_results(path, prefix):
    with open(path) as f:
        data = json.load(f)
    flagged = defaultdict(set)
    for f in data["findings"]:
        o = f.get("object")
        if not o:
            continue
        p = f["location"]["path"]
        for pre in (prefix, "./"):
            if pre and p.startswith(pre):
                p = p[len(pre):]
        flagged[f["code"]].add((p.lstrip("/"), o["kind"], o["name"]))
        # A binding's finding names the role it grants: the role is flagged too.
        for kind, name in ROLE_IN_CHAIN.findall(f["message"]):
            flagged[f["code"]].add(("*", kind, name.split("/")[-1]))
    return flagged


ROLE_IN_CHAIN = re.compile(r"-> (ClusterRole|Role) ([\w.:/-]+)")


def flagged_in(objects, m):
    """The objects of `objects` that mamori flags, directly or through a binding."""
    return {o for o in objects if o in m or ("*", o[1], o[2]) in m}


def sort_key(check_id):
    head, num = check_id.rsplit("_", 1)
    return (head, int(num))


def table(failed, passed, names, flagged):
    out = [
        "| Checkov | what it checks | Checkov fails | mamori | mamori flags | both | Checkov only | mamori only |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    mapped = set()
    for cid in sorted(failed, key=sort_key):
        codes, note = MAPPING.get(cid, ((), "not mapped yet"))
        mapped.update(codes)
        c_fail = failed[cid]
        evaluated = c_fail | passed.get(cid, set())
        m = set().union(*(flagged.get(c, set()) for c in codes)) if codes else set()
        # Only objects Checkov evaluated: the others it cannot disagree on.
        m_eval = flagged_in(evaluated, m)
        code_text = ", ".join(codes) if codes else "none"
        if note:
            code_text += f" ({note})"
        if codes:
            cells = [len(m_eval), len(c_fail & m_eval), len(c_fail - m_eval), len(m_eval - c_fail)]
        else:
            cells = ["-", "-", len(c_fail), "-"]
        out.append(
            f"| {cid} | {names[cid]} | {len(c_fail)} | {code_text} | " + " | ".join(str(c) for c in cells) + " |"
        )
    extra = sorted(c for c in flagged if c not in mapped)
    out.append("")
    out.append("mamori codes with no Checkov check firing on the corpus (objects flagged):")
    out.append("")
    out.append(", ".join(f"{c} ({len({o for o in flagged[c] if o[0] != '*'})})" for c in extra))
    return "\n".join(out)


def details(cid, failed, passed, flagged):
    codes, _ = MAPPING.get(cid, ((), ""))
    c_fail = failed.get(cid, set())
    evaluated = c_fail | passed.get(cid, set())
    m = set().union(*(flagged.get(c, set()) for c in codes)) if codes else set()
    m_eval = flagged_in(evaluated, m)
    print(f"# {cid} vs {', '.join(codes) or 'none'}")
    print("## Checkov only")
    for o in sorted(c_fail - m_eval):
        print("  ", *o)
    print("## mamori only (Checkov evaluated and passed)")
    for o in sorted(m_eval - c_fail):
        print("  ", *o)
    print("## mamori only (Checkov did not evaluate)")
    for o in sorted(x for x in m - evaluated if x[0] != "*"):
        print("  ", *o)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkov")
    ap.add_argument("mamori")
    ap.add_argument("--prefix", default="", help="strip this from mamori's paths (the corpus folder as given)")
    ap.add_argument("--details", metavar="CHECK_ID", help="list the objects behind one row")
    a = ap.parse_args()
    failed, passed, names = checkov_results(a.checkov)
    flagged = mamori_results(a.mamori, a.prefix)
    if a.details:
        details(a.details, failed, passed, flagged)
    else:
        print(table(failed, passed, names, flagged))
    return 0


if __name__ == "__main__":
    sys.exit(main())
