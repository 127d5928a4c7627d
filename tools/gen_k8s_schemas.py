#!/usr/bin/env python3
"""Compact the Kubernetes OpenAPI-derived JSON schemas into mamori's schema data.

Source: the `kubernetes-validate` wheel from PyPI (Apache-2.0), which carries the
definitions of every Kubernetes minor version, derived from upstream's OpenAPI spec.
We keep only what validation needs (field names, types, required fields, the
group/version/kind of root types) and drop descriptions, so the data embedded
in the binary stays small.

Usage: python3 tools/gen_k8s_schemas.py WHEEL_OR_DIR OUT_DIR
"""
import json, os, sys, zipfile, io, re

def load_versions(src):
    """Yield (version, definitions) for every `vX.Y.0-local` folder."""
    if src.endswith('.whl'):
        z = zipfile.ZipFile(src)
        names = [n for n in z.namelist() if n.endswith('-local/_definitions.json')]
        for n in sorted(names):
            v = re.search(r'/v(\d+\.\d+)\.\d+-local/', n).group(1)
            yield v, json.load(z.open(n))['$defs']
    else:
        for d in sorted(os.listdir(src)):
            m = re.match(r'v(\d+\.\d+)\.\d+-local$', d)
            if m:
                with open(os.path.join(src, d, '_definitions.json')) as f:
                    yield m.group(1), json.load(f)['$defs']

def ty(s):
    """Compact type expression: a string for scalars and refs, a list for arrays/maps."""
    if '$ref' in s:
        return '#' + s['$ref'].split('/')[-1]
    if 'oneOf' in s:
        kinds = sorted({t for o in s['oneOf'] for t in ([o['type']] if isinstance(o['type'], str) else o['type']) if t != 'null'})
        if kinds == ['integer', 'string']:
            return 'int-or-string'
        if kinds == ['number', 'string']:
            return 'quantity'
        return 'any'
    t = s.get('type')
    if isinstance(t, list):
        t = [x for x in t if x != 'null']
        t = t[0] if len(t) == 1 else None
    if s.get('x-kubernetes-preserve-unknown-fields') and t in (None, 'object'):
        if 'properties' not in s and 'additionalProperties' not in s:
            return 'any'
    if t == 'array':
        return ['array', ty(s.get('items', {}))]
    if t == 'object' or (t is None and ('properties' in s or 'additionalProperties' in s)):
        if 'properties' in s:
            return ['object', {k: ty(v) for k, v in s['properties'].items()}, sorted(s.get('required', []))]
        ap = s.get('additionalProperties')
        if isinstance(ap, dict):
            return ['map', ty(ap)]
        return 'any'
    if t in ('string', 'integer', 'number', 'boolean'):
        if t == 'string' and s.get('format') == 'byte':
            return 'bytes'
        return t
    return 'any'

def compact(defs):
    types, roots = {}, []
    for name, s in defs.items():
        t = ty(s)
        types[name] = t
        for gvk in s.get('x-kubernetes-group-version-kind', []):
            props = s.get('properties', {})
            # Only top-level kinds that are objects with apiVersion/kind are manifests.
            if 'apiVersion' in props and 'kind' in props and 'metadata' in props:
                roots.append([gvk['group'], gvk['version'], gvk['kind'], name])
    roots.sort()
    return {'types': types, 'roots': roots}

def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for v, defs in load_versions(src):
        data = compact(defs)
        with open(os.path.join(out, f'k8s-{v}.json'), 'w') as f:
            json.dump(data, f, separators=(',', ':'), sort_keys=True)
        print(v, len(data['types']), len(data['roots']))

if __name__ == '__main__':
    main()
