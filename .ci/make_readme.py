#!/usr/bin/env python3
"""Write README.md from nbs/index.ipynb (nbdev's `nbdev_readme` needs Quarto, which is not installable offline).

Markdown cells are copied; code cells become ```python blocks followed by their text outputs; cells marked `#| hide`
are dropped, cells marked `#| echo: false` keep their outputs only, and image outputs are dropped (they live on
the docs site). `--check` exits 1 when README.md is out of date."""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path=root/'nbs'/'index.ipynb'):
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            out.append(src.strip()); continue
        lines = src.splitlines()
        flags = [l for l in lines if l.startswith('#|')]
        if any(re.match(r'#\|\s*hide', l) for l in flags): continue
        code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        echo = not any(re.match(r'#\|\s*echo:\s*false', l) for l in flags)
        if code and echo: out.append(f'```python\n{code}\n```')
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream' and o.get('name') == 'stdout': txt = ''.join(o['text'])
            elif 'data' in o and 'text/markdown' in o['data']: out.append(''.join(o['data']['text/markdown']).strip()); continue   # before text/plain: IPython's Markdown has both
            elif 'data' in o and 'text/plain' in o['data'] and 'image/png' not in o['data'] and 'text/html' not in o['data']:
                txt = ''.join(o['data']['text/plain'])
            elif 'data' in o and 'text/html' in o['data'] and 'text/plain' in o['data']: txt = ''.join(o['data']['text/plain'])
            else: continue
            out.append(f'    ' + '\n    '.join(txt.rstrip().splitlines()))
    text = '\n\n'.join(out) + '\n'
    text = re.sub(r'\]\(((?:\d\d[a-z]?_\w+|benchmarks/\w+|tutorials/\w+)\.ipynb)\)', r'](nbs/\1)', text)
    return '<!-- generated from nbs/index.ipynb by .ci/make_readme.py: edit the notebook, not this file -->\n\n' + text

if __name__ == '__main__':
    new = render()
    if '--check' in sys.argv:
        if (root/'README.md').read_text() != new:
            sys.exit('README.md is out of date with nbs/index.ipynb: run python .ci/make_readme.py')
    else: (root/'README.md').write_text(new)
