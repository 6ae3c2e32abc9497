#!/usr/bin/env python3
"""Derives GoJSONFields.txt: the Go facts about each protobuf field that the .proto files do not carry.

Run by hand (not at build time) with local clones of kubernetes/api, kubernetes/apimachinery and
kubernetes/apiextensions-apiserver at the release branch that matches ../shared/reference:

    derive-go-json-fields.py API_REPO APIMACHINERY_REPO APIEXTENSIONS_REPO release-1.36 > GoJSONFields.txt

It reads only the struct field declarations (name, Go type, `json:` and `protobuf:` tags) of the Go API types and
writes one line per protobuf field: the proto field name, its JSON name, and flags:
  p  the Go field is nil-able (pointer, slice, map, []byte): Go writes it to protobuf only when set
  e  `omitempty`: Go's JSON omits the zero value (of a non-pointer scalar)
  z  `omitzero`: Go's JSON omits the zero value of a struct
  i  `json:",inline"`: an embedded struct whose fields JSON flattens into the parent
"""
import re
import subprocess
import sys

FIELD = re.compile(r'^\s*(?:(\w+)\s+)?(\*?[\w.\[\]*]+(?:\[[^\]]*\][\w.*]+)?)\s+`([^`]*)`')


def git(repo, *args):
    return subprocess.run(['git', '-C', repo, *args], check=True, capture_output=True, text=True).stdout


def structs(text):
    """Yields (type name, [field lines]) for each `type X struct {…}` block."""
    lines = text.split('\n')
    index = 0
    while index < len(lines):
        match = re.match(r'^type (\w+) struct \{\s*$', lines[index])
        index += 1
        if not match:
            continue
        body, depth = [], 1
        while index < len(lines) and depth > 0:
            line = lines[index]
            if line.strip().startswith('//'):
                index += 1
                continue
            depth += line.count('{') - line.count('}')
            if depth > 0:
                body.append(line)
            index += 1
        yield match.group(1), body


def facts(repo, ref, directory, package):
    files = [path for path in git(repo, 'ls-tree', '--name-only', ref, directory + '/').split()
             if path.endswith('.go') and not path.endswith('_test.go') and '/zz_generated' not in path
             and not path.endswith('generated.pb.go')]
    out = {}
    for path in sorted(files):
        for name, body in structs(git(repo, 'show', f'{ref}:{path}')):
            fields = []
            for line in body:
                line = line.split('//')[0] if '`' not in line else line
                match = FIELD.match(line)
                if not match:
                    continue
                tags = match.group(3)
                if 'protobuf:"' not in tags:
                    continue
                go_type = match.group(2)
                proto = re.search(r'protobuf:"[^"]*name=(\w+)', tags)
                # Without `name=`, the proto field is named after the Go field, first letter lowered.
                go_name = match.group(1) or go_type.lstrip('*').split('.')[-1]
                proto_name = proto.group(1) if proto else go_name[0].lower() + go_name[1:]
                json_tag = re.search(r'json:"([^"]*)"', tags)
                parts = json_tag.group(1).split(',') if json_tag else ['']
                json_name = parts[0] or go_name
                flags = ''
                if go_type.startswith(('*', '[]', 'map[')):
                    flags += 'p'
                if 'omitempty' in parts[1:]:
                    flags += 'e'
                if 'omitzero' in parts[1:]:
                    flags += 'z'
                if 'inline' in parts[1:]:
                    flags += 'i'
                    json_name = '-'
                fields.append(f' {proto_name} {json_name} {flags or "-"}')
            if fields:
                out[f'{package}.{name}'] = fields
    return out


def main():
    api, machinery, extensions, ref = sys.argv[1:5]
    all_facts = {}
    for directory in sorted(set(p.rsplit('/', 1)[0] for p in git(api, 'ls-tree', '-r', '--name-only', ref).split()
                                if p.endswith('/generated.proto'))):
        all_facts.update(facts(api, ref, directory, 'k8s.io.api.' + directory.replace('/', '.')))
    for directory in ['pkg/apis/meta/v1', 'pkg/runtime', 'pkg/util/intstr', 'pkg/api/resource', 'pkg/runtime/schema']:
        all_facts.update(facts(machinery, ref, directory, 'k8s.io.apimachinery.' + directory.replace('/', '.')))
    all_facts.update(facts(extensions, ref, 'pkg/apis/apiextensions/v1',
                           'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1'))
    print(f'# Derived by derive-go-json-fields.py from the Go API types at {ref}. Do not edit by hand.')
    print('# <message>, then per field: <proto name> <JSON name, "-" when inline> <flags: p nil-able, e omitempty,')
    print('# z omitzero, i inline, "-" none>')
    for name in sorted(all_facts):
        print(name)
        print('\n'.join(all_facts[name]))


main()
