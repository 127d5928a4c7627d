#!/usr/bin/env python3
"""Compact custom resource schemas into crates/mamori-source/data/crds/*.json.

Two kinds of input, one output format (see crates/mamori-source/data/README.md):

  crd   CustomResourceDefinition YAML (one or more documents per file, e.g.
        Istio's manifests/charts/base/files/crd-all.gen.yaml or Kyverno's
        config/crds/kyverno/*.yaml). Needs PyYAML.
  npm   An unpacked @kubernetes-models/* npm package (its TypeScript `.d.ts`
        interfaces, which that project generates from the same CRDs or Go
        OpenAPI definitions). Standard library only.

Usage:
  gen_crd_schemas.py crd OUT.json GROUP[,GROUP...] FILE.yaml...
  gen_crd_schemas.py npm OUT.json GROUP[,GROUP...] PACKAGE_DIR

Output: a JSON array of {"group", "kind", "versions": "v1,v1beta1",
"schema"} with "x-mamori-root": true at the top of each schema; one entry
per set of kinds and served versions that share a schema ("kind" may list
several: "ClusterPolicy,Policy"). `status` is accepted as written. Descriptions,
printer columns, CEL rules, formats, lengths and patterns are dropped; kept
is what mamori validates: type, properties, items, additionalProperties,
required, enum, x-kubernetes-preserve-unknown-fields,
x-kubernetes-int-or-string, and "x-mamori-ref" (a built-in Kubernetes type
by its OpenAPI name, resolved against the chosen Kubernetes version).
"""

import json
import os
import re
import sys

KEEP = {
    "type",
    "properties",
    "items",
    "additionalProperties",
    "required",
    "enum",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-mamori-ref",
}

ROOT_IMPLICIT = ("apiVersion", "kind", "metadata")


def compact(s):
    """Keep only what openapi_v3_type reads; recurse into sub-schemas."""
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k not in KEEP:
            continue
        if k == "properties":
            v = {name: compact(sub) for name, sub in sorted(v.items())}
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            v = compact(v)
        elif k == "required":
            v = sorted(set(v))
        out[k] = v
    if out.get("x-kubernetes-int-or-string"):
        return {"x-kubernetes-int-or-string": True}
    if out.get("x-kubernetes-preserve-unknown-fields") and "properties" not in out:
        out.pop("additionalProperties", None)
    return out


def root(schema):
    schema = compact(schema)
    props = dict(schema.get("properties", {}))
    # mamori adds apiVersion, kind and metadata (ObjectMeta) at the root.
    for k in ROOT_IMPLICIT:
        props.pop(k, None)
    # status is written by the controller (and reset by the API server when
    # the status subresource is on): accepted as written.
    if "status" in props:
        props["status"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    schema["properties"] = props
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if r not in ROOT_IMPLICIT]
        if not schema["required"]:
            del schema["required"]
    schema["x-mamori-root"] = True
    schema["type"] = "object"
    return schema


