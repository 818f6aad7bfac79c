"""
What each Kolla image pip-installs, read from Kolla's own Dockerfile templates (data only):
  python3 scripts/kolla/pip-data.py <kolla share dir>/docker <kolla version> > src/kolla/data/kolla-2024.1-pip.json
For each image (its directory's name), the literal items of every install_pip(...) call: a list
written in the call, or the {% set <var> = [...] %} it names. A path item (/keystone[ldap],
/plugins/*) is the image's own source or its plugins, installed from the source tarball.
"""
import ast, json, os, re, sys

root, version = sys.argv[1], sys.argv[2]
out = {}
for d, _, files in os.walk(root):
    if 'Dockerfile.j2' not in files:
        continue
    text = open(os.path.join(d, 'Dockerfile.j2')).read()
    sets = {}
    for m in re.finditer(r'{%-?\s*set\s+(\w+)\s*=\s*(\[.*?\])\s*-?%}', text, re.S):
        try:
            sets.setdefault(m.group(1), []).extend(x for x in ast.literal_eval(m.group(2)) if isinstance(x, str))
        except (ValueError, SyntaxError):
            pass
    items = []
    for m in re.finditer(r'install_pip\(\s*(\[[^\]]*\]|\w+)', text):
        arg = m.group(1)
        if arg.startswith('['):
            try:
                items.extend(x for x in ast.literal_eval(arg) if isinstance(x, str))
            except (ValueError, SyntaxError):
                pass
        else:
            items.extend(sets.get(arg, []))
    if items:
        out[os.path.basename(d)] = sorted(set(items), key=items.index)
print(json.dumps({'source': {'kolla': version, 'from': 'share/kolla/docker/*/Dockerfile.j2 install_pip(...) arguments'}, 'images': dict(sorted(out.items()))}, indent=1))