# Fields that Istio added after @kubernetes-models/istio@3.0.1 was generated
# and that Istio's own test data (master, 2026) uses: (group, kind, path,
# schema), applied to every version. Shapes are the loosest that fit, since
# they are not read from a CRD: lists of strings, or anything.
OVERLAY = [
    ("security.istio.io", "AuthorizationPolicy", "spec.rules[].from[].source.trustDomains",
     {"type": "array", "items": {"type": "string"}}),
    ("security.istio.io", "AuthorizationPolicy", "spec.rules[].from[].source.notTrustDomains",
     {"type": "array", "items": {"type": "string"}}),
    ("security.istio.io", "RequestAuthentication", "spec.jwtRules[].presence", {"type": "string"}),
    ("networking.istio.io", "DestinationRule", "spec.trafficPolicy.connectionPool.http.http2KeepAlive",
     {"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
    ("networking.istio.io", "DestinationRule", "spec.trafficPolicy.portLevelSettings[].connectionPool.http.http2KeepAlive",
     {"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
    ("networking.istio.io", "DestinationRule", "spec.subsets[].trafficPolicy.connectionPool.http.http2KeepAlive",
     {"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
    ("networking.istio.io", "DestinationRule",
     "spec.subsets[].trafficPolicy.portLevelSettings[].connectionPool.http.http2KeepAlive",
     {"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
]


def apply_overlay(group, kind, schema):
    for g, k, path, sub in OVERLAY:
        if (g, k) != (group, kind):
            continue
        node = schema
        *parents, leaf = path.split(".")
        for part in parents:
            node = node["properties"][part.rstrip("[]")]
            if part.endswith("[]"):
                node = node["items"]
        if leaf not in node["properties"]:
            node["properties"][leaf] = sub
    return schema


def group_versions(found):
    """found: {(group, kind): [(version, schema)]} -> output entries."""
    entries = []
    for (group, kind), versions in sorted(found.items()):
        buckets = []
        for version, schema in versions:
            schema = apply_overlay(group, kind, schema)
            for b in buckets:
                if b[1] == schema:
                    b[0].append(version)
                    break
            else:
                buckets.append(([version], schema))
        for vs, schema in buckets:
            entries.append({"group": group, "kind": kind, "versions": ",".join(vs), "schema": schema})
    # Kinds with the same schema in the same versions (Policy, ClusterPolicy)
    # share one entry: "kind": "ClusterPolicy,Policy".
    merged = []
    for e in entries:
        for m in merged:
            if (m["group"], m["versions"], m["schema"]) == (e["group"], e["versions"], e["schema"]):
                m["kind"] += "," + e["kind"]
                break
        else:
            merged.append(e)
    return merged


# ---------------------------------------------------------------- CRD YAML


def from_crd_yaml(paths, groups):
    import yaml  # PyYAML

    found = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc.get("spec") or {}
                if spec.get("group") not in groups:
                    continue
                for v in spec.get("versions", []):
                    if not v.get("served", True):
                        continue
                    schema = v.get("schema", {}).get("openAPIV3Schema")
                    if schema is None:
                        continue
                    found.setdefault((spec["group"], spec["names"]["kind"]), []).append(
                        (v["name"], root(schema))
                    )
    return group_versions(found)


# ---------------------------------------------------------- npm .d.ts files

TOKEN = re.compile(
    r'\s+|/\*.*?\*/|//[^\n]*|("(?:[^"\\]|\\.)*")|([A-Za-z_$][\w$]*)|(-?\d+(?:\.\d+)?)|(.)',
    re.S,
)

PRIMITIVES = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "any": {"x-kubernetes-preserve-unknown-fields": True},
    "unknown": {"x-kubernetes-preserve-unknown-fields": True},
    "object": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
}

# kubernetes-models' own base interfaces (apiVersion and kind).
BASE_TYPES = {"TypeMeta"}

# Types from the core kubernetes-models packages: built-in Kubernetes types,
# referenced by their OpenAPI definition name.
EXTERNAL = {
    "@kubernetes-models/apimachinery/apis/meta/v1/Time": {"type": "string"},
    "@kubernetes-models/apimachinery/runtime/RawExtension": {"x-kubernetes-preserve-unknown-fields": True},
    "kubernetes-models/apiextensions.k8s.io/v1/JSON": {"x-kubernetes-preserve-unknown-fields": True},
}


def external(module):
    if module in EXTERNAL:
        return EXTERNAL[module]
    m = re.fullmatch(r"@kubernetes-models/apimachinery/apis/meta/v1/(\w+)", module)
    if m:
        return {"x-mamori-ref": "io.k8s.apimachinery.pkg.apis.meta.v1." + m.group(1)}
    m = re.fullmatch(r"kubernetes-models/(?:([\w.-]+)/)?(v\w+)/(\w+)", module)
    if m:
        group = (m.group(1) or "core").split(".")[0]
        return {"x-mamori-ref": "io.k8s.api.%s.%s.%s" % (group, m.group(2), m.group(3))}
    return None


class TsFile:
    """The exported type definitions and imports of one .d.ts file."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.toks = []
        for m in TOKEN.finditer(text):
            s, ident, num, punct = m.groups()
            if s is not None:
                self.toks.append(("str", json.loads(s)))
            elif ident is not None:
                self.toks.append(("id", ident))
            elif num is not None:
                self.toks.append(("num", num))
            elif punct is not None:
                self.toks.append(("p", punct))
        self.i = 0
        self.defs = {}  # name -> type AST
        self.imports = {}  # local name -> (module, exported name)
        self.parse_file()

    # -- token helpers
    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ("eof", None)

    def next(self):
        t = self.peek()
        self.i += 1
        return t

    def expect(self, kind, val=None):
        t = self.next()
        if t[0] != kind or (val is not None and t[1] != val):
            raise SyntaxError("%s: expected %s %r, got %r" % (self.path, kind, val, t))
        return t

    def at(self, kind, val=None):
        t = self.peek()
        return t[0] == kind and (val is None or t[1] == val)

    def skip_balanced(self):
        """Skip up to and including the `}` closing the next `{`."""
        while not self.at("p", "{"):
            self.next()
        depth = 0
        while True:
            t = self.next()
            if t == ("p", "{"):
                depth += 1
            elif t == ("p", "}"):
                depth -= 1
                if depth == 0:
                    return

    def skip_statement(self):
        while not self.at("p", ";") and not self.at("eof"):
            if self.at("p", "{"):
                self.skip_balanced()
            else:
                self.next()
        self.next()

    # -- statements
    def parse_file(self):
        while not self.at("eof"):
            t = self.peek()
            if t == ("id", "import"):
                self.parse_import()
            elif t == ("id", "export"):
                self.next()
                if self.at("id", "interface"):
                    self.next()
                    name = self.expect("id")[1]
                    bases = []
                    while not self.at("p", "{"):
                        t = self.next()  # extends A, B
                        if t[0] == "id" and t[1] != "extends":
                            bases.append(("ref", t[1]))
                    obj = self.parse_object()
                    # Go's embedded (inline) structs come out as `extends`.
                    self.defs[name] = ("inter", [obj] + bases) if bases else obj
                elif self.at("id", "type") and self.peek(1)[0] == "id":
                    self.next()
                    name = self.expect("id")[1]
                    self.expect("p", "=")
                    self.defs[name] = self.parse_type()
                    self.expect("p", ";")
                elif self.at("id", "type") and self.peek(1) == ("p", "{"):
                    # export type { ISpec as IComGithub...Spec, ... };
                    self.next()
                    self.next()
                    while not self.at("p", "}"):
                        name = self.expect("id")[1]
                        if self.at("id", "as"):
                            self.next()
                            alias = self.expect("id")[1]
                            self.defs.setdefault(alias, ("ref", name))
                        if self.at("p", ","):
                            self.next()
                    self.next()
                    if self.at("p", ";"):
                        self.next()
                elif self.at("id", "declare"):
                    self.skip_balanced()
                else:
                    self.skip_statement()
            else:
                self.skip_statement()

    def parse_import(self):
        self.expect("id", "import")
        names = []
        if self.at("p", "{"):
            self.next()
            while not self.at("p", "}"):
                name = self.expect("id")[1]
                local = name
                if self.at("id", "as"):
                    self.next()
                    local = self.expect("id")[1]
                names.append((local, name))
                if self.at("p", ","):
                    self.next()
            self.next()
        while not self.at("str"):
            self.next()
        module = self.next()[1]
        for local, name in names:
            self.imports[local] = (module, name)
        if self.at("p", ";"):
            self.next()

    # -- types
    def parse_type(self):
        if self.at("p", "|"):
            self.next()
        alts = [self.parse_inter()]
        while self.at("p", "|"):
            self.next()
            alts.append(self.parse_inter())
        return alts[0] if len(alts) == 1 else ("union", alts)

    def parse_inter(self):
        parts = [self.parse_postfix()]
        while self.at("p", "&"):
            self.next()
            parts.append(self.parse_postfix())
        return parts[0] if len(parts) == 1 else ("inter", parts)

    def parse_postfix(self):
        t = self.parse_primary()
        while self.at("p", "[") and self.peek(1) == ("p", "]"):
            self.next()
            self.next()
            t = ("array", t)
        return t

    def parse_primary(self):
        t = self.next()
        if t[0] == "str":
            return ("lit", t[1])
        if t[0] == "num":
            return ("num",)
        if t == ("p", "("):
            inner = self.parse_type()
            self.expect("p", ")")
            return inner
        if t == ("p", "{"):
            self.i -= 1
            return self.parse_object()
        if t[0] == "id":
            args = []
            if self.at("p", "<"):
                self.next()
                args.append(self.parse_type())
                while self.at("p", ","):
                    self.next()
                    args.append(self.parse_type())
                self.expect("p", ">")
            if t[1] == "Array":
                return ("array", args[0])
            if t[1] == "Exclude":
                return args[0]
            if t[1] == "Record":
                return ("map", args[1])
            if t[1] == "null" or t[1] == "undefined":
                return ("null",)
            return ("ref", t[1])
        raise SyntaxError("%s: unexpected %r" % (self.path, t))

    def parse_object(self):
        self.expect("p", "{")
        props, required, index = {}, [], None
        while not self.at("p", "}"):
            if self.at("p", "["):
                self.next()
                self.expect("id")
                self.expect("p", ":")
                self.parse_type()
                self.expect("p", "]")
                self.expect("p", ":")
                index = self.parse_type()
            else:
                name = self.next()[1]
                optional = False
                if self.at("p", "?"):
                    self.next()
                    optional = True
                self.expect("p", ":")
                props[name] = self.parse_type()
                if not optional:
                    required.append(name)
            if self.at("p", ";") or self.at("p", ","):
                self.next()
        self.next()
        return ("obj", props, required, index)


class NpmPackage:
    def __init__(self, root):
        self.root = root
        self.files = {}
        self.stack = []

    def file(self, path):
        path = os.path.normpath(path)
        if path not in self.files:
            self.files[path] = TsFile(path)
        return self.files[path]

    def lookup(self, f, name):
        """Resolve a type name seen in file f to an OpenAPI schema."""
        if name in PRIMITIVES:
            return dict(PRIMITIVES[name])
        if name in f.defs:
            key = (f.path, name)
            if key in self.stack:
                # A recursive type: accept anything below this point.
                return {"x-kubernetes-preserve-unknown-fields": True}
            self.stack.append(key)
            try:
                return self.convert(f, f.defs[name])
            finally:
                self.stack.pop()
        if name in f.imports:
            module, exported = f.imports[name]
            ext = external(module)
            if ext is not None:
                return dict(ext)
            if module.startswith("."):
                target = os.path.join(os.path.dirname(f.path), module)
                target = re.sub(r"\.js$", "", target) + ".d.ts"
                return self.lookup(self.file(target), exported)
        raise KeyError("%s: unknown type %s" % (f.path, name))

    def convert(self, f, t):
        kind = t[0]
        if kind == "lit":
            return {"type": "string", "enum": [t[1]]}
        if kind == "num":
            return {"type": "number"}
        if kind == "null":
            return None
        if kind == "ref":
            return self.lookup(f, t[1])
        if kind == "array":
            return {"type": "array", "items": self.convert(f, t[1])}
        if kind == "map":
            return {"type": "object", "additionalProperties": self.convert(f, t[1])}
        if kind == "obj":
            _, props, required, index = t
            if not props:
                if index is None:
                    # `{}`: an object whose fields are preserved as written.
                    return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                return {"type": "object", "additionalProperties": self.convert(f, index)}
            out = {
                "type": "object",
                "properties": {k: self.convert(f, v) for k, v in props.items()},
            }
            if required:
                out["required"] = sorted(required)
            return out
        if kind == "inter":
            # Istio's oneOf constraints come out as `Base & (Exclude<Base, ..> | ..)`:
            # the first operand is the object itself with its real required list.
            first = self.convert(f, t[1][0])
            if not all(p[0] == "ref" for p in t[1][1:]):
                return first
            # An interface and the interfaces it extends: all their fields.
            props = dict(first.get("properties", {}))
            required = set(first.get("required", []))
            for base in t[1][1:]:
                if base[1] in BASE_TYPES and base[1] in f.imports and f.imports[base[1]][0] == "@kubernetes-models/base":
                    continue
                b = self.convert(f, base)
                for k, v in b.get("properties", {}).items():
                    props.setdefault(k, v)
                required |= set(b.get("required", []))
            out = {"type": "object", "properties": props}
            if required:
                out["required"] = sorted(required)
            return out
        if kind == "union":
            alts = [a for a in (self.convert(f, x) for x in t[1]) if a is not None]
            if len(alts) == 1:
                return alts[0]
            if all("enum" in a for a in alts):
                values = []
                for a in alts:
                    values += [v for v in a["enum"] if v not in values]
                return {"type": "string", "enum": values}
            types = sorted(a.get("type", "") for a in alts)
            if types == ["number", "string"]:
                return {"x-kubernetes-int-or-string": True}
            if all(a.get("type") == "object" and "properties" in a for a in alts):
                props, required = {}, None
                for a in alts:
                    for k, v in a["properties"].items():
                        props.setdefault(k, v)
                    r = set(a.get("required", []))
                    required = r if required is None else required & r
                out = {"type": "object", "properties": props}
                if required:
                    out["required"] = sorted(required)
                return out
            return {"x-kubernetes-preserve-unknown-fields": True}
        raise ValueError(t)


def from_npm(pkg_root, groups):
    pkg = NpmPackage(pkg_root)
    found = {}
    for group in sorted(groups):
        gdir = os.path.join(pkg_root, group)
        if not os.path.isdir(gdir):
            continue
        for version in sorted(os.listdir(gdir)):
            vdir = os.path.join(gdir, version)
            if not os.path.isdir(vdir):
                continue
            for name in sorted(os.listdir(vdir)):
                if not name.endswith(".d.ts") or name == "index.d.ts":
                    continue
                kind = name[: -len(".d.ts")]
                f = pkg.file(os.path.join(vdir, name))
                iface = f.defs.get("I" + kind)
                # A kind is an interface that pins apiVersion and kind.
                if iface and iface[0] == "inter":
                    iface = iface[1][0]
                if not iface or iface[0] != "obj":
                    continue
                props = iface[1]
                if kind.endswith("List") or props.get("apiVersion") != ("lit", "%s/%s" % (group, version)):
                    continue
                schema = root(pkg.convert(f, iface))
                found.setdefault((group, kind), []).append((version, schema))
    return group_versions(found)


def main(argv):
    if len(argv) < 5 or argv[1] not in ("crd", "npm"):
        sys.exit(__doc__)
    mode, out, groups, inputs = argv[1], argv[2], set(argv[3].split(",")), argv[4:]
    if mode == "crd":
        entries = from_crd_yaml(inputs, groups)
    else:
        entries = from_npm(inputs[0], groups)
    with open(out, "w", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(e, sort_keys=True, separators=(",", ":")) for e in entries))
        f.write("\n]\n")
    for e in entries:
        print("%-22s %-28s %s" % (e["group"], e["kind"], e["versions"]), file=sys.stderr)
    print("%s: %d entries, %d bytes" % (out, len(entries), os.path.getsize(out)), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
